import t from 'tap';
import { parseGatewayArgs } from './gateway-options.js';

t.test(
  'defaults: 2,000 calls × 3 rounds; the scale mode 100 attempts × 20 calls, back to back',
  async (t) => {
    t.same(parseGatewayArgs([]), { mode: 'latency', calls: 2000, rounds: 3 });
    t.same(parseGatewayArgs(['--scale']), { mode: 'scale', attempts: 100, calls: 20, paceMs: 0 });
  },
);

t.test('every positional argument of each mode', async (t) => {
  t.same(parseGatewayArgs(['50', '2']), { mode: 'latency', calls: 50, rounds: 2 });
  t.same(parseGatewayArgs(['--scale', '1000', '10', '250']), {
    mode: 'scale',
    attempts: 1000,
    calls: 10,
    paceMs: 250,
  });
});

t.test('--help asks for the usage, whatever else is given', async (t) => {
  t.same(parseGatewayArgs(['--help']), { mode: 'help' });
  t.same(parseGatewayArgs(['--scale', '10', '-h']), { mode: 'help' });
});

t.test('bad input names the argument and the rule', async (t) => {
  t.throws(() => parseGatewayArgs(['--verbose']), /N: expected an integer ≥ 1, got "--verbose"\nusage:/);
  t.throws(() => parseGatewayArgs(['0']), /N: expected an integer ≥ 1, got "0"/);
  t.throws(() => parseGatewayArgs(['10', '1.5']), /ROUNDS: expected an integer ≥ 1, got "1.5"/);
  t.throws(() => parseGatewayArgs(['10', '2', '3']), /unexpected argument "3"/);
  t.throws(() => parseGatewayArgs(['--scale', '0']), /ATTEMPTS: expected an integer ≥ 1, got "0"/);
  t.throws(() => parseGatewayArgs(['--scale', '5', '']), /CALLS: expected an integer ≥ 1, got ""/);
  t.throws(() => parseGatewayArgs(['--scale', '5', '2', '-1']), /PACE_MS: expected an integer ≥ 0, got "-1"/);
  t.throws(() => parseGatewayArgs(['--scale', '5', '2', '0', 'x']), /unexpected argument "x"/);
});
