// The self-managed webhook certificate's step (src/webhook/serving-certificate.ts): its first pass is
// made before any server starts, since they serve its files, and retried for a while (the apiserver may
// not answer yet when a pod starts); past that the process ends with the reason, and the pod restarts.
// Then it is kept in the background.
import { backoffDelay, type KubeClient } from '../runtime/index.js';
import { ServingCertificate } from '../webhook/index.js';
import type { Connected, RunProcess } from './run-context.js';

/** How long the first pass is retried before the process gives up. */
const FIRST_PASS_MS = 60_000;
const RETRY = { initialMs: 500, maxMs: 10_000, jitter: 0.2 };

export async function keepServingCertificate(
  proc: RunProcess,
  client: KubeClient,
): Promise<ServingCertificate | undefined> {
  const { opts, logger } = proc;
  if (!opts.selfManagedCertificate) return undefined;
  const certificate = new ServingCertificate({
    client,
    namespace: opts.namespace,
    ...opts.selfManagedCertificate,
    ...(opts.certDir ? { certDir: opts.certDir } : {}),
    logger,
  });
  const deadline = Date.now() + FIRST_PASS_MS;
  for (let failures = 0; ; failures++) {
    try {
      await certificate.reconcile();
      break;
    } catch (err) {
      const message = (err as Error).message;
      if (Date.now() > deadline) throw new Error(`the webhook certificate could not be issued: ${message}`);
      logger.warn({ err: message }, 'webhook certificate not issued yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures, RETRY)));
    }
  }
  certificate.start();
  return certificate;
}

/** Its background passes stopped, as the process stops. */
export function stopServingCertificate(proc: Connected): void {
  proc.servingCertificate?.stop();
}
