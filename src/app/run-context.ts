// What the steps of `orchestrator run` (run.ts) share: the options, the logger, the metrics registry, the
// watched inputs and the local environment; once connected, the apiserver's client and the certificate
// files; and the servers started, which readiness.ts checks and shutdown.ts drains and closes.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CertificateFiles } from '../http/index.js';
import type { KubeConfig } from '../kubeconfig/index.js';
import type { ApiServer } from '../rest/index.js';
import type { KubeClient } from '../runtime/index.js';
import type { ServingCertificate, WebhookServer } from '../webhook/index.js';
import type { ModelGateway } from './gateway.js';
import type { LocalEnvironment } from './local.js';
import type { RunOptions } from './options.js';
import type { WatchedInputs } from './watched-inputs.js';

export interface RunProcess {
  opts: RunOptions;
  logger: Logger;
  registry: Registry;
  inputs: WatchedInputs;
  /** Set in local mode: the embedded control plane, its certificates and the manager's credentials. */
  local: LocalEnvironment | undefined;
}

/** The process once it has an apiserver: what every later step needs. */
export interface Connected extends RunProcess {
  kc: KubeConfig;
  client: KubeClient;
  certificates: CertificateFiles;
  /** The serving certificate the operator keeps itself (--webhook-cert-secret), when it does. */
  servingCertificate?: ServingCertificate;
}

/** The servers started so far, each under its readyz check's name; a server not started is absent. */
export interface Servers {
  webhook?: WebhookServer;
  api?: ApiServer;
  gateway?: ModelGateway;
}
