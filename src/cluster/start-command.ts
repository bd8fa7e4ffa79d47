// The `control-plane start` command line for a cluster's options, and the binaries it needs: each mode
// builds only what it runs (docs/decisions/0018-control-plane-three-binaries.md). The control-plane binary (apiserver, etcd, kubectl)
// always; the controllers binary with the controller manager; KWOK with fake nodes; the node binary
// and the images with the real node. With `workloadsLater` the controllers and KWOK are left for later:
// a first start serves the apiserver while they compile.
import { join } from 'node:path';
import { packageRoot } from '../util/index.js';
import {
  type BinaryOptions,
  CONTROL_PLANE,
  CONTROLLERS,
  cacheRoot,
  type GoComponent,
  isBuilt,
  KUBE_ROUTER,
  KWOK,
  moduleBinary,
  NODE,
} from './binary.js';
import { realNodeMissing } from './real-node-host.js';
import { type LocalImage, type RealNodeImages, realNodeImages } from './real-node-images.js';

export interface StartOptions extends BinaryOptions {
  /** State directory. Default: a new temporary directory. */
  dir?: string;
  /** How long the apiserver may take to become ready. Default 60 s. */
  readyTimeoutMs?: number;
  /** Run the garbage-collector/namespace/serviceaccount/clusterrole-aggregation controllers. Default true. */
  controllerManager?: boolean;
  /**
   * Run workloads: the Job, TTL-after-finished, pod-GC and volume-protection controllers, kube-scheduler,
   * a fake node and KWOK playing its kubelet (`cluster/stages`), and a default StorageClass `standard`,
   * so Jobs get pods that finish by themselves. Default: true, false with `controllerManager: false`.
   * False keeps the plain control plane, where nothing runs pods.
   */
  workloads?: boolean;
  /**
   * Ready once the apiserver is, with the controller manager, the scheduler, the fake nodes and KWOK
   * started once their binaries are built (meanwhile): on a first start, minutes later. The cluster's
   * `workloadsLater` says when they are up. Fake nodes only. Default false: everything built first.
   */
  workloadsLater?: boolean;
  /** KWOK Stage files (a file or a directory of *.yaml). Default: `cluster/stages` in this package. */
  stages?: string;
  /** Fake nodes (8 CPUs, 32Gi, 110 pods each) with workloads. Default 1; none with `realNode`. */
  nodes?: number;
  /**
   * Instead of fake nodes, one real node (docs/local-cluster.md): kubelet and kube-proxy of the control
   * plane's node binary, containerd, runc and the CNI plugins from Debian, host-path provisioned
   * volumes, and the images of {@link realNodeImages} (no registry: pods use them with imagePullPolicy
   * IfNotPresent or Never). Needs root; one real node per host at a time. Default false.
   */
  realNode?: boolean;
  /**
   * More images for the real node to import beside pause and busybox, e.g. the agent image of
   * buildLocalImage (agent-image.ts). Imported at every start: big ones cost tens of seconds. Default none.
   */
  images?: LocalImage[];
  /**
   * With realNode: enforce NetworkPolicies there, with kube-router's network policy controller
   * (`cluster/kube-router`, built like the others), started once the node is Ready, stopped and its
   * iptables chains and ipsets removed with the node. Default false: like a CNI without NetworkPolicy.
   */
  networkPolicies?: boolean;
  /**
   * With realNode: registries containerd pulls another registry's images from, by that registry's host
   * (`{ 'ghcr.io': 'http://127.0.0.1:5000' }`): a release's images under their published names, served
   * by a local registry. Default none: the node pulls nothing (no registry is reachable).
   */
  registryMirrors?: Record<string, string>;
}

/** The JSON line `start --workloads-later` reads on stdin: the binaries of its second stage. */
export interface LateLine {
  controllersBinary: string;
  kwok: string;
}

export interface StartCommand {
  binary: string;
  args: string[];
  workloads: boolean;
  realNode?: RealNodeImages;
  /** With `workloadsLater`: the second stage, whose binaries are built by `line`. */
  late?: {
    /** A binary of it is not cached, so `line` compiles (minutes when cold). */
    building: boolean;
    line: (signal?: AbortSignal) => Promise<LateLine>;
  };
}

/** What startCommand builds and checks with: Go builds, the real node's images, its host. */
export interface StartTools {
  build: (component: GoComponent, opts: BinaryOptions) => Promise<string>;
  built: (component: GoComponent, opts: BinaryOptions) => boolean;
  images: (opts: BinaryOptions) => Promise<RealNodeImages>;
  missing: () => string[];
}

const REAL_TOOLS: StartTools = {
  build: moduleBinary,
  built: isBuilt,
  images: realNodeImages,
  missing: realNodeMissing,
};

function checked(opts: StartOptions, controllerManager: boolean, workloads: boolean): void {
  if (workloads && !controllerManager)
    throw new Error(
      'workloads need the controller manager (its Job controller): drop controllerManager: false',
    );
  if (opts.images?.length && !opts.realNode)
    throw new Error('images are for the real node (the fake nodes run no image): set realNode');
  if (opts.workloadsLater && (opts.realNode || !workloads))
    throw new Error('workloadsLater is for the fake nodes: drop it with realNode or workloads: false');
  if (opts.realNode) {
    if (!workloads) throw new Error('realNode runs workloads: drop workloads: false');
    if (opts.nodes) throw new Error('realNode replaces the fake nodes: drop nodes');
  } else if (opts.networkPolicies) {
    throw new Error('networkPolicies are enforced on the real node only: set realNode');
  } else if (opts.registryMirrors) {
    throw new Error('registryMirrors are for the real node (the fake nodes pull nothing): set realNode');
  }
}

/** The `control-plane start` command line for these options, building the binaries it needs. */
export async function startCommand(
  opts: StartOptions,
  tools: StartTools = REAL_TOOLS,
): Promise<StartCommand> {
  const controllerManager = opts.controllerManager ?? true;
  const workloads = opts.workloads ?? controllerManager;
  checked(opts, controllerManager, workloads);
  if (opts.realNode) {
    const missing = tools.missing();
    if (missing.length) throw new Error(`the real node needs ${missing.join('; ')}`);
  }
  // KWOK and kube-router are modules of their own: the control plane's moduleDir (a test's) is not theirs.
  const options = (c: GoComponent) =>
    c === KWOK || c === KUBE_ROUTER ? { ...opts, moduleDir: undefined } : opts;
  const build = (c: GoComponent, signal?: AbortSignal) =>
    tools.build(c, { ...options(c), ...(signal ? { signal } : {}) });
  const binary = await build(CONTROL_PLANE);
  const args = [`--controller-manager=${controllerManager}`, `--workloads=${workloads}`];
  const fakeNodes = [
    `--stages=${opts.stages ?? join(packageRoot(), 'cluster', 'stages')}`,
    `--nodes=${opts.nodes ?? 1}`,
  ];
  if (opts.workloadsLater) {
    args.push('--workloads-later', ...fakeNodes);
    const building = ![CONTROLLERS, KWOK].every((c) => tools.built(c, options(c)));
    // Both at once: KWOK's module downloads overlap the controllers' compiling.
    const line = async (signal?: AbortSignal) => {
      const [controllersBinary, kwok] = await Promise.all([build(CONTROLLERS, signal), build(KWOK, signal)]);
      return { controllersBinary, kwok };
    };
    return { binary, args, workloads, late: { building, line } };
  }
  if (controllerManager) args.push(`--controllers-binary=${await build(CONTROLLERS)}`);
  if (opts.realNode) {
    args.push(`--node-binary=${await build(NODE)}`);
    if (opts.networkPolicies) args.push(`--netpol-binary=${await build(KUBE_ROUTER)}`);
    const mirrors = Object.entries(opts.registryMirrors ?? {});
    if (mirrors.length) args.push(`--registry-mirrors=${mirrors.map(([h, u]) => `${h}=${u}`).join(',')}`);
    const images = await tools.images(opts);
    args.push(
      '--real-node',
      `--sandbox-image=${images.pause.name}`,
      `--images=${[images.pause, images.busybox, ...(opts.images ?? [])].map((i) => i.archive).join(',')}`,
      // Kept between nodes, beside the archives: an image is unpacked once, not by every node (the
      // agent image's unpacking is most of a node's start); one node runs on a host at a time, so one
      // store serves them all.
      `--image-store=${join(opts.cacheDir ?? cacheRoot(), 'containerd-store')}`,
    );
    return { binary, args, workloads, realNode: images };
  }
  if (workloads) args.push(`--kwok=${await build(KWOK)}`, ...fakeNodes);
  return { binary, args, workloads };
}
