import t from 'tap';
import { type StartSample, startPhases, startTotal, summarize } from './start-phases.js';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString().replace('.000', '');
const started = (s: number) => ({ terminated: { startedAt: iso(s) } });

/** An attempt's pod: prepare, then agent (init containers), then publish; the first request at `request` s. */
const attempt = (request: number, submitted = 0.4, publish = request + 5): StartSample => ({
  submittedAt: T0 + submitted * 1000,
  firstRequestAt: T0 + request * 1000,
  job: { metadata: { creationTimestamp: iso(1) } },
  pod: {
    metadata: { creationTimestamp: iso(1) },
    spec: { initContainers: [{ name: 'prepare' }, { name: 'agent' }], containers: [{ name: 'publish' }] },
    status: {
      conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(2) }],
      initContainerStatuses: [
        { name: 'agent', state: started(6) },
        { name: 'prepare', state: started(3) },
      ],
      containerStatuses: [{ name: 'publish', state: { running: { startedAt: iso(publish) } } }],
    },
  },
});

t.test(
  'an attempt: each controller, the kubelet and each container that started before the request',
  async (t) => {
    const phases = startPhases(attempt(8.25));
    t.same(
      phases.map((p) => p.name),
      ['operator', 'job controller', 'scheduler', 'kubelet', 'prepare', 'agent'],
      'in order, by the status order of the spec, not of the statuses; the publisher, started later, left out',
    );
    t.same(
      phases.map((p) => p.ms),
      [600, 0, 1000, 1000, 3000, 2250],
    );
    t.equal(
      phases.reduce((sum, p) => sum + p.ms, 0),
      startTotal(attempt(8.25)),
      'the phases sum to the total',
    );
  },
);

t.test(
  'a second-resolution edge before the ms submission: that phase is 0, the next takes the rest',
  async (t) => {
    const phases = startPhases(attempt(8, 1.7));
    t.same(phases.slice(0, 3), [
      { name: 'operator', ms: 0 },
      { name: 'job controller', ms: 0 },
      { name: 'scheduler', ms: 300 },
    ]);
    t.equal(
      phases.reduce((sum, p) => sum + p.ms, 0),
      6300,
    );
  },
);

t.test(
  "marks in the last container's log: its phase ends at the first, each mark's at the next",
  async (t) => {
    const sample = {
      ...attempt(9),
      marks: [
        { name: 'claude', at: T0 + 7250 },
        { name: 'late', at: T0 + 9500 },
      ],
    };
    const late = { ...attempt(13.5, 0.4, 13), marks: sample.marks };
    t.same(
      startPhases(late).map((p) => p.name),
      ['operator', 'job controller', 'scheduler', 'kubelet', 'prepare', 'agent', 'claude', 'late'],
      "the publisher's start, read before the request (whole seconds), is after the marks: no phase",
    );
    t.same(
      startPhases(sample).slice(-2),
      [
        { name: 'agent', ms: 1250 },
        { name: 'claude', ms: 1750 },
      ],
      'a mark after the first request is no phase of the start',
    );
  },
);

t.test('a bare pod: no Job, so its first phase is the create', async (t) => {
  const floor: StartSample = {
    submittedAt: T0,
    firstRequestAt: T0 + 2500,
    pod: {
      metadata: { creationTimestamp: iso(0) },
      spec: { containers: [{ name: 'floor' }] },
      status: {
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(1) }],
        containerStatuses: [{ name: 'floor', state: started(2) }],
      },
    },
  };
  t.same(startPhases(floor), [
    { name: 'create', ms: 0 },
    { name: 'scheduler', ms: 1000 },
    { name: 'kubelet', ms: 1000 },
    { name: 'floor', ms: 500 },
  ]);
});

t.test('a summary: p50 and p99 of the totals, each phase at its median', async (t) => {
  const s = summarize([attempt(8), attempt(10), attempt(9)]);
  t.equal(s.count, 3);
  t.equal(s.p50, 8600, 'the middle total');
  t.equal(s.p99, 9600, 'the highest of three');
  t.same(
    s.phases.find((p) => p.name === 'agent'),
    { name: 'agent', ms: 3000 },
  );
  t.ok(Number.isNaN(summarize([]).p50), 'no sample: no figure, not 0');
});
