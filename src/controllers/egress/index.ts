// What the egress proxy refused, put on the runs whose pods asked (docs/agent-pods.md "Egress",
// docs/decisions/0033-egress-refusals-by-source-address.md): read from the proxy's access log by the
// leader, attributed by the request's source address, written into the run's status, its Events and
// a metric, and said on an App run's pull request (decision 0050).
// - access-log-reader.ts: the reconciler that reads each proxy pod's log from where it last stopped.
// - egress-refusals.ts: the parts wired (the pods' index, the proxy's pods, the controllers).
// - pods-by-address.ts: the one pod that held an address at a time, or none.
// - refusal-book.ts: refusals attributed to runs and held until written, bounded.
// - refusal-commenter.ts: an attempt's refusals said on the App run's pull request, once, recorded in
//   status.
// - refusal-metrics.ts: the counters of refused requests, by namespace and profile, and unattributed.
// - refusal-writer.ts: a run's refusals written into its status, with an Event per new host.

export { egressRefusals } from './egress-refusals.js';
