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
interface Measurement {
  round: number;
  server: 'ours' | 'peer' | 'baseline';
  endpoint: 'validate' | 'mutate';
}
/** One measurement, or a peer's that failed (why, in failure). */
export type WebhookRow =
  | (Measurement & { closed: LoadResult; open: OpenLoopResult; failure?: undefined })
  | (Measurement & { server: 'peer'; failure: string });
export declare function webhookReport(rows: readonly WebhookRow[], rate: number): string[];
