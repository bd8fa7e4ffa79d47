// The checks run one after another (each asks the apiserver a handful of questions; in parallel they
// would only compete for its rate limit), a check that throws becoming one error finding of its own, so
// one broken check never hides the others' answers.
import { isForbidden } from '../runtime/index.js';
import type { DoctorCheck, DoctorContext, DoctorFinding } from './check.js';

export async function runChecks(
  checks: readonly DoctorCheck[],
  ctx: DoctorContext,
): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = [];
  for (const check of checks) {
    try {
      findings.push(...(await check.run(ctx)));
    } catch (err) {
      // A starting manager may not read everything a user's doctor does (CRDs, webhook
      // configurations): what config/rbac does not grant it is not its question.
      if (ctx.atStart && isForbidden(err)) continue;
      findings.push({
        check: check.name,
        severity: 'error',
        message: `the check could not run: ${(err as Error).message}`,
        fix: 'check the connection to the cluster and the permissions of the user running doctor',
      });
    }
  }
  return findings;
}

/**
 * Non-zero when any finding is an error (or, with `failOn` warning, a warning too): a script or CI step
 * stops there.
 */
export const exitCode = (
  findings: readonly DoctorFinding[],
  failOn: 'error' | 'warning' = 'error',
): number =>
  findings.some((f) => f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning')) ? 1 : 0;

const MARK = { ok: 'ok', warning: 'WARN', error: 'ERROR' } as const;

/** One line per finding, its fix indented under it. */
export function formatFindings(findings: readonly DoctorFinding[]): string {
  return findings
    .map((f) => `[${MARK[f.severity]}] ${f.check}: ${f.message}\n${f.fix ? `        fix: ${f.fix}\n` : ''}`)
    .join('');
}
