// The README's test command installs the Debian packages the suites need (scripts/system-packages.js):
// on a machine without them, it names each package and the command that installs it. Shown with an
// empty PATH, so that nothing is found and apt-get itself cannot run: nothing is installed here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/package-root.js';

t.test('a machine without the packages is told which, and how to install them', async (t) => {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'scripts', 'system-packages.js')], {
    encoding: 'utf8',
    env: { PATH: '/nonexistent' },
  });
  t.equal(r.status, 1, r.stderr);
  for (const pkg of [
    'shellcheck',
    'prometheus',
    'mmdebstrap',
    'squid',
    'containerd',
    'runc',
    'iptables',
    'buildah',
  ])
    t.match(r.stderr, new RegExp(`apt-get install -y --no-install-recommends [a-z0-9 -]*\\b${pkg}\\b`), pkg);
});

t.test('on this machine (as CI prepares it) nothing is missing', async (t) => {
  const r = spawnSync(process.execPath, [join(packageRoot(), 'scripts', 'system-packages.js')], {
    encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /every Debian package the tests need is installed/);
});
