// The usage of a streamed Anthropic answer, read from its server-sent events as they pass through the
// gateway (never holding the stream): message_start states the input and cache counts, each
// message_delta the cumulative output (docs/economics.md "The model gateway"). Only what a line holds
// is kept, and a line longer than the cap is skipped whole: usage events are small, text deltas are not
// needed.
import { StringDecoder } from 'node:string_decoder';
import { anthropicTokens, type CallTokens } from './tokens.js';

/** A longer SSE line is not an event this reader needs; it is dropped rather than held. */
const MAX_LINE_BYTES = 256 * 1024;

export class SseUsageReader {
  private tokens: CallTokens | undefined;
  private partial = '';
  private skipping = false;
  private model: string | undefined;
  private readonly decoder = new StringDecoder('utf8');

  /** Feeds the next bytes of the stream as they arrived (a chunk may end mid-line, or mid-character). */
  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = this.skipping ? '' : this.partial + text.slice(start, nl);
      if (!this.skipping) this.line(line.endsWith('\r') ? line.slice(0, -1) : line);
      this.partial = '';
      this.skipping = false;
      start = nl + 1;
    }
    if (this.skipping) return;
    this.partial += text.slice(start);
    if (this.partial.length > MAX_LINE_BYTES) {
      this.partial = '';
      this.skipping = true;
    }
  }

  /** The counts seen so far (a cut stream's partial figure); undefined when no usage came. */
  usage(): CallTokens | undefined {
    return this.tokens;
  }

  /** The model message_start named, if any. */
  answeredModel(): string | undefined {
    return this.model;
  }

  private line(line: string): void {
    if (!line.startsWith('data:')) return;
    let event: { type?: unknown; message?: { usage?: unknown; model?: unknown }; usage?: unknown };
    try {
      event = JSON.parse(line.slice(5));
    } catch {
      return;
    }
    if (event.type === 'message_start') {
      this.tokens = anthropicTokens(event.message?.usage);
      if (typeof event.message?.model === 'string') this.model = event.message.model;
    } else if (event.type === 'message_delta' && this.tokens) {
      this.tokens = anthropicTokens(event.usage, this.tokens);
    }
  }
}
