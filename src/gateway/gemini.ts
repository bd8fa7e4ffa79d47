// The Gemini API as the Gemini CLI uses it through the gateway (docs/agents.md "gemini"):
// generateContent and streamGenerateContent (server-sent events with alt=sse), the model named in the
// path, its x-goog-api-key credential, the usageMetadata of JSON and streamed answers (each chunk states
// the counts so far; the last one stands), and the API's error body. Served under PROVIDER_PATHS.gemini
// (provider-routes.ts).
import type { Allowlist } from './allowlist.js';
import { MODEL_ID, positiveInteger } from './anthropic.js';
import { JsonUsageReader } from './json-usage.js';
import type { CallRequest, GatewayError, Provider } from './provider.js';
import { SseUsageReader } from './sse-usage.js';
import { geminiTokens } from './tokens.js';

const ERRORS: Record<GatewayError, { status: number; reason: string }> = {
  authentication: { status: 401, reason: 'UNAUTHENTICATED' },
  not_found: { status: 404, reason: 'NOT_FOUND' },
  invalid_request: { status: 400, reason: 'INVALID_ARGUMENT' },
  too_large: { status: 413, reason: 'INVALID_ARGUMENT' },
  // The API's own answer for a project that may not spend: the CLI shows it.
  budget: { status: 429, reason: 'RESOURCE_EXHAUSTED' },
  rate_limit: { status: 429, reason: 'RESOURCE_EXHAUSTED' },
  timeout: { status: 504, reason: 'DEADLINE_EXCEEDED' },
  upstream: { status: 502, reason: 'UNAVAILABLE' },
};

/**
 * Why a budget refusal is final, in the API's own form: a QuotaFailure whose quota is per day is one
 * the Gemini CLI (0.61) does not retry; a bare RESOURCE_EXHAUSTED it retries ten times over minutes.
 */
const SPENT = {
  '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
  violations: [{ subject: 'run', description: 'the spend limit', quotaId: 'RunSpendLimitPerDay' }],
};

const MODEL_PATH = new RegExp(
  `^/v1(?:beta|alpha)?/models/(${MODEL_ID.source.slice(1, -1)}):(generateContent|streamGenerateContent|countTokens)$`,
);

/** The model and method a call's path names (undefined: not a model call). */
function modelCall(path: string): { model: string; method: string } | undefined {
  const m = MODEL_PATH.exec(path);
  return m ? { model: m[1] as string, method: m[2] as string } : undefined;
}

/**
 * The most output tokens one call of the API's models produces (the 2.5 models' 65,536): what a call
 * that asks no maxOutputTokens is reserved and, cut, billed for.
 */
const MAX_OUTPUT_TOKENS = 65_536;

/** A chunk that ends the answer: a candidate's finish reason, or the prompt blocked. */
const ends = (event: unknown): boolean => {
  const e = event as { candidates?: unknown; promptFeedback?: { blockReason?: unknown } };
  const finished = Array.isArray(e.candidates) && e.candidates.some((c) => c?.finishReason !== undefined);
  return finished || e.promptFeedback?.blockReason !== undefined;
};

const METERED = /^\/v1(?:beta|alpha)?\/models\/[^/:]+:(?:generateContent|streamGenerateContent)$/;

/**
 * What the Gemini CLI 0.61.0 sends (its requests recorded through the gateway, decision 0067), with
 * `toolConfig` and `safetySettings`, which neither fetch nor change a price. Its tools are function
 * declarations: `googleSearch`, `urlContext`, `codeExecution` and the like run at the provider.
 * No `cachedContent` (an explicit cache, billed for its storage).
 */
const ALLOWLIST: Allowlist = {
  fields: ['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings'],
  toolKinds: (tool) =>
    typeof tool === 'object' && tool !== null && !Array.isArray(tool) ? Object.keys(tool) : ['a non-object'],
  tools: ['functionDeclarations'],
};

export const gemini: Provider = {
  name: 'gemini',
  routes: [
    { method: 'POST', path: METERED, metered: true },
    { method: 'POST', path: /^\/v1(?:beta|alpha)?\/models\/[^/:]+:countTokens$/, metered: false },
    { method: 'GET', path: /^\/v1(?:beta|alpha)?\/models(?:\/[^/:]+)?$/, metered: false },
  ],
  credential(headers) {
    const key = headers['x-goog-api-key'];
    return typeof key === 'string' && key ? key : undefined;
  },
  upstreamAuth: (key) => ({ 'x-goog-api-key': key }),
  allowlist: ALLOWLIST,
  forwardedHeaders: ['content-type', 'accept', 'user-agent', 'x-goog-api-client'],
  returnedHeaders: ['content-type', 'retry-after', 'x-gemini-service-tier'],
  callRequest(body, target): CallRequest | string {
    const [path = '', query = ''] = target.split('?', 2);
    const call = modelCall(path);
    if (!call || !MODEL_ID.test(call.model)) return `the path must name a model id (${MODEL_ID.source})`;
    const params = new URLSearchParams(query);
    // A key in the URL would be forwarded upstream with it: the token goes in x-goog-api-key only.
    if (params.has('key')) return 'key: the credential goes in the x-goog-api-key header, not the URL';
    // Usage is read from server-sent events: a stream in another format would go unmetered.
    if (call.method === 'streamGenerateContent' && params.get('alt') !== 'sse')
      return 'alt: streamGenerateContent is served with alt=sse only';
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return 'the body must be a JSON object';
    const config = (body as { generationConfig?: unknown }).generationConfig;
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config)))
      return 'generationConfig: must be an object';
    const max = (config as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens;
    if (max !== undefined && !positiveInteger(max))
      return 'generationConfig.maxOutputTokens: a positive integer, when given';
    return {
      model: call.model,
      stream: call.method === 'streamGenerateContent',
      maxTokens: positiveInteger(max) ? max : MAX_OUTPUT_TOKENS,
    };
  },
  // An implicit cache costs no write, and an explicit one is made apart (cachedContents, not served
  // here): every byte is input. The window of its 2.x models.
  inputBound: (_body, bodyBytes) => ({
    bytes: { input: bodyBytes, cacheWrite: 0, cacheWrite1h: 0 },
    maxTokens: 1_048_576,
  }),
  capped(body, maxTokens) {
    const b = body as { generationConfig?: object };
    return { ...b, generationConfig: { ...(b.generationConfig ?? {}), maxOutputTokens: maxTokens } };
  },
  usageReader: (stream) =>
    stream
      ? new SseUsageReader({
          key: '"usageMetadata"',
          read: (event, before) =>
            geminiTokens((event as { usageMetadata?: unknown }).usageMetadata) ?? before,
          // Each chunk states the counts so far: the one that ends the answer states them all.
          final: (event) =>
            ends(event) && geminiTokens((event as { usageMetadata?: unknown }).usageMetadata) !== undefined,
        })
      : new JsonUsageReader((answer) => geminiTokens((answer as { usageMetadata?: unknown }).usageMetadata)),
  error(kind, message) {
    const { status, reason } = ERRORS[kind];
    const error = { code: status, message, status: reason };
    return { status, body: { error: kind === 'budget' ? { ...error, details: [SPENT] } : error } };
  },
};
