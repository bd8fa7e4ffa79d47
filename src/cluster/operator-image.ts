// The operator's own image (the repository's Dockerfile) built here the way a user builds it, for the
// real node: its two public bases (node:24-bookworm-slim, distroless nodejs24) stand in as images
// built on the local Debian base (images/node, images/node-runtime), passed as the Dockerfile's
// NODE_IMAGE and RUNTIME_IMAGE build arguments. Each is cached like the agent image (agent-image.ts).
// Built for another CPU, the build stage's base is the host's images/node (BUILD_NODE_IMAGE): only the
// dependencies' stage and the runtime are emulated (crossBuildArgs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/index.js';
import { buildLocalImage, type ImageBuildOptions } from './agent-image.js';
import { hostArch, IMAGE_ARCHES, type ImageArch, isForeign } from './platform.js';
import type { LocalImage } from './real-node-images.js';

/**
 * What the Dockerfile's build reads of the repository: the sources of its COPY lines (not --from a
 * stage), the Dockerfile and .dockerignore. Only these decide the cached image's tag, so a change to
 * the tests or the docs does not rebuild it.
 */
export function dockerfileSources(dockerfile: string): string[] {
  const sources = new Set(['Dockerfile', '.dockerignore']);
  for (const line of dockerfile.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'COPY' || words.some((w) => w.startsWith('--from='))) continue;
    for (const source of words.slice(1, -1).filter((w) => !w.startsWith('--'))) sources.add(source);
  }
  return [...sources];
}

/**
 * The build arguments that keep the Dockerfile's build stage on the host when the image is for another
 * CPU: its base, the host's images/node, and BUILDPLATFORM itself. The buildah Debian 12 ships (1.28.2,
 * built against imagebuilder 1.2.3) sets TARGETPLATFORM but not BUILDPLATFORM, so `FROM
 * --platform=$BUILDPLATFORM` came out empty there, the stage took the build's platform, and the lookup
 * of the one-platform amd64 base for arm64 answered "image not known" (docs/releasing.md). Named here,
 * it is what buildx and later buildah set it to.
 */
export function crossBuildArgs(hostNodeImage: string, host: ImageArch | undefined): Record<string, string> {
  if (!host)
    throw new Error(`no image is built on a ${process.arch} host, only on ${IMAGE_ARCHES.join(' or ')}`);
  return { BUILD_NODE_IMAGE: hostNodeImage, BUILDPLATFORM: `linux/${host}` };
}

/** The operator image (orchestrator.local/orchestrator:<content hash>), built unless cached. */
export async function buildOperatorImage(
  opts: Omit<ImageBuildOptions, 'contextDir' | 'repository' | 'buildArgs' | 'contextFiles'> = {},
): Promise<LocalImage> {
  const root = packageRoot();
  const nodeImage = (arch: ImageArch | undefined) =>
    buildLocalImage({ ...opts, arch, contextDir: join(root, 'images', 'node'), repository: 'node' });
  const node = await nodeImage(opts.arch);
  // For another CPU the TypeScript build stage runs on the host's own Node; for the host's, on the
  // Dockerfile's default (NODE_IMAGE) and buildah's own (empty) BUILDPLATFORM, as a user's build does.
  const buildNode: Record<string, string> =
    opts.arch && isForeign(opts.arch) ? crossBuildArgs((await nodeImage(undefined)).name, hostArch()) : {};
  const runtime = await buildLocalImage({
    ...opts,
    contextDir: join(root, 'images', 'node-runtime'),
    repository: 'node-runtime',
    buildArgs: { NODE_IMAGE: node.name },
  });
  return buildLocalImage({
    ...opts,
    contextDir: root,
    repository: 'orchestrator',
    contextFiles: dockerfileSources(readFileSync(join(root, 'Dockerfile'), 'utf8')),
    buildArgs: { NODE_IMAGE: node.name, RUNTIME_IMAGE: runtime.name, ...buildNode },
  });
}
