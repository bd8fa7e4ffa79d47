import t from 'tap';
import { ApiError } from '../runtime/index.js';
import type { DoctorCheck, DoctorContext } from './check.js';
import { ok, problem } from './check.js';
import { exitCode, formatFindings, runChecks } from './run.js';

const ctx = {} as DoctorContext;
const check = (name: string, run: DoctorCheck['run']): DoctorCheck => ({ name, description: name, run });

t.test('a check that throws is one error finding; the others still answer', async (t) => {
  const findings = await runChecks(
    [
      check('broken', async () => {
        throw new Error('connection reset');
      }),
      check('fine', async () => [ok('fine', 'all there')]),
    ],
    ctx,
  );
  t.same(
    findings.map((f) => [f.check, f.severity, f.message]),
    [
      ['broken', 'error', 'the check could not run: connection reset'],
      ['fine', 'ok', 'all there'],
    ],
  );
  t.equal(exitCode(findings), 1);
});

t.test('warnings alone exit 0; each fix printed under its finding', async (t) => {
  const findings = [ok('a', 'fine'), problem('b', 'warning', 'expires soon', 'renew it')];
  t.equal(exitCode(findings), 0);
  t.equal(formatFindings(findings), '[ok] a: fine\n[WARN] b: expires soon\n        fix: renew it\n');
  t.equal(exitCode([problem('c', 'error', 'missing', 'create it')]), 1);
  t.equal(exitCode(findings, 'warning'), 1, '--fail-on warning: a warning fails too');
  t.equal(exitCode([ok('a', 'fine')], 'warning'), 0);
});

t.test(
  "at a manager's start, a check RBAC forbids it is skipped; from the command it is an error",
  async (t) => {
    const forbidden = check('crds', async () => {
      throw new ApiError(403, 'Forbidden', 'customresourcedefinitions is forbidden');
    });
    t.same(await runChecks([forbidden], { atStart: true } as DoctorContext), []);
    t.equal((await runChecks([forbidden], { atStart: false } as DoctorContext))[0]?.severity, 'error');
  },
);
