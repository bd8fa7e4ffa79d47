// config/argo/events executed by Argo Events on the real node (docs/argo.md "How they are checked"):
// the Sensors' suites (argo-events/sensors.ts), the seeds' play end to end with a push
// (argo-events/play.ts), and the play without a person, its agents the real agent image
// (argo-events/agents.ts). Each group keeps its suites in order in a namespace of its own (its operator,
// NATS server, EventSource and Sensors); the groups run two at a time in this one process, sharing its
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
// Two groups at once: the real agents' play starts when one of the simulated ones has ended. All three
// at once took 386 s alone, but beside the integration lane (.ci/run, warm, 2026-11-30) 1,535 s, and
// two of its plays failed there: a Sensor's stage not started within 15 min, a publisher's push.
t.jobs = 2;
t.test('the Sensors: a task label, waits, timeouts, comments and failed CI runs', sensorSuites);
t.test('the play end to end with a push that restarts the quality round', pushSuites);
t.test('the play without a person: the agents label and approve through their publishers', agentPlaySuites);
