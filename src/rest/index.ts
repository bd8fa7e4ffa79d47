// The REST API (docs/rest-api.md, docs/design.md §9.1): runs created, listed, read and retried over HTTPS
// for callers other than kubectl (PM tools, the CLI with `--api-url`), each caller authenticated and
// authorised by RBAC, every error in the Kubernetes Status shape. The admission it runs is src/admission's.
// - budgets.ts: the team budgets' standings and daily spend, for those who may list the runs they cover.
// - console.ts: the web console's files under /console/, with their Content-Security-Policy.
// - events.ts: a run's Events, the newest, with who reported each.
// - logs.ts: a run's log, from its attempt's pod, streamed; once the pod is gone, the kept log.
// - middleware.ts: errors as Status, authentication, rate limit, each handler's access check.
// - openapi.ts: the OpenAPI document built from schemas/ and the kind table, no field written twice.
// - paths.ts: the routes, in one place for the router and the OpenAPI document.
// - run-routes.ts: the run routes, each asking RBAC for the verb the manager then performs.
// - runs.ts: what the API does with runs through the apiserver, after admission in process.
// - server.ts: koa on its own HTTPS port, with the webhook server's certificate machinery.
// - status.ts: every error as a Kubernetes Status; an apiserver that does not answer is a 503.
// - stream-answer.ts: an answer streamed from an apiserver stream, bounded by what its caller reads.
// - stream-slots.ts: the watches open at once, per replica and per caller.
// - watch.ts: `?watch=true` as server-sent events, one apiserver watch per stream.
export { type ApiServer, startApiServer } from './server.js';
