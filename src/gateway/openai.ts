// OpenAI's Responses API as the Codex CLI uses it through the gateway (docs/agents.md "codex"): the
// calls it makes (as test/harness/remote/openai-standin.ts answers them), its bearer credential, the
// usage of JSON and streamed answers (response.completed, or the response that ended short), and the
// API's error body. Served under PROVIDER_PATHS.openai (provider-routes.ts).
import type { Allowlist } from './allowlist.js';
import { MODEL_ID, positiveInteger } from './anthropic.js';
import { JsonUsageReader } from './json-usage.js';
import { openaiUnmeterable } from './openai-unmeterable.js';
import type { CallRequest, GatewayError, Provider } from './provider.js';
import { SseUsageReader } from './sse-usage.js';
import { openaiTokens } from './tokens.js';

const ERRORS: Record<GatewayError, { status: number; type: string; code: string | null }> = {
  authentication: { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' },
  not_found: { status: 404, type: 'invalid_request_error', code: null },
  invalid_request: { status: 400, type: 'invalid_request_error', code: null },
  too_large: { status: 413, type: 'invalid_request_error', code: null },
  // The API's answer for an account past its quota: the CLI reports it and does not retry.
  budget: { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' },
  rate_limit: { status: 429, type: 'requests', code: 'rate_limit_exceeded' },
  timeout: { status: 504, type: 'server_error', code: null },
  upstream: { status: 502, type: 'server_error', code: null },
};

/**
 * The most output tokens one call of the API's models produces (the GPT-5 family's 128k): what a call
 * that asks no max_output_tokens is reserved and, cut, billed for.
 */
const MAX_OUTPUT_TOKENS = 128_000;

/** The stream's events that carry the whole response, with its usage, as it ends. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

type StreamEvent = { type?: unknown; response?: { usage?: unknown } };
const isFinal = (event: unknown): event is StreamEvent => {
  const type = (event as StreamEvent).type;
  return typeof type === 'string' && FINAL_EVENTS.has(type);
};

/**
 * What Codex 0.171.0 sends (its requests recorded through the gateway, decision 0067), with
 * `instructions`, `text` and `max_output_tokens` (the gateway's own cap). Its tools are its own:
 * functions, freeform (`custom`) tools, and namespaces of them; its `web_search` is off in the config
 * cli-codex.sh writes. No `service_tier` (a tier the price table does not price) and no beta flag.
 */
const ALLOWLIST: Allowlist = {
  fields: [
    'model',
    'input',
    'instructions',
    'tools',
    'tool_choice',
    'parallel_tool_calls',
    'reasoning',
    'text',
    'include',
    'store',
    'stream',
    'prompt_cache_key',
    'client_metadata',
    'max_output_tokens',
  ],
  toolKinds: function kinds(tool): string[] {
    const t = (tool ?? {}) as { type?: unknown; tools?: unknown };
    const nested = t.type === 'namespace' && Array.isArray(t.tools) ? t.tools.flatMap(kinds) : [];
    return [String(t.type), ...nested];
  },
  tools: ['function', 'custom', 'namespace'],
  betas: { header: 'openai-beta', allowed: [] },
};

export const openai: Provider = {
  name: 'openai',
  routes: [
    { method: 'POST', path: '/v1/responses', metered: true },
    { method: 'POST', path: '/v1/responses/compact', metered: true },
    { method: 'GET', path: '/v1/models', metered: false },
  ],
  credential(headers) {
    const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
    return bearer?.[1];
  },
  upstreamAuth: (key) => ({ authorization: `Bearer ${key}` }),
  allowlist: ALLOWLIST,
  unmeterable: openaiUnmeterable,
  forwardedHeaders: ['content-type', 'accept', 'openai-beta', 'user-agent', 'session_id', 'originator'],
  returnedHeaders: ['content-type', 'x-request-id', 'retry-after', 'openai-processing-ms', 'x-ratelimit-'],
  callRequest(body): CallRequest | string {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return 'the body must be a JSON object';
    const b = body as Record<string, unknown>;
    if (typeof b.model !== 'string' || b.model === '') return 'model: a model name is required';
    if (!MODEL_ID.test(b.model)) return `model: must be a model id (${MODEL_ID.source})`;
    if (
      b.max_output_tokens !== undefined &&
      b.max_output_tokens !== null &&
      !positiveInteger(b.max_output_tokens)
    )
      return 'max_output_tokens: a positive integer, when given';
    // No ceiling asked: the call's output is bounded by the model alone, and capped near a limit.
    const maxTokens = positiveInteger(b.max_output_tokens) ? b.max_output_tokens : MAX_OUTPUT_TOKENS;
    return { model: b.model, stream: b.stream === true, maxTokens };
  },
  // Caching is the API's own choice (usage states cache_write_tokens): any byte may be a write. The
  // largest window of its models is GPT-4.1's.
  inputBound: (_body, bodyBytes) => ({
    bytes: { input: 0, cacheWrite: bodyBytes, cacheWrite1h: 0 },
    maxTokens: 1_047_576,
  }),
  capped: (body, maxTokens) => ({ ...(body as object), max_output_tokens: maxTokens }),
  usageReader: (stream) =>
    stream
      ? new SseUsageReader({
          key: '"usage"',
          read(event, before) {
            return isFinal(event) ? (openaiTokens(event.response?.usage) ?? before) : before;
          },
          final: (event) => isFinal(event) && openaiTokens(event.response?.usage) !== undefined,
        })
      : new JsonUsageReader((answer) => openaiTokens((answer as { usage?: unknown }).usage)),
  error(kind, message) {
    const { status, type, code } = ERRORS[kind];
    return { status, body: { error: { message, type, param: null, code } } };
  },
};
