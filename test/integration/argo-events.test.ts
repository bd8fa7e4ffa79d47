// config/argo/events executed by Argo Events on the real node (docs/argo.md "How they are checked"):
// the Sensors' suites (argo-events/sensors.ts) and the seeds' play end to end with a push
// (argo-events/play.ts). Each group keeps its suites in order in a namespace of its own (its operator,
// NATS server, EventSource and Sensors); the two groups run at once in this one process, sharing its
// cluster, workflow-controller and Argo Events' controller (test/harness/deploy/argo-events-suite.ts):
// as two files they started all of it twice, one file after the other.
// @lane real-node
// @needs node argo
import t from 'tap';
import { scaled } from '../harness/util/wait.js';
import { pushSuites } from './argo-events/play.js';
import { sensorSuites } from './argo-events/sensors.js';

// Three Argo programs built and imported, two chains of agents on one node: more than tap's default.
t.setTimeout(scaled(40 * 60_000));
t.jobs = 2;
t.test('the Sensors: a task label, waits, timeouts, comments and failed CI runs', sensorSuites);
t.test('the play end to end with a push that restarts the quality round', pushSuites);
