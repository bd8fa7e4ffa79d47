// A network namespace with nothing but loopback, for proving that a program runs offline: processes
// entered into it (nsenter) reach each other on 127.0.0.1 and nothing else, not even DNS.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { waitFor } from '../util/wait.js';

export type Offline = { prefix: string[] } | { prefix?: undefined; reason: string };

/**
 * The command prefix that runs a program inside a fresh offline namespace (gone with `t`), or the
 * reason this machine does not allow one (creating it needs CAP_SYS_ADMIN).
 */
export async function offlineNamespace(t: Test): Promise<Offline> {
  const probe = spawnSync('unshare', ['--net', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) return { reason: `unshare --net: ${probe.error?.message ?? probe.stderr.trim()}` };
  const ready = path.join(tmpdir(), `offline-ns-${process.pid}-${Date.now()}`);
  // unshare execs sh, and sh execs sleep: one process, which holds the namespace open.
  const holder = spawn(
    'unshare',
    ['--net', 'sh', '-c', 'ip link set lo up && touch "$0" && exec sleep 3600', ready],
    {
      stdio: 'ignore',
    },
  );
  t.teardown(() => {
    holder.kill('SIGKILL');
    rmSync(ready, { force: true });
  });
  await waitFor(
    'the offline network namespace to have its loopback up',
    () => existsSync(ready) || undefined,
    {
      timeoutMs: 30_000,
    },
  );
  return { prefix: ['nsenter', `--net=/proc/${holder.pid}/ns/net`] };
}
