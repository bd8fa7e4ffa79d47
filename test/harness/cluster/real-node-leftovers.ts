// What a real node leaves on the host once stopped, read the way real-node.test.ts's last test needs:
// the processes naming its directory, and its bridge, cgroups, iptables chains and ipsets.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What the node makes on the host (cluster/control-plane/realnode_config.go). */
const BRIDGE = 'orch-cni0';
const CGROUP_PARENT = 'orchestrator-real-node';

/** The command lines of the processes naming `dir`, and of every containerd shim of Kubernetes' pods. */
export function nodeProcesses(dir: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return ''; // gone meanwhile
      }
    })
    .filter((cmd) => cmd.includes(dir) || cmd.includes('containerd-shim-runc-v2 -namespace k8s.io'));
}

/** The real node's host lock (cluster/control-plane/realnode_host.go): one real node per host at a time. */
const HOST_LOCK = '/run/orchestrator-real-node.lock';

/**
 * The host's bridge, node cgroups and iptables rules, read while holding the real node's host lock:
 * another suite's real node, waiting for the lock our node just released, would otherwise make its
 * own bridge and cgroups between our stop and the reading. Should one win the lock first, this reads
 * after it stopped too (its own teardown then answers the same question).
 */
export function hostWithoutNode(): { bridge: boolean; cgroups: string[]; chains: string; sets: string } {
  const read = `const fs = require('node:fs'), { join } = require('node:path'), { spawnSync } = require('node:child_process');
    process.stdout.write(JSON.stringify({
      bridge: fs.existsSync('/sys/class/net/${BRIDGE}'),
      cgroups: fs.readdirSync('/sys/fs/cgroup').filter((h) => fs.existsSync(join('/sys/fs/cgroup', h, '${CGROUP_PARENT}'))),
      chains: spawnSync('iptables-save', { encoding: 'utf8', timeout: 30000 }).stdout,
      sets: spawnSync('ipset', ['list', '-n'], { encoding: 'utf8', timeout: 30000 }).stdout,
    }));`;
  const waitSeconds = 420;
  const res = spawnSync('flock', ['-w', String(waitSeconds), HOST_LOCK, process.execPath, '-e', read], {
    encoding: 'utf8',
    timeout: (waitSeconds + 60) * 1000,
  });
  if (res.status !== 0)
    throw new Error(
      `reading the host under ${HOST_LOCK} (waited up to ${waitSeconds} s): ${res.stderr || res.error}`,
    );
  return JSON.parse(res.stdout);
}
