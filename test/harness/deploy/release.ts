// A release published as the release workflow publishes it (.github/workflows/release.yml,
// docs/releasing.md), to a local registry (registry.ts) instead of ghcr.io: each image as an OCI index
// of its platforms under the name the shipped manifests give it, and the chart packaged with the
// release's version and pushed as an OCI artifact beside them, each signed by cosign with a key of
// the release's (the workflow signs keyless, with GitHub's OIDC identity, which cannot run here). The
// names are read from what ships (config/manager, config/egress), so a release that pushed under
// other names would install nothing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { buildah } from '../../../src/cluster/buildah.js';
import type { LocalImage } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { packageVersion } from '../../../src/util/version.js';
import { commandLines, guideSteps } from '../agent/first-run-guide.js';
import { type CommandResult, runCommand } from '../cluster/cluster.js';
import { COSIGN, testToolBinary } from '../cluster/test-tools.js';
import { CHART, helm } from './helm.js';
import type { LocalRegistry } from './registry.js';

const root = packageRoot();

/** An image reference split as a registry serves it. */
export interface ImageName {
  /** The registry's host (ghcr.io). */
  host: string;
  /** The repository's path on it (5dlabs/orchestrator). */
  path: string;
  tag: string;
}

export function imageName(ref: string): ImageName {
  const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(ref);
  if (!match) throw new Error(`${ref} is not HOST/PATH:TAG`);
  return { host: match[1] as string, path: match[2] as string, tag: match[3] as string };
}

/** The images a release publishes, as the shipped manifests name them. */
export interface ReleasedImages {
  operator: ImageName;
  agent: ImageName;
  egressProxy: ImageName;
}

const readText = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

/** The first container image of the first Deployment in a manifest file. */
function deploymentImage(...path: string[]): string {
  for (const doc of parseAllDocuments(readText(...path))) {
    const o = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { image: string }[] } } };
    };
    const image = o?.kind === 'Deployment' ? o.spec?.template?.spec?.containers?.[0]?.image : undefined;
    if (image) return image;
  }
  throw new Error(`${path.join('/')} has no Deployment with a container`);
}

export function releasedImages(): ReleasedImages {
  const config = parse(readText('config', 'manager', 'controller-config.yaml')) as {
    agents: Record<string, { image?: string }>;
  };
  const agentImages = new Set(Object.values(config.agents).flatMap((a) => (a.image ? [a.image] : [])));
  if (agentImages.size !== 1)
    throw new Error(
      `the shipped agent profiles name ${agentImages.size} images, not one: ${[...agentImages]}`,
    );
  return {
    operator: imageName(deploymentImage('config', 'manager', 'deployment.yaml')),
    agent: imageName([...agentImages][0] as string),
    egressProxy: imageName(deploymentImage('config', 'egress', 'proxy.yaml')),
  };
}

/** The release's version: the package's, which the chart's and the images' tags must equal. */
const RELEASE_VERSION = packageVersion();

/**
 * The chart's OCI repository in a registry: `oci://HOST/OWNER/charts`, OWNER the images' (the
 * workflow's `helm push … oci://${REGISTRY}/${OWNER}/charts`).
 */
export function chartRepository(host: string, images: ReleasedImages = releasedImages()): string {
  const owner = images.operator.path.split('/')[0];
  return `oci://${host}/${owner}/charts`;
}

/**
 * Pushes one image as an index of its platforms (one archive each, from buildah's builds) to
 * `ref`; plain HTTP, as the registry is on loopback. The index's digest.
 */
export function pushIndex(archives: LocalImage[], ref: string): string {
  const storage = { dir: mkdtempSync(join(tmpdir(), 'release-push-')) };
  try {
    const list = 'release-index';
    const digestFile = join(storage.dir, 'digest');
    buildah(storage, ['manifest', 'create', list]);
    for (const image of archives) buildah(storage, ['manifest', 'add', list, `oci-archive:${image.archive}`]);
    const push = ['manifest', 'push', '--all', '--tls-verify=false', '--quiet', '--digestfile', digestFile];
    buildah(storage, [...push, list, `docker://${ref}`], 600_000);
    return readFileSync(digestFile, 'utf8').trim();
  } finally {
    rmSync(storage.dir, { recursive: true, force: true });
  }
}

/** cosign with a key of the release's: no transparency log (Sigstore is not reachable here). */
export interface Cosign {
  /** The public key's file, which users verify with. */
  publicKey: string;
  /** `cosign args…` (the key's password empty), its result. */
  run(args: string[]): Promise<CommandResult>;
}

/** A key pair made in `dir` (which it makes), and cosign with it. */
export async function releaseCosign(dir: string): Promise<Cosign> {
  mkdirSync(dir, { recursive: true });
  const binary = await testToolBinary(COSIGN, { log: (m) => process.stderr.write(`[cosign] ${m}\n`) });
  const env = { ...process.env, COSIGN_PASSWORD: '', HOME: dir };
  const run = (args: string[]) => runCommand([binary, ...args], undefined, 120_000, env);
  const made = await run(['generate-key-pair', '--output-key-prefix', join(dir, 'cosign')]);
  if (made.code !== 0) throw new Error(`cosign generate-key-pair: ${made.stderr}`);
  return { publicKey: join(dir, 'cosign.pub'), run };
}

/** Signs `ref` (NAME@DIGEST) in the registry with the release's key. */
async function sign(cosign: Cosign, dir: string, ref: string): Promise<void> {
  const key = join(dir, 'cosign.key');
  const signed = await cosign.run([
    'sign',
    '--key',
    key,
    '--tlog-upload=false',
    '--allow-insecure-registry',
    '--yes',
    ref,
  ]);
  if (signed.code !== 0) throw new Error(`cosign sign ${ref}: ${signed.stderr}`);
}

/** The release docs/install.md installs, read from its `helm install … oci://…` line. */
export interface DocumentedInstall {
  /** `oci://…/orchestrator`, the registry's host as the doc names it. */
  chart: string;
  version: string;
  namespace: string;
}

/**
 * docs/install.md's "From a release" commands: `helm install … oci://…`, then the model key's
 * `kubectl create secret`, each the start of a command of docs/first-run.md's install and model-key
 * steps (which the in-cluster suite runs); the chart the release publishes.
 */
export function documentedInstall(): DocumentedInstall {
  const doc = readText('docs', 'install.md');
  const block = /^## From a release\n[\s\S]*?```sh\n([\s\S]*?)```/m.exec(doc)?.[1] ?? '';
  const lines = commandLines(block);
  const [helmLine, keyLine] = lines;
  if (
    lines.length !== 2 ||
    !helmLine?.startsWith('helm install ') ||
    !keyLine?.includes('kubectl create secret ')
  )
    throw new Error(
      'docs/install.md "From a release" has not its two commands: helm install, kubectl create secret',
    );
  const guide = guideSteps()
    .filter((s) => s.name === 'install' || s.name === 'model-key')
    .flatMap((s) => commandLines(s.script));
  for (const line of lines)
    if (!guide.some((g) => g.startsWith(line)))
      throw new Error(`docs/install.md's command is none of docs/first-run.md's install: ${line}`);
  const helm = helmLine.split(/\s+/);
  const flag = (name: string) => helm[helm.indexOf(name) + 1] ?? '';
  const chart = helm.find((a) => a.startsWith('oci://')) ?? '';
  const expected = `${chartRepository(releasedImages().operator.host)}/orchestrator`;
  if (chart !== expected)
    throw new Error(`docs/install.md installs ${chart}, the release publishes ${expected}`);
  return { chart, version: flag('--version'), namespace: flag('-n') };
}

/** What was published where. */
export interface Published {
  /** `oci://…/charts/orchestrator`, for `helm install`. */
  chart: string;
  version: string;
  images: ReleasedImages;
  /** Everything signed, as NAME@DIGEST in the registry: the three images and the chart. */
  signed: string[];
  /** Each image's index digest as pushed (what a node that pulled it from the registry reports). */
  digests: Record<keyof ReleasedImages, string>;
  cosign: Cosign;
}

/**
 * Publishes a release to the registry: the three images (each of its platforms' archives) under their
 * released names on the registry's host, then the chart packaged with the release's version.
 */
export async function publishRelease(
  registry: LocalRegistry,
  archives: Record<keyof ReleasedImages, LocalImage[]>,
  dir: string,
): Promise<Published> {
  const images = releasedImages();
  const cosign = await releaseCosign(dir);
  const signed: string[] = [];
  const digests = {} as Record<keyof ReleasedImages, string>;
  for (const [key, name] of Object.entries(images) as [keyof ReleasedImages, ImageName][]) {
    if (name.tag !== RELEASE_VERSION)
      throw new Error(`the shipped ${key} image is tagged ${name.tag}, not the release's ${RELEASE_VERSION}`);
    digests[key] = pushIndex(archives[key], `${registry.host}/${name.path}:${name.tag}`);
    signed.push(`${registry.host}/${name.path}@${digests[key]}`);
  }
  const h = await helm();
  const out = mkdtempSync(join(tmpdir(), 'release-chart-'));
  try {
    const version = ['--version', RELEASE_VERSION, '--app-version', RELEASE_VERSION];
    const packaged = await h.run(['package', CHART, ...version, '--destination', out]);
    if (packaged.code !== 0) throw new Error(`helm package: ${packaged.stderr}`);
    const repository = chartRepository(registry.host, images);
    const tgz = join(out, `orchestrator-${RELEASE_VERSION}.tgz`);
    const pushed = await h.run(['push', tgz, repository, '--plain-http']);
    if (pushed.code !== 0) throw new Error(`helm push: ${pushed.stderr}`);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(`${pushed.stdout}${pushed.stderr}`)?.[1];
    if (!digest) throw new Error(`helm push said no digest: ${pushed.stdout}${pushed.stderr}`);
    const chart = `${repository}/orchestrator`;
    signed.push(`${chart.slice('oci://'.length)}@${digest}`);
    for (const ref of signed) await sign(cosign, dir, ref);
    return { chart, version: RELEASE_VERSION, images, signed, digests, cosign };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
