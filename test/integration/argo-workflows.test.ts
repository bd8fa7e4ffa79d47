// config/argo/workflows executed by Argo Workflows on the real node (docs/argo.md "How they are
// checked", "The event-gated play", "Limits"): the templates, the DAG, the approval and the semaphores
// (argo-workflows/templates.ts); orchestrator-play's quality round, limits and outputs (rounds.ts); the
// seed's stages, parameters and task association (stages.ts). Their suites share this process's one
// cluster and workflow-controller (playSuite) and run all at once, each in namespaces of its own
// (docs/testing.md "Side by side on one node"): as three files they started the node and the
// controller three times, one file after another.
// @lane real-node
// @needs node argo
import t from 'tap';

t.jobs = 12;
await import('./argo-workflows/templates.js');
await import('./argo-workflows/rounds.js');
await import('./argo-workflows/stages.js');
