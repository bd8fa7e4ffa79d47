import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/index.js';
import { requiredRelease, versionStamp } from './version-stamp.js';

const moduleWith = (goMod: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'version-stamp-'));
  writeFileSync(join(dir, 'go.mod'), goMod);
  return dir;
};

t.test("the control plane's module says the Kubernetes release it reports", async (t) => {
  const flags = versionStamp(join(packageRoot(), 'cluster', 'control-plane'), 'k8s.io/kubernetes');
  const version = /gitVersion=(v\d+\.\d+\.\d+)$/.exec(flags.find((f) => f.includes('gitVersion=')) ?? '');
  t.ok(version, 'a release version');
  t.ok(flags.includes(`-X k8s.io/component-base/version.gitMinor=${version?.[1]?.split('.')[1]}`));
});

t.test('a requirement on its own require line or in a block; another module is not it', async (t) => {
  const block = moduleWith(
    'module x\n\nrequire (\n\tk8s.io/kubernetes-extra v9.9.9\n\tk8s.io/kubernetes v1.35.4\n)\n',
  );
  t.same(versionStamp(block, 'k8s.io/kubernetes'), [
    '-X k8s.io/component-base/version.gitVersion=v1.35.4',
    '-X k8s.io/component-base/version.gitMajor=1',
    '-X k8s.io/component-base/version.gitMinor=35',
    '-X k8s.io/component-base/version.gitTreeState=clean',
  ]);
  const line = moduleWith('module x\nrequire k8s.io/kubernetes v1.34.0\n');
  t.ok(
    versionStamp(line, 'k8s.io/kubernetes').includes('-X k8s.io/component-base/version.gitVersion=v1.34.0'),
  );
  t.same(versionStamp(moduleWith('module x\n'), 'k8s.io/kubernetes'), [], 'none for a module without it');
  t.throws(
    () => requiredRelease(moduleWith('module x\n'), 'k8s.io/kubernetes'),
    /requires no k8s.io\/kubernetes/,
  );
});

t.test("a pre-release and a comment; an exclude block's line is not a requirement", async (t) => {
  const dir = moduleWith(
    'module x\nexclude (\n\tk8s.io/kubernetes v1.0.0\n)\nrequire (\n\tk8s.io/kubernetes v1.36.0-rc.1 // indirect\n)\n',
  );
  t.ok(
    versionStamp(dir, 'k8s.io/kubernetes').includes(
      '-X k8s.io/component-base/version.gitVersion=v1.36.0-rc.1',
    ),
  );
});
