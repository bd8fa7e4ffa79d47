// Certificates the operator makes itself, for development only: a CA and webhook serving certificates
// for local runs and kind clusters, and an envtest cluster's keys (src/cluster/envtest.ts). Production
// uses cert-manager (config/cert-manager); the tooling and docs around these files are in certs/.
// - authority.ts: a CA that issues serving certificates, and service-account signing keys.
// - dev.ts: the development CA and webhook certificate written to files (`orchestrator certs`, local mode).
export { createAuthority, serviceAccountKeys } from './authority.js';
export { type CertsOptions, writeDevCertificates } from './dev.js';
