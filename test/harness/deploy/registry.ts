// A local OCI registry standing in for ghcr.io: go-containerregistry's `crane registry serve`
// (test/go-tools, built from the Go module proxy), blobs on disk, on a loopback port of its choosing.
// The release test pushes a release there (release.ts) and the real node pulls from it through its
// containerd mirror of ghcr.io (StartOptions.registryMirrors), as an air-gapped cluster would.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { CRANE, testToolBinary } from '../cluster/test-tools.js';
import { startTied } from '../cluster/tied-process.js';
import { waitFor } from '../util/wait.js';

export interface LocalRegistry {
  /** host:port, as image references and `oci://` URLs spell it. */
  host: string;
  /** Its URL, for the node's mirror (plain HTTP: loopback only). */
  url: string;
}

/** Starts the registry, storing under `dir`; stopped when the test ends. */
export async function startRegistry(t: Test, dir: string): Promise<LocalRegistry> {
  const crane = await testToolBinary(CRANE, { log: (m) => t.comment(`[crane] ${m}`) });
  const log = join(dir, 'registry.log');
  // crane writes each upload into the folder, which it does not make.
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  const proc = await startTied(
    [crane, 'registry', 'serve', '--address', '127.0.0.1:0', '--disk', join(dir, 'blobs')],
    log,
  );
  t.teardown(() => proc.stop());
  const port = await waitFor(
    `crane registry serve to say its port (${log})`,
    async () => {
      if (!proc.running()) throw new Error(`crane registry serve exited: ${readLog(log)}`);
      return /serving on port (\d+)/.exec(readLog(log))?.[1];
    },
    { timeoutMs: 30_000 },
  );
  const host = `127.0.0.1:${port}`;
  return { host, url: `http://${host}` };
}

function readLog(log: string): string {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
}
