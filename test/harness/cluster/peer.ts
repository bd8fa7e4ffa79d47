// The controller-runtime peer's binaries as the benchmarks take them (`--peer-bin DIR`, holding
// scripts/bench-args.js PEER_BINARIES): the cached builds of its two tools (test-tools.ts), linked
// into one folder under the names its `make build` gives them.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_BINARIES } from '../../../scripts/bench-args.js';
import { PEER_DIR, PEER_MANAGER, PEER_WEBHOOK_SERVER, testToolBinary } from './test-tools.js';

/** The folder to pass as `--peer-bin`, and how to remove it; or why there is none. */
export type PeerBin = { dir: string; remove(): void } | { missing: string };

/** The peer's binaries (built first when not cached), or why they cannot be: its module is not there. */
export async function peerBin(): Promise<PeerBin> {
  if (!existsSync(PEER_DIR))
    return {
      missing: `no controller-runtime peer at ${PEER_DIR} (set ORCHESTRATOR_PEER_DIR to its folder)`,
    };
  const dir = mkdtempSync(join(tmpdir(), 'peer-bin-'));
  symlinkSync(await testToolBinary(PEER_MANAGER), join(dir, PEER_BINARIES.manager));
  symlinkSync(await testToolBinary(PEER_WEBHOOK_SERVER), join(dir, PEER_BINARIES.webhook));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
