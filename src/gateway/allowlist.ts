// What the gateway forwards of a provider call's body and beta flags (decision 0067): the fields, tool
// kinds and flags the pinned agent CLIs send, and nothing else. A provider's server-side tools (web
// search and fetch, an MCP connector, code execution) reach URLs or run code at the provider, past the
// egress allowlist, with the platform's key, for fees the price table has no price for: they are refused,
// as is every field or flag the gateway does not know, so that what is forwarded is what was priced.
import type { IncomingHttpHeaders } from 'node:http';

export interface Allowlist {
  /** The body's top-level fields forwarded. */
  fields: readonly string[];
  /** The kinds a `tools` entry declares: its `type` (Anthropic's, OpenAI's), or its keys (Gemini's). */
  toolKinds(tool: unknown): string[];
  /** The tool kinds forwarded: the agent's own tools, which the CLI runs, never the provider. */
  tools: readonly string[];
  /** The request header listing beta flags, comma-separated, and the flags forwarded. */
  betas?: { header: string; allowed: readonly string[] };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const listed = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');

function fieldProblem(list: Allowlist, body: Record<string, unknown>): string | undefined {
  const field = Object.keys(body).find((k) => !list.fields.includes(k));
  if (field === undefined) return undefined;
  return `${field}: not forwarded: the gateway forwards only the fields the agent CLIs send (${listed(list.fields)})`;
}

function toolProblem(list: Allowlist, tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: must be an array';
  for (const [i, tool] of tools.entries()) {
    const kind = list.toolKinds(tool).find((k) => !list.tools.includes(k));
    if (kind !== undefined)
      return `tools[${i}]: ${JSON.stringify(kind)} is refused: only the agent's own tools are forwarded (${listed(list.tools)}); a tool the provider runs itself would fetch URLs or run code past the egress allowlist, for fees the platform has no price for`;
  }
  return undefined;
}

function betaProblem(list: Allowlist, headers: IncomingHttpHeaders): string | undefined {
  if (!list.betas) return undefined;
  const { header, allowed } = list.betas;
  const value = headers[header];
  const flags = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((f) => f.trim());
  const flag = flags.find((f) => f !== '' && !allowed.includes(f));
  if (flag === undefined) return undefined;
  return `${header}: ${JSON.stringify(flag)} is not a beta flag the gateway forwards (${listed(allowed)})`;
}

/** Why a call's body or beta flags may not go upstream, naming the field and the rule; undefined: they may. */
export function allowlistProblem(
  list: Allowlist,
  body: unknown,
  headers: IncomingHttpHeaders,
): string | undefined {
  if (!isObject(body)) return 'the body must be a JSON object';
  return fieldProblem(list, body) ?? toolProblem(list, body.tools) ?? betaProblem(list, headers);
}
