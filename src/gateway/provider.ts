// What the gateway needs of a model provider's API (docs/economics.md "The model gateway"): its routes,
// where a client puts its credential and the upstream wants the platform's, what a metered call asks
// for, how its answer states usage, and the provider's own error format (so the agent CLI shows the
// gateway's refusals as it shows the provider's). Anthropic's Messages API is one (anthropic.ts),
// OpenAI's Responses API (openai.ts) and the Gemini API (gemini.ts) others, each on its own path prefix
// (provider-routes.ts), and the server does not change.
import type { IncomingHttpHeaders } from 'node:http';
import type { Allowlist } from './allowlist.js';
import type { InputBound } from './input-bound.js';
import type { CallTokens } from './tokens.js';

export interface ProviderRoute {
  method: 'GET' | 'POST';
  /** The path, or a pattern for a path with a parameter. */
  path: string | RegExp;
  /** A call that costs money: authenticated, checked against the limits, metered. */
  metered: boolean;
  /** Answered by the gateway itself, without the upstream or a credential (the CLI's connectivity probe). */
  local?: { status: number; body: unknown };
}

/** What a metered call's body asks for, as far as the limits need it. */
export interface CallRequest {
  model: string;
  stream: boolean;
  /** The most output tokens the call may produce: as asked, else the most any of the provider's models produce. */
  maxTokens: number;
}

/** Reads an answer's usage as its bytes pass through. */
export interface UsageReader {
  push(chunk: Buffer): void;
  /** The counts seen so far; undefined when the answer stated none. */
  usage(): CallTokens | undefined;
  /** Whether the answer stated the call's final usage (else it is billed its reservation: reservation.ts). */
  final(): boolean;
}

/** A kind of error, as the gateway has reasons to answer one. */
export type GatewayError =
  | 'authentication'
  | 'not_found'
  | 'invalid_request'
  | 'too_large'
  | 'budget'
  | 'rate_limit'
  | 'timeout'
  | 'upstream';

export interface Provider {
  /** In logs, metrics and the ledger. */
  name: string;
  routes: readonly ProviderRoute[];
  /** The client's credential (the attempt's token) from its request headers. */
  credential(headers: IncomingHttpHeaders): string | undefined;
  /** The headers carrying the platform's key upstream. */
  upstreamAuth(key: string): Record<string, string>;
  /** The body's fields, tool kinds and beta flags forwarded (allowlist.ts); a call with others is refused. */
  allowlist: Allowlist;
  /**
   * What of a body sent to `path` the gateway could not meter, as `field: rule` (checked before the
   * allowlist, so its reason is the one said); undefined when nothing.
   */
  unmeterable?(body: Readonly<Record<string, unknown>>, path: string): string | undefined;
  /** Request headers passed upstream besides the body's (lower case); nothing else is. */
  forwardedHeaders: readonly string[];
  /** Response headers passed back (lower case, or a prefix ending in '-'); nothing else is. */
  returnedHeaders: readonly string[];
  /**
   * What a metered body, sent to `target` (path and query: Gemini names the model and the stream's
   * format there), asks for, or the problem with it (said to the client).
   */
  callRequest(body: unknown, target: string): CallRequest | string;
  /**
   * The most input a metered call's `body` (`bodyBytes` long, parsed) can be billed for: its bytes by
   * the dearest kind each may be billed as, and the model's window (input-bound.ts).
   */
  inputBound(body: unknown, bodyBytes: number, headers: IncomingHttpHeaders): InputBound;
  /** The body with its output capped at `maxTokens`. */
  capped(body: unknown, maxTokens: number): unknown;
  usageReader(stream: boolean): UsageReader;
  /** The provider's error answer: status, and the JSON body its SDK parses. */
  error(kind: GatewayError, message: string): { status: number; body: unknown };
}

/** The route `method path` names, if the provider has it. */
export function findRoute(provider: Provider, method: string, path: string): ProviderRoute | undefined {
  return provider.routes.find(
    (r) => r.method === method && (typeof r.path === 'string' ? r.path === path : r.path.test(path)),
  );
}
