export interface CpuUsage {
  user: number;
  system: number;
}
export declare function procCpu(pid: number): CpuUsage;
export declare function treeCpu(): CpuUsage;
export declare const cpuSeconds: (before: CpuUsage, after: CpuUsage) => number;
export declare function peakRssMiB(pid: number): number;
