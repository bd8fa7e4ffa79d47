// Small helpers with no dependency, each too small to be a folder's concept.
// - free-port.ts: a loopback port that was free a moment ago.
// - grouped-map.ts: values by key kept in groups, read a group at a time.
// - json.ts: guards for JSON of unknown shape, one place for "is this an object"; objects without
//   their undefined members.
// - package-root.ts: the package root, found from src/ and dist/ alike.
// - quantity.ts: Kubernetes quantities (500m, 2Gi) parsed exactly and compared.
// - redact.ts: credential shapes cut out of the text the operator copies from an agent's pod.
// - text.ts: the last lines of a file, for errors that point at a log.
// - version.ts: this package's version, read from package.json.
export { freePort } from './free-port.js';
export { GroupedMap } from './grouped-map.js';
export { asObject, definedFields, isPlainObject } from './json.js';
export { findPackageRoot, packageRoot } from './package-root.js';
export { compareQuantities, parseQuantity, type Quantity } from './quantity.js';
export { REDACTED, redactSecrets } from './redact.js';
export { tailFile } from './text.js';
export { packageVersion } from './version.js';
