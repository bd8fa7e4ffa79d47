// The Job builder with the model gateway on (docs/security.md "The model gateway"): the agent container
// gets the gateway's URL and what it asks for its attempt's token with; the token itself is in no
// object (issue #73 G6: a value of the Job's spec was readable with the view role).
import t from 'tap';
import { agentOf, config, input, type Json, taskRun } from '../../../test/harness/fakes/job-builder-runs.js';
import { MODEL_TOKEN_AUDIENCE } from '../../gateway/index.js';
import { attemptJob } from './manifests.js';

t.test('with the gateway: the agent alone gets its URL and its credential; no token, no key', async (t) => {
  const cfg = structuredClone(config);
  cfg.gateway = { ...cfg.gateway, enabled: true, url: 'http://orchestrator-gateway.system.svc:8090' };
  const run = taskRun({ limits: { maxBudgetUsd: '2.5' } }, cfg);
  const job = attemptJob(input(run, 2, cfg)) as Json;
  const pod = job.spec.template.spec;
  const agent = agentOf(pod);
  const value = (name: string) => (agent.env as Json[]).find((e) => e.name === name)?.value;
  t.equal(value('ANTHROPIC_BASE_URL'), 'http://orchestrator-gateway.system.svc:8090');
  t.equal(
    value('ORCHESTRATOR_MODEL_TOKEN_URL'),
    'http://orchestrator-gateway.system.svc:8090/orchestrator/v1/model-token',
  );
  t.equal(value('ORCHESTRATOR_MODEL_TOKEN_VARIABLE'), undefined, 'Claude Code asks for its token itself');
  const file = value('ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE') as string;
  const mount = (agent.volumeMounts as Json[]).find((m) => file.startsWith(`${m.mountPath}/`));
  t.ok(mount, "the credential file is in one of the agent's mounts");
  const volume = (pod.volumes as Json[]).find((v) => v.name === mount?.name);
  t.same(volume?.projected?.sources, [
    { serviceAccountToken: { audience: MODEL_TOKEN_AUDIENCE, expirationSeconds: 600, path: 'token' } },
  ]);
  t.notOk(
    (agent.env as Json[]).some((e) => e.name === 'ANTHROPIC_AUTH_TOKEN'),
    'the token is no variable of the Job',
  );
  t.notOk(JSON.stringify(job).includes('orcgw1.'), 'no token anywhere in the Job');
  t.notOk(JSON.stringify(job).includes('ANTHROPIC_API_KEY'), 'no reference to the platform key');
  const others = [...pod.initContainers, ...pod.containers].filter((c: Json) => c.name !== 'agent');
  t.notOk(JSON.stringify(others).includes(mount?.name), 'no other container mounts the credential');
});
