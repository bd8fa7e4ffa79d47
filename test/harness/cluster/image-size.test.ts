// uncompressedBytes: the sum of an OCI archive's gzip layers, kept beside the archive and read again
// only when the archive holds another image.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { uncompressedBytes } from './image-size.js';

/** An OCI archive at `archive` whose layers are these contents, gzipped. */
function ociArchive(archive: string, layers: Buffer[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'image-size-'));
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (data: Buffer) => {
    const digest = createHash('sha256').update(data).digest('hex');
    writeFileSync(join(blobs, digest), data);
    return { digest: `sha256:${digest}`, size: data.length };
  };
  const manifest = blob(
    Buffer.from(
      JSON.stringify({
        layers: layers.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          ...blob(gzipSync(l)),
        })),
      }),
    ),
  );
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ manifests: [manifest] }));
  execFileSync('tar', ['-cf', archive, '-C', dir, 'index.json', 'blobs']);
  rmSync(dir, { recursive: true });
}

t.test('the layers uncompressed, kept beside the archive until it holds another image', async (t) => {
  const dir = t.testdir();
  const archive = join(dir, 'agent-0123456789ab.tar');
  ociArchive(archive, [Buffer.alloc(300_000, 'a'), Buffer.alloc(1234, 'b')]);
  t.equal(await uncompressedBytes(archive), 301_234);
  const kept = JSON.parse(readFileSync(`${archive}.uncompressed.json`, 'utf8'));
  t.equal(kept.bytes, 301_234, 'kept beside the archive');

  // What is kept is what is answered while the archive holds the same image.
  writeFileSync(`${archive}.uncompressed.json`, JSON.stringify({ ...kept, bytes: 7 }));
  t.equal(await uncompressedBytes(archive), 7, 'read again from what was kept');

  // Another image under the archive's name (built again from other files): read again.
  ociArchive(archive, [Buffer.alloc(5000, 'c')]);
  t.equal(await uncompressedBytes(archive), 5000, 'another image is read');
});
