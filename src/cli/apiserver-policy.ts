// The `orchestrator-agent-apiserver` NetworkPolicy of a namespace of runs, from the apiserver's
// addresses as this cluster has them (src/egress/apiserver-policy.ts): read by `egress manifests -n`,
// which prints it, and by `install`, which applies it with the agent sandbox.
import { APISERVER_SERVICE, apiserverPolicy, ENDPOINT_SLICE_SERVICE_LABEL } from '../egress/index.js';
import type { KubeObject } from '../runtime/index.js';
import type { Connection } from './kube.js';

export async function readApiserverPolicy(conn: Connection, namespace: string): Promise<KubeObject> {
  const { namespace: ns, name } = APISERVER_SERVICE;
  const service = await conn.client.request<KubeObject>('GET', `/api/v1/namespaces/${ns}/services/${name}`);
  const selector = encodeURIComponent(`${ENDPOINT_SLICE_SERVICE_LABEL}=${name}`);
  const slices = await conn.client.request<{ items?: KubeObject[] }>(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${selector}`,
  );
  return apiserverPolicy(namespace, service, slices.items ?? []);
}
