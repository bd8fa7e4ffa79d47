// Anthropic's Messages API as the Claude Code CLI uses it through the gateway (docs/economics.md "The
// model gateway"): the calls the real CLI makes (as test/harness/remote/model-standin.ts answers them),
// its x-api-key or bearer credential, the usage of JSON and streamed answers, and the API's error body.
import type { Allowlist } from './allowlist.js';
import { anthropicInputBytes } from './anthropic-cache.js';
import { JsonUsageReader } from './json-usage.js';
import type { CallRequest, GatewayError, Provider } from './provider.js';
import { SseUsageReader } from './sse-usage.js';
import { anthropicTokens } from './tokens.js';

const ERRORS: Record<GatewayError, { status: number; type: string }> = {
  authentication: { status: 401, type: 'authentication_error' },
  not_found: { status: 404, type: 'not_found_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  too_large: { status: 413, type: 'request_too_large' },
  // The API's own answer for an account that may not spend: the CLI shows it and does not retry.
  budget: { status: 402, type: 'billing_error' },
  rate_limit: { status: 429, type: 'rate_limit_error' },
  timeout: { status: 504, type: 'timeout_error' },
  upstream: { status: 502, type: 'api_error' },
};

/** A model id as the API names them (and as the status's usage bounds it: 128 characters). */
export const MODEL_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export const positiveInteger = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

/**
 * What Claude Code 2.1.330 sends (its requests recorded through the gateway, decision 0067), with the
 * API's sampling parameters, which neither fetch nor change a price. Its tools are its own (no `type`,
 * or `custom`); its beta flags those below, none of which has the provider fetch, run code, bill a fee
 * or answer with a model other than the one priced.
 */
const ALLOWLIST: Allowlist = {
  fields: [
    'model',
    'messages',
    'system',
    'tools',
    'tool_choice',
    'metadata',
    'max_tokens',
    'stream',
    'thinking',
    'context_management',
    'output_config',
    'output_format',
    'temperature',
    'top_p',
    'top_k',
    'stop_sequences',
  ],
  toolKinds: (tool) => {
    if (typeof tool !== 'object' || tool === null) return ['a non-object'];
    const type = (tool as { type?: unknown }).type;
    return [type === undefined ? 'custom' : String(type)];
  },
  tools: ['custom'],
  betas: {
    header: 'anthropic-beta',
    allowed: [
      'claude-code-20250219',
      'claude-code-side-query-2026-09-29',
      'interleaved-thinking-2025-05-14',
      'context-management-2025-06-27',
      'context-1m-2025-08-07',
      'thinking-token-count-2026-05-13',
      'thinking-display-updates-2026-08-18',
      'redact-thinking-2026-02-12',
      'advanced-tool-use-2025-11-20',
      'effort-2025-11-24',
      'structured-outputs-2025-12-15',
      'prompt-caching-scope-2026-01-05',
      'extended-cache-ttl-2025-04-11',
      'token-counting-2024-11-01',
    ],
  },
};

export const anthropic: Provider = {
  name: 'anthropic',
  routes: [
    { method: 'GET', path: '/api/hello', metered: false, local: { status: 200, body: {} } },
    { method: 'POST', path: '/v1/messages', metered: true },
    { method: 'POST', path: '/v1/messages/count_tokens', metered: false },
    { method: 'GET', path: '/v1/models', metered: false },
    { method: 'GET', path: new RegExp(`^/v1/models/${MODEL_ID.source.slice(1)}`), metered: false },
  ],
  credential(headers) {
    const key = headers['x-api-key'];
    if (typeof key === 'string' && key) return key;
    const bearer = /^Bearer (\S+)$/.exec(headers.authorization ?? '');
    return bearer?.[1];
  },
  upstreamAuth: (key) => ({ 'x-api-key': key }),
  allowlist: ALLOWLIST,
  forwardedHeaders: ['content-type', 'accept', 'anthropic-version', 'anthropic-beta', 'user-agent'],
  returnedHeaders: [
    'content-type',
    'request-id',
    'retry-after',
    'x-should-retry',
    'anthropic-ratelimit-',
    'anthropic-organization-id',
  ],
  callRequest(body): CallRequest | string {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return 'the body must be a JSON object';
    const b = body as Record<string, unknown>;
    if (typeof b.model !== 'string' || b.model === '') return 'model: a model name is required';
    // The ledger and the run's status record the model by name: a name is bounded like the API's ids.
    if (!MODEL_ID.test(b.model)) return `model: must be a model id (${MODEL_ID.source})`;
    if (!positiveInteger(b.max_tokens)) return 'max_tokens: a positive integer is required';
    return { model: b.model, stream: b.stream === true, maxTokens: b.max_tokens };
  },
  // A prompt past 200k tokens is refused (and not billed) unless the call asks for the 1M-token window.
  inputBound: (body, bodyBytes, headers) => ({
    bytes: anthropicInputBytes(body, bodyBytes),
    maxTokens: /context-1m/.test(String(headers['anthropic-beta'] ?? '')) ? 1_000_000 : 200_000,
  }),
  capped: (body, maxTokens) => ({ ...(body as object), max_tokens: maxTokens }),
  usageReader: (stream) =>
    stream
      ? new SseUsageReader()
      : new JsonUsageReader((answer) => {
          const usage = (answer as { usage?: unknown }).usage;
          return usage === undefined ? undefined : anthropicTokens(usage);
        }),
  error(kind, message) {
    const { status, type } = ERRORS[kind];
    return { status, body: { type: 'error', error: { type, message } } };
  },
};
