// What runControllers (run-controllers.ts) is given: the client, the config and templates, the scope,
// and the optional features' collaborators (the model gateway, GitHub).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig } from '../api/index.js';
import type { PullRequestComments, PullRequestReports, TaskMarkers } from '../github/index.js';
import type { TemplateSet } from '../render/index.js';
import type { KubeClient, NamespaceScope } from '../runtime/index.js';
import type { Seal } from './provenance/index.js';

export interface RunControllersOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: () => ControllerConfig;
  templates: () => TemplateSet;
  /**
   * Seals the Jobs and ConfigMaps the reconcilers make, under the operator's signing key: only those
   * are a run's (decision 0069).
   */
  seal: Seal;
  /** The namespaces whose runs are reconciled, fixed here. Default: every namespace. */
  scope?: NamespaceScope;
  /** Shorthand for a scope of this one namespace. */
  namespace?: string;
  /** Reconciles of different runs at once, per kind. Default 4. */
  maxConcurrentReconciles?: number;
  /**
   * With the model gateway (config gateway; src/gateway): the namespace of its ledger, which the runs'
   * usage and the budgets are then read from.
   */
  gateway?: { ledgerNamespace: string };
  /**
   * With the App keys: where the refusals of App runs are said on their pull requests (egress on), and
   * the stages of Argo Workflows (decision 0056).
   */
  pullRequestComments?: PullRequestComments & PullRequestReports;
  /** GitHub's task markers, read for the plays' task association (decision 0057). Default: unchecked. */
  taskMarkers?: TaskMarkers;
}
