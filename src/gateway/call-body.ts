// A call's body as the gateway forwards it (decision 0067): parsed once, refused when an object repeats
// a key or the body asks for more than the provider's allowlist, and turned into JSON again from the
// parsed object, so that the provider reads what the gateway checked and priced, never bytes that two
// parsers could read apart.
import type { IncomingHttpHeaders } from 'node:http';
import { allowlistProblem } from './allowlist.js';
import { duplicateKey } from './duplicate-key.js';
import type { Provider } from './provider.js';

export interface CallBody {
  parsed: unknown;
  /** JSON.stringify of `parsed`: what goes upstream. */
  bytes: Buffer;
}

/** The body to forward, or why it is refused (said to the client). */
export function callBody(
  provider: Provider,
  raw: Buffer,
  headers: IncomingHttpHeaders,
  path: string,
): CallBody | string {
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the body must be JSON';
  }
  const twice = duplicateKey(text);
  if (twice !== undefined)
    return `${twice}: a key given twice in one object is refused (parsers keep one or the other: the call priced and the call run could differ)`;
  const unmeterable =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? provider.unmeterable?.(parsed as Record<string, unknown>, path)
      : undefined;
  if (unmeterable !== undefined) return unmeterable;
  const refused = allowlistProblem(provider.allowlist, parsed, headers);
  if (refused !== undefined) return refused;
  return { parsed, bytes: Buffer.from(JSON.stringify(parsed)) };
}
