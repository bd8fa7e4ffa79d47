import type { Agent } from 'node:https';

export interface SendResult {
  /** The HTTP status; 0 when no answer came (`error` says why). */
  status: number;
  bytes?: number;
  /** The body, when asked for or when the status is not 200. */
  text?: string;
  error?: string;
}
export declare function send(
  agent: Agent,
  port: number,
  path: string,
  body: string,
  keepText?: boolean,
): Promise<SendResult>;
export declare const failureOf: (res: SendResult) => string;
