// What the host needs for the local cluster's real node (docs/local-cluster.md), checked before
// anything is built or started, so that a missing piece is named with the Debian package that has
// it rather than found as a component's failure halfway through.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BUSYBOX } from './real-node-images.js';

/** The Debian packages the real node uses (`.ci/run` installs them). */
export const REAL_NODE_PACKAGES = [
  'containerd',
  'runc',
  'containernetworking-plugins',
  'iptables',
  'iproute2',
  'ipset',
  'buildah',
  'busybox-static',
] as const;

/** Each command the real node runs, and the package that has it. */
const COMMANDS: Record<string, (typeof REAL_NODE_PACKAGES)[number]> = {
  containerd: 'containerd',
  ctr: 'containerd',
  'containerd-shim-runc-v2': 'containerd',
  runc: 'runc',
  iptables: 'iptables',
  ip: 'iproute2',
  ipset: 'ipset',
  buildah: 'buildah',
};

const CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'];

function onPath(command: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** One thing the host lacks, and the Debian package that has it (none for root). */
interface Lack {
  what: string;
  pkg?: (typeof REAL_NODE_PACKAGES)[number];
}

function realNodeLacks(env: NodeJS.ProcessEnv, uid: number | undefined): Lack[] {
  const lacks: Lack[] = [];
  if (uid !== 0)
    lacks.push({ what: 'root (the kubelet and containerd manage cgroups, mounts and network namespaces)' });
  const path = env.PATH ?? '';
  for (const [command, pkg] of Object.entries(COMMANDS))
    if (!onPath(command, path)) lacks.push({ what: command, pkg });
  for (const plugin of CNI_PLUGINS)
    if (!existsSync(join('/usr/lib/cni', plugin)))
      lacks.push({ what: `/usr/lib/cni/${plugin}`, pkg: 'containernetworking-plugins' });
  // The image has no libraries beside it: Debian's dynamic busybox (package busybox) cannot run there.
  if (!existsSync(BUSYBOX) || readFileSync(BUSYBOX).includes('/ld-linux'))
    lacks.push({ what: `a static ${BUSYBOX}`, pkg: 'busybox-static' });
  return lacks;
}

/** What this host lacks for a real node, each with how to get it; empty when it has everything. */
export function realNodeMissing(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string[] {
  return realNodeLacks(env, uid).map(({ what, pkg }) => (pkg ? `${what} (Debian package ${pkg})` : what));
}

/** The Debian packages this host lacks for a real node (what `npm test` installs when root). */
export function realNodeMissingPackages(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set(realNodeLacks(env, 0).flatMap(({ pkg }) => (pkg ? [pkg] : [])))];
}
