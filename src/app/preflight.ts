// What `orchestrator run` checks before it serves anything when it runs against a cluster it did not
// make (KUBECONFIG, --kubeconfig, in-cluster): that the webhooks' certificate is there, that the
// CRDs are installed and that the Lease's namespace exists. Each problem is one line naming its fix,
// as kubebuilder's `make run` / `make install` and Pepr's `pepr dev` say it; otherwise a missing
// certificate ended the process with a bare ENOENT, and a missing namespace had the leader elector
// retry every few seconds for ever (docs/install.md, "Running from source against a cluster").
// Only a definite answer is a problem: an apiserver that cannot be reached, or a check RBAC forbids,
// is left to the retries that follow.
import { accessSync, constants } from 'node:fs';
import { crdName, RUN_KIND_NAMES, runResource } from '../api/index.js';
import { type ApiRequester, isForbidden, isNotFound } from '../runtime/index.js';

export interface PreflightInput {
  /** The webhooks' certificate and key. */
  certFile: string;
  keyFile: string;
  /** The webhook port, for the command that registers them. */
  webhookPort: number;
  /** The Lease's namespace and name; none without leader election. */
  lease?: { namespace: string; name: string };
}

const readable = (file: string): boolean => {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first thing that keeps this process from serving against the cluster, as one line; or undefined. */
export async function preflight(client: ApiRequester, input: PreflightInput): Promise<string | undefined> {
  const missing = [input.certFile, input.keyFile].filter((f) => !readable(f));
  if (missing.length > 0) {
    const dir = input.certFile.replace(/\/[^/]*$/, '') || '.';
    return (
      `no webhook certificate (${missing.join(', ')} cannot be read). To run this manager outside the ` +
      `cluster it serves: orchestrator certs --out ${dir} --ip <this host's IP> && orchestrator install ` +
      `--webhook-url https://<this host's IP>:${input.webhookPort} --ca-file ${dir}/ca.crt, then ` +
      `orchestrator run --cert-dir ${dir}; or deploy it into the cluster (kubectl apply -k config/default)`
    );
  }
  for (const kind of RUN_KIND_NAMES) {
    const { group, version, plural } = runResource(kind);
    try {
      await client.request('GET', `/apis/${group}/${version}/${plural}`, {
        query: { limit: '1' },
        discardAnswer: true,
      });
    } catch (err) {
      if (isNotFound(err))
        return `the CRD ${crdName(kind)} is not installed in this cluster: run orchestrator install (CRDs, namespace, RBAC, webhooks), or kubectl apply -k config/default`;
      if (!isForbidden(err)) return undefined;
    }
  }
  if (input.lease) {
    const { namespace, name } = input.lease;
    // A dry-run create: the leader elector's own permission, and the only call that tells a missing
    // namespace (404 on the namespace) from a missing Lease.
    try {
      await client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
        query: { dryRun: 'All' },
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace } },
        discardAnswer: true,
      });
    } catch (err) {
      if (isNotFound(err))
        return `the namespace ${namespace}, where the leader election Lease ${name} lives, does not exist: run orchestrator install, or kubectl create namespace ${namespace}, or choose another with --leader-election-namespace`;
    }
  }
  return undefined;
}
