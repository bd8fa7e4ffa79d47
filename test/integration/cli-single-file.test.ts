// The CLI as one file (scripts/build-cli.js, docs/cli.md "One file"), built as `npm run build:cli`
// builds it and run where the PATH's `node` is not the one it needs: its version, `kubectl
// orchestrator` found by kubectl's plugin discovery and talking to the cluster, its package unpacked
// once per build (two first runs at once included), and the release's archive, krew manifest and
// Homebrew formula naming that archive by its checksum.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { packageRoot } from '../../src/util/package-root.js';
import { packageVersion } from '../../src/util/version.js';
import { runCommand, testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';

t.setTimeout(20 * 60_000);
const root = packageRoot();
const version = packageVersion();
const work = mkdtempSync(join(tmpdir(), 'cli-single-file-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const out = join(work, 'out');
const built = await runCommand(
  [process.execPath, join(root, 'scripts', 'build-cli.js'), `--out=${out}`],
  undefined,
  15 * 60_000,
);
if (built.code !== 0) throw new Error(`build-cli failed: ${built.stderr}`);
const binary = join(out, 'orchestrator-linux-x64');
const cluster = await testCluster();
await ensureCrds(cluster);

/** A PATH of `bin` and the machine's own programs, the user's cache in `cache`. */
function run(args: string[], bin: string, cache: string) {
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: work,
    XDG_CACHE_HOME: cache,
    KUBECONFIG: cluster.kubeconfig,
  };
  return runCommand(args, undefined, 120_000, env);
}

/** Where the `node` of the plugin's PATH writes when it is run: it must never be. */
const nodeRan = join(work, 'node-ran');

/**
 * A folder with the executable as kubectl's plugin, kubectl (the cluster's) beside it, and a `node`
 * that fails, saying it ran, so that a run that used the PATH's Node would show.
 */
function pluginPath(): string {
  const bin = mkdtempSync(join(work, 'bin-'));
  writeFileSync(join(bin, 'node'), `#!/bin/sh\necho "$@" >> '${nodeRan}'\nexit 1\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'kubectl-orchestrator'), readFileSync(binary), { mode: 0o755 });
  // kubectl looks for a plugin only before its first flag: the kubeconfig comes from KUBECONFIG.
  const [program, ...args] = cluster.kubectl.filter((a) => !a.startsWith('--kubeconfig'));
  const resolved = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program as string], { encoding: 'utf8' });
  const kubectl = [resolved.stdout.trim(), ...args].map((a) => `'${a}'`).join(' ');
  writeFileSync(join(bin, 'kubectl'), `#!/bin/sh\nexec ${kubectl} "$@"\n`, { mode: 0o755 });
  return bin;
}

t.test("one file: the PATH's Node.js is never used, and kubectl finds it as its plugin", async (t) => {
  const cache = join(work, 'cache-a');
  const direct = await run([binary, '--version'], '/nonexistent', cache);
  t.equal(direct.code, 0, direct.stderr);
  t.equal(direct.stdout.trim(), version, 'the package version, from the unpacked package');
  const bin = pluginPath();
  const help = await run(['kubectl', 'orchestrator', '--help'], bin, cache);
  t.equal(help.code, 0, help.stderr);
  t.match(help.stdout, /^Usage: kubectl orchestrator /, 'kubectl ran the plugin, which knows its name');
  const get = await run(['kubectl', 'orchestrator', 'get', 'taskruns', '-A'], bin, cache);
  t.equal(get.code, 0, `kubectl orchestrator get taskruns -A: ${get.stderr}`);
  t.notOk(existsSync(nodeRan), "the PATH's node never ran");
});

t.test('its package is unpacked once per build, and two first runs at once both start', async (t) => {
  const cache = join(work, 'cache-b');
  const runs = await Promise.all([1, 2, 3].map(() => run([binary, '--version'], '/nonexistent', cache)));
  t.same(
    runs.map((r) => [r.code, r.stdout.trim()]),
    [1, 2, 3].map(() => [0, version]),
    runs.map((r) => r.stderr).join(''),
  );
  const unpacked = readdirSync(join(cache, 'orchestrator', 'cli'));
  t.equal(unpacked.length, 1, `one folder, no partial one left: ${unpacked}`);
  t.match(unpacked[0], new RegExp(`^${version.replaceAll('.', '\\.')}-[0-9a-f]{16}$`));
  const entry = join(cache, 'orchestrator', 'cli', unpacked[0] as string, 'bin', 'orchestrator.js');
  const before = statSync(entry).mtimeMs;
  const again = await run([binary, '--version'], '/nonexistent', cache);
  t.equal(again.code, 0);
  t.equal(statSync(entry).mtimeMs, before, 'a later run uses the unpacked package as it is');
  // A folder others may write to could hold anyone's code: refused, not run.
  const folder = join(cache, 'orchestrator', 'cli', unpacked[0] as string);
  chmodSync(folder, 0o777);
  const refused = await run([binary, '--version'], '/nonexistent', cache);
  t.equal(refused.code, 1);
  t.match(refused.stderr, `${folder} is not a folder of this user's that only it may write: remove it`);
});

t.test('the release archive, its checksum, the krew manifest and the Homebrew formula agree', async (t) => {
  const archive = `orchestrator-${version}-linux-x64.tar.gz`;
  const sha256 = createHash('sha256')
    .update(readFileSync(join(out, archive)))
    .digest('hex');
  t.equal(readFileSync(join(out, `${archive}.sha256`), 'utf8'), `${sha256}  ${archive}\n`);
  const listed = await runCommand(['tar', 'tzvf', join(out, archive)]);
  t.match(
    listed.stdout.trim(),
    /^-rwxr-xr-x root\/root +\d+ .* orchestrator$/,
    'one executable, orchestrator',
  );
  const unpacked = join(work, 'unpacked');
  mkdirSync(unpacked, { recursive: true });
  await runCommand(['tar', 'xzf', join(out, archive), '-C', unpacked]);
  t.ok(readFileSync(join(unpacked, 'orchestrator')).equals(readFileSync(binary)), 'the executable built');
  const krew = parse(readFileSync(join(out, 'orchestrator.krew.yaml'), 'utf8'));
  t.match(krew, { apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin' });
  t.equal(krew.metadata.name, 'orchestrator', 'installed as kubectl-orchestrator');
  t.equal(krew.spec.version, `v${version}`);
  t.same(krew.spec.platforms, [
    {
      selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
      uri: `https://github.com/5dlabs/orchestrator/releases/download/v${version}/${archive}`,
      sha256,
      bin: 'orchestrator',
    },
  ]);
  const formula = readFileSync(join(out, 'orchestrator.rb'), 'utf8');
  t.match(formula, `url "https://github.com/5dlabs/orchestrator/releases/download/v${version}/${archive}"`);
  t.match(formula, `sha256 "${sha256}"`);
  t.match(formula, 'bin.install_symlink "orchestrator" => "kubectl-orchestrator"');
});
