// Reading a rendered Deployment the way the kubelet would: its container's ports, volumes and mounts,
// and a projected ConfigMap volume written to disk in the kubelet's layout (the files and top-level
// directories are symlinks into `..data` → `..<timestamp>/`, swapped atomically on every update).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeObject } from '../../../src/runtime/index.js';

export interface Port {
  name?: string;
  containerPort: number;
}

export interface Container {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
  ports?: Port[];
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export interface ProjectedSource {
  configMap?: { name: string; items?: Array<{ key: string; path: string }> };
}

export interface Volume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
  projected?: { sources: ProjectedSource[] };
  emptyDir?: unknown;
}

export interface PodSpec {
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  affinity?: {
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: Array<{
        podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } };
      }>;
    };
  };
  containers: Container[];
  volumes?: Volume[];
}

export interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

export const deploymentSpec = (deployment: KubeObject): DeploymentSpec => deployment.spec as DeploymentSpec;

/** The number a port reference (a number or a container port's name) stands for. */
export function portNumber(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Where `volume` is mounted in `container`. */
export function mountPath(container: Container, volume: Volume | undefined): string | undefined {
  return container.volumeMounts?.find((m) => m.name === volume?.name)?.mountPath;
}

/** Whether every label of `selector` is on `labels`. */
export const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Writes `files` (path → content) under `dir` as the kubelet lays out a ConfigMap or projected volume. */
export function writeKubeletVolume(dir: string, files: ReadonlyMap<string, string>): void {
  const version = '..2026_01_01_00_00_00.000000001';
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, version, path)), { recursive: true });
    writeFileSync(join(dir, version, path), content);
  }
  symlinkSync(version, join(dir, '..data'));
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0] as string));
  for (const top of tops) symlinkSync(join('..data', top), join(dir, top));
}
