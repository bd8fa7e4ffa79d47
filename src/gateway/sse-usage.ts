// The usage of a streamed answer, read from its server-sent events as they pass through the gateway
// (never holding the stream). Each provider says which events state it (`SseUsage`): Anthropic's
// message_start states the input and cache counts, each message_delta the cumulative output
// (docs/economics.md "The model gateway"). The bytes are searched,
// not decoded: a chunk is searched for the provider's usage key, and only a data line holding it is cut out
// (at newline bytes, which are never part of a multi-byte UTF-8 character), decoded and parsed, so the
// many text deltas of an answer cost nothing each. Only the unfinished last line is kept, and a line
// longer than the cap is skipped whole: usage events are small, text deltas are not needed.
import type { UsageReader } from './provider.js';
import { anthropicTokens, type CallTokens } from './tokens.js';

/** A longer SSE line is not an event this reader needs; it is dropped rather than held. */
const MAX_LINE_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
const DATA = Buffer.from('data:');

/** How a provider's stream states usage. */
export interface SseUsage {
  /** The key of the usage object, as the API writes it (a key spelled with escapes would not be seen; the APIs write none). */
  key: string;
  /** The counts after one event that holds the key, from those before it (undefined: none yet). */
  read(event: unknown, before: CallTokens | undefined): CallTokens | undefined;
  /** Whether the event states the call's final usage: nothing after it changes the bill. */
  final(event: unknown): boolean;
}

/** Anthropic's: message_start's message.usage, then each message_delta's cumulative usage. */
export const ANTHROPIC_SSE_USAGE: SseUsage = {
  key: '"usage"',
  read(data, before) {
    const event = data as { type?: unknown; message?: { usage?: unknown }; usage?: unknown };
    if (event.type === 'message_start') return anthropicTokens(event.message?.usage);
    if (event.type === 'message_delta' && before) return anthropicTokens(event.usage, before);
    return before;
  },
  // message_start states the output so far (1); message_delta the whole output, once it is generated.
  final: (event) => (event as { type?: unknown }).type === 'message_delta',
};

export class SseUsageReader implements UsageReader {
  private tokens: CallTokens | undefined;
  private ended = false;
  /** The bytes of the line still unfinished at the end of the last chunk (copies). */
  private partial: Buffer[] = [];
  private partialBytes = 0;
  private skipping = false;
  private model: string | undefined;
  private readonly usageKey: Buffer;

  constructor(private readonly events: SseUsage = ANTHROPIC_SSE_USAGE) {
    this.usageKey = Buffer.from(events.key);
  }

  /** Feeds the next bytes of the stream as they arrived (a chunk may end mid-line, or mid-character). */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.partialBytes > 0 || this.skipping) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.hold(chunk);
        return;
      }
      if (!this.skipping) this.line(Buffer.concat([...this.partial, chunk.subarray(0, nl)]));
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      start = nl + 1;
    }
    // Only the lines that hold the key are cut out: a search of the chunk, not of each line.
    const end = chunk.lastIndexOf(NEWLINE) + 1;
    for (let at = chunk.indexOf(this.usageKey, start); at !== -1 && at < end; ) {
      const from = Math.max(start, chunk.lastIndexOf(NEWLINE, at) + 1);
      const nl = chunk.indexOf(NEWLINE, at);
      this.line(chunk.subarray(from, nl));
      at = chunk.indexOf(this.usageKey, nl + 1);
    }
    if (Math.max(start, end) < chunk.length) this.hold(chunk.subarray(Math.max(start, end)));
  }

  /** The counts seen so far (a cut stream's partial figure); undefined when no usage came. */
  usage(): CallTokens | undefined {
    return this.tokens;
  }

  final(): boolean {
    return this.ended && this.tokens !== undefined;
  }

  /** The model message_start named, if any. */
  answeredModel(): string | undefined {
    return this.model;
  }

  private hold(bytes: Buffer): void {
    if (this.skipping) return;
    this.partialBytes += bytes.length;
    if (this.partialBytes > MAX_LINE_BYTES) {
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = true;
      return;
    }
    // A copy: the chunk itself is the client's to write, and may be large.
    this.partial.push(Buffer.from(bytes));
  }

  /** A whole line (without its newline) that holds the usage key, or was held across chunks. */
  private line(line: Buffer): void {
    if (line.length <= DATA.length || DATA.compare(line, 0, DATA.length) !== 0) return;
    if (line.indexOf(this.usageKey, DATA.length) === -1) return;
    let event: { type?: unknown; message?: { model?: unknown } };
    try {
      event = JSON.parse(line.toString('utf8', DATA.length));
    } catch {
      return;
    }
    if (typeof event !== 'object' || event === null) return;
    this.tokens = this.events.read(event, this.tokens);
    if (this.events.final(event)) this.ended = true;
    if (event.type === 'message_start' && typeof event.message?.model === 'string')
      this.model = event.message.model;
  }
}
