import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

/** Writes an admin kubeconfig (CA embedded, bearer token) and returns its path. */
export function writeKubeconfig(path: string, server: string, caPem: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'orchestrator-local',
        cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [
      {
        name: 'orchestrator-local',
        context: { cluster: 'orchestrator-local', user: 'admin', namespace: 'default' },
      },
    ],
    'current-context': 'orchestrator-local',
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
