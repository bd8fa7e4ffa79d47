import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { followWorkloads, workloadsBanner } from './local.js';

/** A logger whose lines are kept, and a manager that only records being stopped. */
function world() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  let requestStop = () => {};
  const manager = {
    stops: 0,
    stopRequested: new Promise<void>((resolve) => {
      requestStop = resolve;
    }),
    async stop() {
      manager.stops++;
      requestStop();
    },
  };
  return { lines, logger, manager };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

t.test('workloads that come up are logged once, and nothing is stopped', async (t) => {
  const { lines, logger, manager } = world();
  const followed = followWorkloads({ building: true, ready: Promise.resolve() }, manager, logger);
  await settle();
  t.match(lines, [{ msg: /^workloads ready/ }]);
  t.equal(manager.stops, 0);
  t.equal(followed.failure(), undefined);
});

t.test('workloads that fail stop the manager and give the cause, for a non-zero exit', async (t) => {
  const { lines, logger, manager } = world();
  const cause = new Error('building the controllers failed (exit 1); tail of …');
  const followed = followWorkloads({ building: true, ready: Promise.reject(cause) }, manager, logger);
  await settle();
  t.equal(manager.stops, 1, 'not left half-working: runs would never get pods');
  t.equal(followed.failure(), cause, 'the cause, with the build log tail');
  t.match(lines, [{ level: 50, msg: /would never get pods: stopping/ }]);
});

t.test('a failure after a stop was asked for is the stop’s doing: nothing is reported', async (t) => {
  const { lines, logger, manager } = world();
  let fail: (err: Error) => void = () => {};
  const ready = new Promise<void>((_, reject) => {
    fail = reject;
  });
  const followed = followWorkloads({ building: true, ready }, manager, logger);
  await manager.stop();
  fail(new Error('the control plane was stopped before its workloads were ready'));
  await settle();
  t.equal(followed.failure(), undefined);
  t.same(lines, []);
});

t.test('the banner says whether runs wait for a build', async (t) => {
  const building = workloadsBanner({ building: true, ready: Promise.resolve() }).join('\n');
  t.match(building, /admitted now; they get pods once the controller manager, scheduler and KWOK are built/);
  t.match(building, /every 15 s/);
  t.match(workloadsBanner({ building: false, ready: Promise.resolve() }).join('\n'), /are up/);
});
