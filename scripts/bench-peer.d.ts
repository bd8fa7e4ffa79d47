import type { CpuUsage } from './proc-usage.js';

export interface PeerManagerStats {
  /** API calls, watches apart. */
  calls: number;
  reconciles: number;
  byVerb: Record<string, number>;
  /** Its ERROR log lines (conflicts included), cut at 500 characters. */
  errors: string[];
}
export declare function startPeerManager(opts: {
  binDir: string;
  kubeconfig: string;
  namespace: string;
  configFile: string;
  workers: number;
}): Promise<{ pid: number; exited: Promise<string>; stop(): Promise<PeerManagerStats> }>;
export declare function startPeerWebhook(opts: {
  binDir: string;
  certDir: string;
  configFile: string;
}): Promise<{ pid: number; port: number; cpu(): Promise<CpuUsage>; stop(): Promise<void> }>;
