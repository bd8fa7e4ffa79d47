// The webhooks called for real: a TaskRun created with dryRun=All in a namespace of runs goes through
// the apiserver's whole admission chain, so a wrong caBundle, an expired or mismatched serving
// certificate, a Service with no route to the pod or a NetworkPolicy in the way each shows here as the
// apiserver's own words ("failed calling webhook ... x509: ..."). Nothing is stored. Not at a manager's
// start: its own webhooks are not serving yet.
import { ApiError, isForbidden } from '../runtime/index.js';
import { type DoctorCheck, ok, problem } from './check.js';

const NAME = 'webhook-call';
const PROBE_NAME = 'orchestrator-doctor-probe';

const probeRun = (namespace: string) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: PROBE_NAME, namespace },
  spec: {
    taskId: 1,
    serviceName: 'doctor',
    repository: { url: 'https://github.com/example/doctor.git' },
    markdownFiles: [{ filename: 'task.md', content: 'a dry run by orchestrator doctor\n' }],
  },
});

/** What the mutating webhook adds (docs/design.md §5): absent, it did not see the run. */
const defaulted = (run: { spec?: { image?: unknown } }) => run.spec?.image !== undefined;

export const webhookCallCheck: DoctorCheck = {
  name: NAME,
  description: 'the apiserver reaches the webhooks (a TaskRun created with dryRun=All)',
  async run(ctx) {
    if (ctx.atStart) return [];
    const namespace = ctx.runNamespaces[0] ?? 'default';
    try {
      const created = await ctx.client.request<{ spec?: { image?: unknown } }>(
        'POST',
        `/apis/orchestrator.io/v1/namespaces/${namespace}/agenttaskruns`,
        { query: { dryRun: 'All' }, body: probeRun(namespace) },
      );
      if (!defaulted(created))
        return [
          problem(
            NAME,
            'warning',
            `a TaskRun in ${namespace} was admitted without the mutating webhook's defaults: its namespaceSelector or objectSelector leaves ${namespace} out`,
            'kubectl get mutatingwebhookconfiguration orchestrator-mutating -o yaml',
          ),
        ];
      return [ok(NAME, `the apiserver called the webhooks for a TaskRun in ${namespace} (dry run)`)];
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (/failed calling webhook/i.test(err.message))
        return [
          problem(
            NAME,
            'error',
            `the apiserver cannot call the webhooks: ${err.message}`,
            `a certificate error means the caBundle is not the CA of the serving certificate, or either expired: orchestrator install again (--ca-file with the CA that signed the server's certificate), or have cert-manager issue it again (kubectl -n ${ctx.namespace} delete secret orchestrator-webhook-tls); a timeout or refused connection: the webhooks check above names the Service and pods`,
          ),
        ];
      if (/denied the request/i.test(err.message))
        return [ok(NAME, `the webhooks answered a TaskRun in ${namespace} (dry run): ${err.message}`)];
      if (isForbidden(err))
        return [
          problem(
            NAME,
            'warning',
            `could not try the webhooks: you may not create TaskRuns in ${namespace}`,
            `orchestrator doctor -n <a namespace where you may create runs>`,
          ),
        ];
      throw err;
    }
  },
};
