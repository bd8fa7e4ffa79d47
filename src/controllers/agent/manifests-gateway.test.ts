// The Job builder with the model gateway on (docs/economics.md "The model gateway"), and the actor's
// stamp of the attempt's token into it.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  agentOf,
  config,
  input,
  JOB,
  type Json,
  taskRun,
} from '../../../test/harness/fakes/job-builder-runs.js';
import { verifyAttemptToken } from '../../gateway/attempt-token.js';
import { tokenStamper } from '../../gateway/stamp.js';
import { attemptJob } from './manifests.js';

t.test(
  'with the gateway: the agent alone gets its URL and the attempt token, and no pod the key',
  async (t) => {
    const cfg = structuredClone(config);
    cfg.gateway = { ...cfg.gateway, enabled: true, url: 'http://orchestrator-gateway.system.svc:8090' };
    const run = taskRun({ limits: { maxBudgetUsd: '2.5' } }, cfg);
    const built = attemptJob(input(run, 2, cfg)) as Json;
    const key = randomBytes(32);
    const job = tokenStamper(() => key)({ job: built, kind: 'TaskRun', run, attempt: 2 }) as Json;
    const pod = job.spec.template.spec;
    const agent = agentOf(pod).env as Json[];
    const value = (name: string) => agent.find((e) => e.name === name)?.value;
    t.equal(value('ANTHROPIC_BASE_URL'), 'http://orchestrator-gateway.system.svc:8090');
    t.same(verifyAttemptToken(key, value('ANTHROPIC_AUTH_TOKEN')), {
      namespace: 'ns',
      kind: 'TaskRun',
      run: 'pay-7',
      uid: 'u-1',
      attempt: 2,
      job: JOB,
      maxBudgetMicros: 2_500_000,
    });
    t.notOk(JSON.stringify(job).includes('ANTHROPIC_API_KEY'), 'no reference to the platform key');
    const others = [...pod.initContainers, ...pod.containers].filter((c: Json) => c.name !== 'agent');
    t.notOk(JSON.stringify(others).includes('ANTHROPIC_AUTH_TOKEN'), 'no other container gets the token');
    t.equal(
      (agentOf(built.spec.template.spec).env as Json[]).find((e) => e.name === 'ANTHROPIC_AUTH_TOKEN')?.value,
      '',
      'the builder stays pure: the actor stamps the token',
    );
    t.equal(tokenStamper(() => undefined)({ job: built, kind: 'TaskRun', run, attempt: 2 }), undefined);
  },
);
