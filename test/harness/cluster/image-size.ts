// An image's size as docs/install.md states its budget: the sum of its layers uncompressed, read from
// the OCI archive the image builds write (src/cluster/agent-image.ts), and the budget read from the page
// itself, so the page and the check cannot disagree.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { packageRoot } from '../../../src/util/package-root.js';

/** The agent image's budget in MB (10^6 bytes): docs/install.md's "at most N MB uncompressed". */
export function agentImageBudgetMb(): number {
  const page = readFileSync(join(packageRoot(), 'docs', 'install.md'), 'utf8');
  const m = /The agent image is at most ([\d,]+) MB uncompressed/.exec(page);
  if (!m?.[1]) throw new Error('docs/install.md states no "The agent image is at most N MB uncompressed"');
  return Number(m[1].replaceAll(',', ''));
}

const member = (archive: string, path: string): string => {
  const res = spawnSync('tar', ['-xOf', archive, path], { encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`tar -xOf ${archive} ${path}: ${res.stderr || res.error?.message}`);
  return res.stdout;
};

/** One gzip layer's uncompressed bytes, streamed out of the archive (never on disk). */
function layerBytes(archive: string, digest: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-xOf', archive, `blobs/sha256/${digest}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => tar.kill(), 300_000);
    let bytes = 0;
    const gunzip = createGunzip();
    gunzip.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    gunzip.on('end', () => {
      clearTimeout(timer);
      resolve(bytes);
    });
    gunzip.on('error', reject);
    tar.on('error', reject);
    tar.on('exit', (code) => {
      if (code !== 0) reject(new Error(`tar -xOf ${archive} blobs/sha256/${digest} exited ${code}`));
    });
    tar.stdout.pipe(gunzip);
  });
}

/**
 * The image's layers uncompressed, in bytes, from its OCI archive (one manifest, gzip layers). The sum
 * is kept beside the archive (pruned with it, src/cluster/image-prune.ts) under the image's manifest
 * digest, which names its layers: decompressing 900 MB took the real-node lane 35 to 84 s, each run,
 * for an image that had not changed.
 */
export async function uncompressedBytes(archive: string): Promise<number> {
  const index = JSON.parse(member(archive, 'index.json')) as { manifests: { digest: string }[] };
  const manifest = index.manifests[0]?.digest.replace(/^sha256:/, '');
  if (!manifest) throw new Error(`${archive}: no manifest`);
  const kept = `${archive}.uncompressed.json`;
  const seen = (() => {
    try {
      return JSON.parse(readFileSync(kept, 'utf8')) as { manifest: string; bytes: number };
    } catch {
      return undefined;
    }
  })();
  if (seen?.manifest === manifest) return seen.bytes;
  const bytes = await layersBytes(archive, manifest);
  writeFileSync(kept, JSON.stringify({ manifest, bytes }));
  return bytes;
}

async function layersBytes(archive: string, manifest: string): Promise<number> {
  const { layers } = JSON.parse(member(archive, `blobs/sha256/${manifest}`)) as {
    layers: { digest: string; mediaType: string }[];
  };
  let total = 0;
  for (const layer of layers) {
    if (!layer.mediaType.endsWith('+gzip')) throw new Error(`${archive}: a layer of ${layer.mediaType}`);
    total += await layerBytes(archive, layer.digest.replace(/^sha256:/, ''));
  }
  return total;
}
