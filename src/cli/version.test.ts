// `orchestrator version`: the CLI's own version offline, and what it says of the manager Deployments it
// finds (test/integration/cli-install.test.ts asks a real cluster).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { packageRoot } from '../util/index.js';
import { main } from './main.js';
import { MANAGER_SELECTOR, managerLines } from './version.js';

t.test('--client: the package version, no cluster asked', async (t) => {
  const io = memoryIO();
  // A kubeconfig that does not exist: asked, it would fail.
  const code = await main(
    ['node', 'orchestrator', 'version', '--client', '--kubeconfig', '/nonexistent'],
    io,
  );
  t.equal(code, 0, io.stderr());
  const { version } = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8'));
  t.equal(io.stdout(), `Client Version: ${version}\n`);
});

t.test('each manager Deployment: where, its manager image, its ready replicas', async (t) => {
  const deployment = (namespace: string, ready: number | undefined, image: string) => ({
    metadata: { name: 'orchestrator', namespace },
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'sidecar', image: 'other' },
            { name: 'manager', image },
          ],
        },
      },
    },
    status: ready === undefined ? {} : { readyReplicas: ready },
  });
  t.same(
    managerLines([
      deployment('orchestrator-system', 2, 'ghcr.io/acme/orchestrator:0.1.0'),
      deployment('team-b', undefined, 'orchestrator:dev'),
    ]),
    [
      'Manager: orchestrator-system/orchestrator ghcr.io/acme/orchestrator:0.1.0 (2/2 ready)',
      'Manager: team-b/orchestrator orchestrator:dev (0/2 ready)',
    ],
  );
  t.same(managerLines([]), [`Manager: none found (no Deployment labelled ${MANAGER_SELECTOR})`]);
});
