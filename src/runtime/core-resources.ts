// The built-in resources the operator makes and follows, as the runtime's ResourceType: one place for
// their group, version, plural and kind (controllers, CLI and tests derive every path from these).
import type { ResourceType } from './kube-client.js';
import type { KubeObject } from './object.js';

export const JOBS: ResourceType = { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' };
export const CONFIGMAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const PVCS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
};
export const EVENTS: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event' };
export const SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };

/** A core/v1 Event, typed as far as the operator writes and reads one. */
export interface CoreEvent extends KubeObject {
  involvedObject?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string };
  type?: string;
  reason?: string;
  message?: string;
  source?: { component?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  count?: number;
}
