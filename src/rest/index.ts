// The REST API (docs/rest-api.md, docs/design.md §9.1): runs created, listed, read and retried over HTTPS
// for callers other than kubectl (PM tools, the CLI with `--api-url`), each caller authenticated and
// authorised by RBAC, every error in the Kubernetes Status shape. The admission it runs is src/admission's.
// - middleware.ts: errors as Status, authentication, rate limit, each handler's access check.
// - openapi.ts: the OpenAPI document built from schemas/ and the kind table, no field written twice.
// - paths.ts: the routes, in one place for the router and the OpenAPI document.
// - run-routes.ts: the run routes, each asking RBAC for the verb the manager then performs.
// - runs.ts: what the API does with runs through the apiserver, after admission in process.
// - server.ts: koa on its own HTTPS port, with the webhook server's certificate machinery.
// - status.ts: every error as a Kubernetes Status; an apiserver that does not answer is a 503.
// - stream-slots.ts: the watches open at once, per replica and per caller.
// - watch.ts: `?watch=true` as server-sent events, one apiserver watch per stream.
export { type ApiServer, startApiServer } from './server.js';
