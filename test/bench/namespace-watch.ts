// One resource of one namespace watched through the runtime's Informer, each add and update handed to
// a callback: how the scale benchmark follows runs, Jobs and pods without polling.
import pino from 'pino';
import { Informer, type KubeClient, type KubeObject, type ResourceType } from '../../src/runtime/index.js';

export interface NamespaceWatch {
  /** Every object seen so far, by name (the informer's view). */
  list(): KubeObject[];
  stop(): Promise<void>;
}

const logger = pino({ level: 'silent' });

/** Watches `resource` in `namespace` (optionally a label selector); resolves once the first list is in. */
export async function watchNamespace(
  client: KubeClient,
  resource: ResourceType,
  namespace: string,
  onObject: (obj: KubeObject) => void,
  labelSelector?: string,
): Promise<NamespaceWatch> {
  const informer = new Informer({
    client,
    logger,
    resource,
    namespace,
    ...(labelSelector ? { labelSelector } : {}),
  });
  informer.addHandler({ onAdd: onObject, onUpdate: (_, obj) => onObject(obj) });
  informer.start();
  await informer.synced;
  return { list: () => informer.list(), stop: () => informer.stop() };
}
