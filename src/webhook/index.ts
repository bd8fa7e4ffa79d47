// The admission webhook transport: the HTTPS server the apiserver calls, AdmissionReview in and out, a
// mutating and a validating endpoint per kind, their metrics and spans, and the configurations registered
// for local use (docs/design.md §7, §13; docs/decisions/0014-reviews-without-koa.md). What is decided is src/admission's.
// - ca-injection.ts: the self-managed certificate's CA written into the operator's own webhook
//   configurations, never into another's.
// - endpoint.ts: one endpoint as a request handler: the hot path, bound once per route.
// - handlers.ts: every kind's endpoints, wired to defaulting and validation.
// - install.ts: the configurations of webhooks/ registered for a server reached by URL (local, tests).
// - metrics.ts: controller-runtime's webhook metrics, counted in plain fields.
// - review-spans.ts: a span per review, in the run's trace.
// - review.ts: the AdmissionReview wire format (v1, v1beta1), strict enough that bad input is a 400.
// - serving-certificate.ts: the serving certificate the operator issues and rotates itself when no
//   cert-manager does: its Secret kept by every replica with optimistic concurrency, the files written.
// - server.ts: the server: a Map lookup to an endpoint, koa for everything else; with a client CA, only
//   callers with its certificates (the apiserver) get through TLS.
// - user-info.ts: the requester's userInfo bounded by what an apiserver sends (a 400 past it).

export { type InjectionTarget, injectionTarget } from './ca-injection.js';
export { admissionRoutes } from './handlers.js';
export { installLocalWebhooks, localConfigurations } from './install.js';
export type { WebhookServer } from './server.js';
export { startWebhookServer } from './server.js';
export { ServingCertificate } from './serving-certificate.js';
