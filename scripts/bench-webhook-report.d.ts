export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  serverCpu: number;
  serverUsPerRequest: number;
  clientCpu: number;
}
export interface OpenLoopResult {
  p50: number;
  p99: number;
  max: number;
  errors: number;
}
export interface WebhookRow {
  round: number;
  server: 'ours' | 'peer' | 'baseline';
  endpoint: 'validate' | 'mutate';
  closed: LoadResult;
  open: OpenLoopResult;
}
export declare function webhookReport(rows: readonly WebhookRow[], rate: number): string[];
