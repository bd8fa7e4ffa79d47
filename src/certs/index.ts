// Certificates the operator makes itself: a CA and webhook serving certificates for local runs and kind
// clusters, an envtest cluster's keys (src/cluster/envtest.ts), and the webhook certificate an install
// without cert-manager gets from the operator (src/webhook/serving-certificate.ts keeps its Secret).
// - authority.ts: a CA, new or loaded from PEM, that issues serving certificates; service-account keys.
// - dev.ts: the development CA and webhook certificate written to files (`orchestrator certs`, local mode).
// - pem.ts: the certificates of a PEM bundle (a caBundle, a ca.crt).
// - secret-volume.ts: files swapped into a directory at once, as the kubelet writes a Secret volume.
// - serving-secret.ts: what a self-managed certificate's Secret should hold: kept, renewed before expiry,
//   the CA rotated with the previous one still trusted.
export { createAuthority, loadAuthority, serviceAccountKeys } from './authority.js';
export { type CertsOptions, writeDevCertificates } from './dev.js';
export { pemBundle, pemCertificates } from './pem.js';
export { writeSecretVolume } from './secret-volume.js';
export {
  DEFAULT_SERVING_POLICY,
  type Renewal,
  renewServingSecret,
  type ServingPolicy,
  type ServingSecretData,
  type ServingSubject,
} from './serving-secret.js';
