// A test reconciler with real API writes: it mirrors each source ConfigMap `x` into `x-mirror`, owned
// by `x` (controller reference), and records when each reconcile starts and ends so that tests can
// prove two processes never reconciled one key at once. The annotation `runtime.test/delay-ms` on a
// source makes its reconciles slow, which lets a test catch a reconcile in flight.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  CONFIGMAPS,
  Controller,
  Informer,
  type KubeClient,
  type KubeObject,
  mapToControllerOwner,
  mapToSelf,
  type ReconcileContext,
  type Reconciler,
  type Request,
  requestKey,
} from '../../../src/runtime/index.js';
import { ignore404 } from '../util/api-errors.js';

export const ROLE_LABEL = 'runtime.test/mirror';
export const DELAY_ANNOTATION = 'runtime.test/delay-ms';

export interface RecordEntry {
  pid: number;
  identity: string;
  key: string;
  phase: 'start' | 'end';
  /** Epoch ms with sub-ms precision (one machine, so comparable across processes). */
  at: number;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export class MirrorReconciler implements Reconciler {
  constructor(
    private readonly client: KubeClient,
    private readonly sources: Informer,
    private readonly copies: Informer,
    private readonly record: (entry: Omit<RecordEntry, 'pid' | 'identity' | 'at'>) => void,
  ) {}

  async reconcile(request: Request, ctx: ReconcileContext): Promise<void> {
    const key = requestKey(request);
    this.record({ key, phase: 'start' });
    try {
      await this.mirror(request, ctx);
    } finally {
      this.record({ key, phase: 'end' });
    }
  }

  private async mirror({ namespace, name }: Request, { signal }: ReconcileContext): Promise<void> {
    const source = this.sources.store.get(namespace, name) as ConfigMap | undefined;
    const delay = Number(source?.metadata?.annotations?.[DELAY_ANNOTATION] ?? 0);
    if (delay > 0) await sleep(delay, undefined, { signal });
    const copyName = `${name}-mirror`;
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const existing = this.copies.store.get(namespace, copyName) as ConfigMap | undefined;
    if (!source) {
      // No garbage collector in every test cluster: remove the orphan ourselves.
      if (existing) await this.client.request('DELETE', `${path}/${copyName}`, { signal }).catch(ignore404);
      return;
    }
    const data = source.data ?? {};
    if (!existing) {
      await this.client.request('POST', path, {
        signal,
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: copyName,
            namespace,
            labels: { [ROLE_LABEL]: 'copy' },
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                name,
                uid: source.metadata?.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          data,
        },
      });
    } else if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(data)) {
      await this.client.request('PUT', `${path}/${copyName}`, { signal, body: { ...existing, data } });
    }
  }
}

/** The informers and controller of the mirror, wired as a real operator would wire its own. */
export function mirrorController(opts: {
  client: KubeClient;
  namespace: string;
  registry: Registry;
  logger: Logger;
  identity: string;
  recordFile?: string;
  staleAfterMs?: number;
}): { informers: Informer[]; controller: Controller } {
  const informer = (role: string) =>
    new Informer({
      client: opts.client,
      resource: CONFIGMAPS,
      namespace: opts.namespace,
      labelSelector: `${ROLE_LABEL}=${role}`,
      logger: opts.logger,
      ...(opts.staleAfterMs ? { staleAfterMs: opts.staleAfterMs } : {}),
    });
  const sources = informer('source');
  const copies = informer('copy');
  const record = (entry: Omit<RecordEntry, 'pid' | 'identity' | 'at'>) => {
    if (!opts.recordFile) return;
    // Synchronous, so that a SIGKILL cannot lose a line that was written.
    const line: RecordEntry = { pid: process.pid, identity: opts.identity, at: now(), ...entry };
    appendFileSync(opts.recordFile, `${JSON.stringify(line)}\n`);
  };
  const controller = new Controller({
    name: 'mirror',
    reconciler: new MirrorReconciler(opts.client, sources, copies, record),
    registry: opts.registry,
    logger: opts.logger,
    maxConcurrentReconciles: 2,
  })
    .watch(sources, mapToSelf)
    .watch(copies, mapToControllerOwner({ group: '', kind: 'ConfigMap' }));
  return { informers: [sources, copies], controller };
}
