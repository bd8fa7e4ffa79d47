// What the manager's process does not load until a feature needs it (docs/decisions/0088-lean-manager-start.md):
// importing `orchestrator run`'s modules from dist/ as bin/orchestrator.js does, with an observing resolve
// hook, loads no module of the REST API's server (loaded when the API starts: src/app/rest-api.ts) and
// none of the packages client-node's KubeConfig needs only for a proxy or a kubeconfig file
// (src/kubeconfig/lazy-deps.ts). A module that must not load names itself in the failure.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { ensureDist, root } from '../../scripts/build.js';

const dist = (path: string) => pathToFileURL(join(root, 'dist', path)).href;

const child = `
import { registerHooks } from 'node:module';
const resolved = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const answer = next(specifier, context);
    resolved.add(answer.url);
    return answer;
  },
});
await import(${JSON.stringify(dist('kubeconfig/register-slim.js'))});
await import(${JSON.stringify(dist('app/index.js'))});
console.log(JSON.stringify([...resolved]));
`;

t.test(
  "the manager's modules load without the REST API's server or client-node's proxy packages",
  async (t) => {
    t.ok(ensureDist(), 'dist/ builds');
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', child], {
      cwd: root,
      encoding: 'utf8',
    });
    t.equal(res.status, 0, `the child exits 0\n${res.stderr}`);
    const urls = JSON.parse(res.stdout) as string[];
    t.ok(
      urls.some((url) => url.endsWith('/dist/app/rest-api.js')),
      'the REST API step was loaded (the check below means something)',
    );
    t.same(
      urls.filter((url) => url.includes('/dist/rest/')),
      [],
      "no module of src/rest: the API's server loads when the API starts",
    );
    t.same(
      urls.filter((url) =>
        /\/client-node\/node_modules\/undici\/|\/node_modules\/(socks-proxy-agent|socks|hpagent|js-yaml)\//.test(
          url,
        ),
      ),
      [],
      "no undici index of client-node's, socks-proxy-agent, socks, hpagent or js-yaml",
    );
  },
);
