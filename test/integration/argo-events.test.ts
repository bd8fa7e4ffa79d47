// config/argo/events executed by Argo Events on the real node (docs/argo.md "How they are checked"):
// the Sensors' suites (argo-events/sensors.ts), the seeds' play end to end with a push
// (argo-events/play.ts), and the play without a person, its agents the real agent image
// (argo-events/agents.ts). Each group keeps its suites in order in a namespace of its own (its operator,
// NATS server, EventSource and Sensors); the three groups run at once in this one process, sharing its
// cluster, workflow-controller and Argo Events' controller (test/harness/deploy/argo-events-suite.ts):
// as files of their own they would start all of it again, one file after the other.
// @lane real-node
// @needs node argo agent-image
import t from 'tap';
import { scaled } from '../harness/util/wait.js';
import { agentPlaySuites } from './argo-events/agents.js';
import { pushSuites } from './argo-events/play.js';
import { sensorSuites } from './argo-events/sensors.js';

// Three Argo programs and the agent image built and imported, three chains of agents on one node: more
// than tap's default.
t.setTimeout(scaled(60 * 60_000));
// The three groups at once: so the file took 386 s alone and used a fifth of the two cores, its time
// the waits of Argo's steps (npm test -- <file>, 2026-11-30); two at a time took 523 s beside the other lanes (.ci/run).
t.jobs = 3;
t.test('the Sensors: a task label, waits, timeouts, comments and failed CI runs', sensorSuites);
t.test('the play end to end with a push that restarts the quality round', pushSuites);
t.test('the play without a person: the agents label and approve through their publishers', agentPlaySuites);
