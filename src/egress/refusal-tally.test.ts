// The run's refusals in status: totals exact, hosts bounded and ranked, new hosts found, the sentence.
import t from 'tap';
import {
  addRefusals,
  MAX_REFUSED_HOSTS,
  newlyRefused,
  refusalSentence,
  withRefusals,
} from './refusal-tally.js';

const at = Date.parse('2026-11-26T10:00:00Z');

t.test('counts add up by host and port; the latest time is kept', async (t) => {
  const one = addRefusals(undefined, [{ host: 'a.test', port: 443, count: 2, last: at }]);
  t.same(one, {
    total: 2,
    hosts: [{ host: 'a.test', port: 443, count: 2, lastRefused: '2026-11-26T10:00:00Z' }],
  });
  const two = addRefusals(one, [
    { host: 'a.test', port: 443, count: 1, last: at - 60_000 },
    { host: 'a.test', port: 80, count: 5, last: at + 1000 },
  ]);
  t.equal(two.total, 8);
  t.same(
    two.hosts.map((h) => [h.host, h.port, h.count, h.lastRefused]),
    [
      ['a.test', 80, 5, '2026-11-26T10:00:01Z'],
      ['a.test', 443, 3, '2026-11-26T10:00:00Z'],
    ],
  );
  t.same(
    newlyRefused(one, two).map((h) => h.port),
    [80],
  );
});

t.test('at most 16 hosts: the most refused; the total still counts every request', async (t) => {
  const counts = Array.from({ length: 40 }, (_, i) => ({
    host: `h${i}.test`,
    port: 443,
    count: i + 1,
    last: at,
  }));
  const r = addRefusals(undefined, counts);
  t.equal(r.hosts.length, MAX_REFUSED_HOSTS);
  t.equal(r.hosts[0]?.host, 'h39.test');
  t.equal(r.total, (40 * 41) / 2);
  t.match(
    refusalSentence(r),
    /^the egress proxy refused 820 requests of its agent \(h39\.test:443 ×40, .*, …\)/,
  );
});

t.test('the sentence names the hosts and what to do', async (t) => {
  const r = addRefusals(undefined, [{ host: 'evil.test', port: 443, count: 1, last: at }]);
  t.equal(
    refusalSentence(r),
    'the egress proxy refused 1 request of its agent (evil.test:443 ×1); if the work needed them, the agent profile\'s allowlist must name them (docs/agent-pods.md "Egress")',
  );
});

t.test('a failure message says the refusals once, with the latest figures', async (t) => {
  const one = addRefusals(undefined, [{ host: 'evil.test', port: 443, count: 1, last: at }]);
  const two = addRefusals(one, [{ host: 'evil.test', port: 443, count: 1, last: at }], 3);
  t.equal(two.total, 5, 'refusals not listed by host count in the total');
  const first = withRefusals('the agent exited with code 1', one);
  t.match(
    first,
    /^the agent exited with code 1; the egress proxy refused 1 request of its agent \(evil\.test:443 ×1\)/,
  );
  const second = withRefusals(first, two);
  t.match(
    second,
    /^the agent exited with code 1; the egress proxy refused 5 requests of its agent \(evil\.test:443 ×2, …\)/,
  );
  t.equal(second?.split('egress proxy').length, 2, 'said once');
  t.equal(withRefusals(undefined, one), refusalSentence(one));
  t.equal(withRefusals(refusalSentence(one), two), refusalSentence(two));
  t.equal(withRefusals('failed', undefined), 'failed');
});
