// The seeds' "TaskRun reconciled successfully" line (001, Logs), at debug level: one per reconcile that
// acted without a conflict, with the run, its namespace, Job, phase and attempt as the status now says
// (the one just written, else the one read). Transitions have their own info line (act.ts).
import type { Logger } from 'pino';
import type { Run, RunKindName } from '../../api/index.js';
import type { Plan } from './decide.js';

export function logReconciled(logger: Logger, kind: RunKindName, run: Run, plan: Plan): void {
  if (!logger.isLevelEnabled('debug')) return;
  const written = plan.actions.find((a) => a.do === 'writeStatus');
  const status = written?.do === 'writeStatus' ? written.status : run.status;
  logger.debug(
    {
      [kind.toLowerCase()]: run.metadata?.name,
      namespace: run.metadata?.namespace,
      job: status?.jobName,
      phase: status?.phase ?? 'Pending',
      attempt: status?.attempt,
    },
    `${kind} reconciled successfully`,
  );
}
