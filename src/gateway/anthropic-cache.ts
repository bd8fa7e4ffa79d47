// Which bytes of a Messages API request may be billed as cache writes (decision 0049): the prompt is
// cached in the order tools, system, messages, and a prefix is written up to a block that carries a
// `cache_control` breakpoint (or, with one at the top of the request, up to its end). Bytes after the
// last breakpoint are plain input (or cache reads); bytes up to it may be writes, at the price of the
// breakpoint's lifetime (`ttl` "1h", else five minutes), and bytes up to the last one-hour breakpoint at
// the one-hour price. The body is parsed once, by the handler: this reads the parsed object, and turns
// into JSON again only the blocks after a breakpoint, to measure them.
import type { InputBytes } from './input-bound.js';

type Ttl = 0 | 5 | 60;

const ttlOf = (control: unknown): Ttl =>
  typeof control === 'object' && control !== null
    ? (control as { ttl?: unknown }).ttl === '1h'
      ? 60
      : 5
    : 0;

/** The longest lifetime of a breakpoint in a block or the blocks it holds (a tool result's content). */
function blockTtl(block: unknown, depth = 0): Ttl {
  if (typeof block !== 'object' || block === null || depth > 4) return 0;
  const b = block as { cache_control?: unknown; content?: unknown; source?: { content?: unknown } };
  let ttl = ttlOf(b.cache_control);
  for (const inner of [b.content, b.source?.content])
    if (Array.isArray(inner)) for (const i of inner) ttl = Math.max(ttl, blockTtl(i, depth + 1)) as Ttl;
  return ttl;
}

/** The request's cacheable blocks, in the order the prompt is cached. */
function units(body: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  if (Array.isArray(body.tools)) out.push(...body.tools);
  if (Array.isArray(body.system)) out.push(...body.system);
  else if (body.system !== undefined) out.push(body.system);
  if (Array.isArray(body.messages))
    for (const m of body.messages) {
      const content = (m as { content?: unknown } | null)?.content;
      if (Array.isArray(content)) out.push(...content);
      else out.push(m);
    }
  return out;
}

/** The blocks' JSON, less the brackets of the array (the body holds them in at least as many bytes). */
const json = (values: unknown[]): string => (values.length === 0 ? '' : JSON.stringify(values).slice(1, -1));

/** A breakpoint's key, as JSON.stringify writes one (a text that holds these characters escapes its quotes). */
const BREAKPOINT_KEY = '"cache_control":';

/** `bodyBytes` bytes of the request `body` by the dearest input kind each may be billed as. */
export function anthropicInputBytes(body: unknown, bodyBytes: number): InputBytes {
  const b = (body ?? {}) as Record<string, unknown>;
  const all = units(b);
  let last = -1;
  let last1h = -1;
  all.forEach((unit, i) => {
    const ttl = blockTtl(unit);
    if (ttl > 0) last = i;
    if (ttl === 60) last1h = i;
  });
  const top = ttlOf(b.cache_control);
  if (top > 0) last = all.length - 1;
  if (top === 60) last1h = all.length - 1;
  if (last < 0) return { input: bodyBytes, cacheWrite: 0, cacheWrite1h: 0 };
  // The JSON of the blocks measures at most their bytes in the body (which may hold extra escapes and
  // space), so the rest of the body, priced as writes, is never less than the written prefix.
  const tail = json(all.slice(last + 1));
  // A breakpoint nested where the walk does not look still makes the tail a write: priced as one.
  const plain = tail.includes(BREAKPOINT_KEY) ? 0 : Buffer.byteLength(tail);
  if (last1h < 0) return { input: plain, cacheWrite: bodyBytes - plain, cacheWrite1h: 0 };
  const five = last1h === last ? 0 : Buffer.byteLength(json(all.slice(last1h + 1, last + 1)));
  return { input: plain, cacheWrite: five, cacheWrite1h: bodyBytes - plain - five };
}
