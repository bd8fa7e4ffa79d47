import t from 'tap';
import { waiterOf as run } from '../../../test/harness/fakes/claims.js';
import { slotRefusal, waitingMessage } from './allocation.js';
import type { Claim } from './claim.js';

const limits = { perService: 1, global: 3 };
const none = {};

t.test('a run gets a slot while its service and the total have one free', async (t) => {
  t.equal(slotRefusal([], [], run('a1', 'pay'), limits), undefined);
  t.match(slotRefusal([run('a1', 'pay')], [], run('a2', 'pay'), limits), {
    scope: 'service',
    service: 'pay',
    limit: 1,
    running: 1,
    ahead: 0,
  });
  const three = [run('a1', 'pay'), run('b1', 'web'), run('c1', 'ops')];
  t.match(slotRefusal(three, [], run('d1', 'db'), limits), { scope: 'global', limit: 3, running: 3 });
  t.match(
    slotRefusal(three.slice(0, 2), [], run('d1', undefined), limits),
    undefined,
    'no service: global only',
  );
});

t.test('the limits are optional: without them only workspaces are exclusive', async (t) => {
  const many = Array.from({ length: 20 }, (_, i) => ({ ...run(`a${i}`, 'pay', `ws-${i}`), key: `k${i}` }));
  t.equal(
    slotRefusal(many, [], run('b1', 'pay', 'ws-new'), none),
    undefined,
    'no per-service or global limit',
  );
  t.match(slotRefusal(many, [], run('b1', 'pay', 'ws-3'), none), {
    scope: 'workspace',
    holder: 'TaskRun/a3',
  });
  t.match(
    slotRefusal(many, [], run('b1', 'pay', 'ws-new'), { global: 20 }),
    { scope: 'global', limit: 20, running: 20 },
    'the global limit alone',
  );
});

t.test('one run at a time per workspace, whatever the limits', async (t) => {
  const holder = run('a1', 'pay', 'workspace-pay');
  t.same(slotRefusal([holder], [], run('b2', 'pay', 'workspace-pay'), { perService: 10, global: 10 }), {
    scope: 'workspace',
    workspace: 'workspace-pay',
    holder: 'TaskRun/a1',
    next: false,
  });
  t.equal(
    slotRefusal([holder], [], run('b2', 'pay', 'workspace-pay-cleo'), { perService: 10, global: 10 }),
    undefined,
    "a quality agent's own workspace of the same service is free",
  );
  t.match(
    slotRefusal([holder], [], run('b2', 'pay', 'workspace-pay-cleo'), limits),
    { scope: 'service' },
    'but a per-service limit still applies when set',
  );
  t.equal(
    slotRefusal([holder], [], { ...run('b2', 'pay', 'workspace-pay'), namespace: 'other' }, none),
    undefined,
    'a PVC of the same name in another namespace is another volume',
  );
  t.match(
    slotRefusal([holder], [], run('b2', 'web', 'workspace-pay'), none),
    { scope: 'workspace', holder: 'TaskRun/a1' },
    'a workspace named by runs of two services is still one volume',
  );
});

t.test('the workspace goes to the oldest waiting run of it', async (t) => {
  const waiting = [run('a3', 'pay', 'ws'), run('a2', 'pay', 'ws')];
  t.equal(slotRefusal([], waiting, run('a2', 'pay', 'ws'), none), undefined, 'the oldest gets it');
  t.same(
    slotRefusal([], waiting, run('a3', 'pay', 'ws'), none),
    { scope: 'workspace', workspace: 'ws', holder: 'TaskRun/a2', next: true },
    'a younger one is told who goes next',
  );
  t.equal(
    slotRefusal([], [run('a2', 'pay', 'ws')], run('b3', 'web', 'other-ws'), none),
    undefined,
    'a run of another workspace is not held back',
  );
  t.equal(
    slotRefusal([run('x1', 'pay')], [run('a2', 'pay', 'ws')], run('b3', 'web', 'ws'), limits),
    undefined,
    'an older waiter blocked by its service does not keep the workspace from others',
  );
});

t.test('the workspace is checked before the limits, so the message names the holder', async (t) => {
  const holders = [run('a1', 'pay', 'ws'), run('b1', 'web'), run('c1', 'ops')];
  t.match(slotRefusal(holders, [], run('d2', 'pay', 'ws'), limits), {
    scope: 'workspace',
    holder: 'TaskRun/a1',
  });
});

t.test('the same service in another namespace is another service', async (t) => {
  const other = { ...run('a1', 'pay'), key: 'TaskRun/other/a1/u', namespace: 'other' };
  t.equal(slotRefusal([other], [], run('a2', 'pay'), limits), undefined);
});

t.test('a run counted twice (Job and phase) holds one slot', async (t) => {
  const holder: Claim = run('a1', 'pay', 'ws');
  t.equal(slotRefusal([holder, holder], [], run('b1', 'web'), { perService: 1, global: 2 }), undefined);
});

t.test('a run re-created under its name is another run than its old Job', async (t) => {
  const oldJob = { ...run('a1', 'pay', 'ws'), key: 'TaskRun/ns/a1/old-uid' };
  t.match(slotRefusal([oldJob], [], run('a1', 'pay', 'ws'), none), {
    scope: 'workspace',
    holder: 'TaskRun/a1',
  });
});

t.test('free slots go to the oldest waiting runs first', async (t) => {
  const waiting = [run('a3', 'pay'), run('a2', 'pay')];
  t.equal(slotRefusal([], waiting, run('a2', 'pay'), limits), undefined, 'the oldest gets it');
  t.match(
    slotRefusal([], waiting, run('a3', 'pay'), limits),
    { scope: 'service', running: 0, ahead: 1 },
    'a younger one waits behind it',
  );
  t.match(
    slotRefusal([], waiting, run('a4', 'pay'), { perService: 2, global: 10 }),
    { scope: 'service', ahead: 2 },
    'a newcomer waits behind both',
  );
  t.equal(
    slotRefusal([], waiting, run('a1', 'pay'), limits),
    undefined,
    'an older newcomer (e.g. created in the same burst) goes first',
  );
});

t.test("a run blocked by its own service's limit does not hold back other services", async (t) => {
  const holders = [run('a1', 'pay')];
  const waiting = [run('a2', 'pay')];
  t.equal(slotRefusal(holders, waiting, run('b3', 'web'), { perService: 1, global: 2 }), undefined);
  t.match(
    slotRefusal(holders, [run('b2', 'web')], run('c3', 'ops'), { perService: 1, global: 2 }),
    { scope: 'global', running: 1, ahead: 1 },
    'but an older run of another service that fits does',
  );
});

t.test('the message says what is taken or which limit, and what happens next', async (t) => {
  t.equal(
    waitingMessage({
      scope: 'workspace',
      workspace: 'workspace-payments',
      holder: 'CodeRun/pay-rex',
      next: false,
    }),
    'workspace "workspace-payments" is in use by CodeRun/pay-rex (one run per workspace at a time); waiting for it to finish',
  );
  t.equal(
    waitingMessage({ scope: 'workspace', workspace: 'ws', holder: 'TaskRun/a2', next: true }),
    'workspace "ws" goes next to TaskRun/a2, which has waited longer (one run per workspace at a time); waiting for it to finish',
  );
  t.equal(
    waitingMessage({ scope: 'service', service: 'payments', limit: 2, running: 2, ahead: 0 }),
    '2 of 2 runs of service "payments" are running (concurrency.perService); waiting for one to finish',
  );
  t.equal(
    waitingMessage({ scope: 'global', limit: 10, running: 9, ahead: 1 }),
    '9 of 10 runs in total are running (concurrency.global) and 1 older waiting run goes first; waiting for one to finish',
  );
  t.match(
    waitingMessage({ scope: 'global', limit: 3, running: 1, ahead: 2 }),
    /2 older waiting runs go first/,
  );
});
