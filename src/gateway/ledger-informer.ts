// The ledger as a replica runs it (src/app/gateway.ts; bench:gateway's scale mode): KubeLedger over a
// watch of the operator namespace's ledger ConfigMaps, its first list cached before the ledger answers.
import type { Logger } from 'pino';
import { CONFIGMAPS, Informer, type KubeClient } from '../runtime/index.js';
import { KubeLedger } from './kube-ledger.js';
import { LEDGER_SELECTOR } from './ledger-record.js';

/**
 * How often at most a replica writes one attempt's record: the apiserver's writes are one per attempt
 * per second at most, and a call's reservation is held up to this much longer (until its record is
 * written). What a killed replica had not written is bounded by it (docs/economics.md).
 */
export const LEDGER_WRITE_EVERY_MS = 1_000;

export interface RunningLedger {
  ledger: KubeLedger;
  /** Stops the writes' retries and the watch. */
  stop(): Promise<void>;
}

export async function startKubeLedger(opts: {
  client: KubeClient;
  namespace: string;
  logger: Logger;
  onPruneError?: (err: Error) => void;
  onWriteRetry?: (err: Error, record: string) => void;
}): Promise<RunningLedger> {
  const { client, namespace, logger } = opts;
  const records = new Informer({
    client,
    logger,
    resource: CONFIGMAPS,
    namespace,
    labelSelector: LEDGER_SELECTOR,
  });
  records.start();
  await records.synced;
  const ledger = new KubeLedger({
    client,
    namespace,
    records,
    writeEveryMs: LEDGER_WRITE_EVERY_MS,
    ...(opts.onPruneError ? { onPruneError: opts.onPruneError } : {}),
    ...(opts.onWriteRetry ? { onWriteRetry: opts.onWriteRetry } : {}),
  });
  return {
    ledger,
    stop: () => {
      ledger.stop();
      return records.stop();
    },
  };
}
