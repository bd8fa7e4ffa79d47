// The checks `orchestrator doctor` runs, in the order a first install meets the problems: the API
// first (nothing else works without the CRDs), the manager's permissions, the webhooks, then what each
// run needs. The one list: a new check is added here and both the command and the manager's start run it.
import { agentImageCheck } from './agent-image.js';
import { appInstallationsCheck } from './app-installations.js';
import { appKeysCheck } from './app-keys.js';
import type { DoctorCheck } from './check.js';
import { crdNamesCheck } from './crd-names.js';
import { crdsCheck } from './crds.js';
import { modelKeyCheck } from './model-key.js';
import { networkPolicyCheck } from './network-policy.js';
import { protectionsCheck } from './protections.js';
import { rbacCheck } from './rbac.js';
import { sandboxCheck } from './sandbox.js';
import { webhookCallCheck } from './webhook-call.js';
import { webhookConfigCheck } from './webhook-config.js';

export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  crdsCheck,
  crdNamesCheck,
  rbacCheck,
  webhookConfigCheck,
  webhookCallCheck,
  modelKeyCheck,
  appKeysCheck,
  appInstallationsCheck,
  sandboxCheck,
  networkPolicyCheck,
  agentImageCheck,
  protectionsCheck,
];
