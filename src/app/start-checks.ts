// The doctor's checks at a manager's start (src/doctor), logged once: an error per problem with its fix,
// so `kubectl logs` of a manager that does nothing useful says why. The manager asks about itself
// (SelfSubjectAccessReview), and skips what it may not read (the runs' Secrets) and its own webhooks,
// which are not serving yet.
import type { Logger } from 'pino';
import type { ControllerConfig } from '../api/index.js';
import { DOCTOR_CHECKS, runChecks } from '../doctor/index.js';
import type { ApiRequester } from '../runtime/index.js';
import { doctorContext, reviewSelf, runNamespacesOf } from './doctor-context.js';
import type { Connected } from './run-context.js';

export async function logStartChecks(
  client: ApiRequester,
  config: ControllerConfig,
  namespace: string,
  logger: Logger,
): Promise<void> {
  try {
    const ctx = doctorContext({
      client,
      config,
      namespace,
      runNamespaces: runNamespacesOf(config, []),
      can: reviewSelf(client),
      atStart: true,
    });
    const findings = await runChecks(DOCTOR_CHECKS, ctx);
    const problems = findings.filter((f) => f.severity !== 'ok');
    for (const f of problems)
      logger[f.severity === 'error' ? 'error' : 'warn']({ check: f.check, fix: f.fix }, f.message);
    logger.info({ problems: problems.length }, 'start checks done (orchestrator doctor runs them on demand)');
  } catch (err) {
    logger.warn({ err }, 'start checks could not run');
  }
}

/**
 * Against a cluster we did not make: never awaited nor fatal, since a missing key or binding is the
 * user's to fix, and the process serves what it can meanwhile.
 */
export function startChecks(proc: Connected): void {
  if (!proc.local)
    void logStartChecks(proc.client, proc.inputs.config.current(), proc.opts.namespace, proc.logger);
}
