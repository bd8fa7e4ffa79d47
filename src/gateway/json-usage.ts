// The usage of a JSON (not streamed) answer: its body kept up to a bound and read once it ends, by
// the provider's reading of its usage object (docs/economics.md "The model gateway").
import { StringDecoder } from 'node:string_decoder';
import type { UsageReader } from './provider.js';
import type { CallTokens } from './tokens.js';

/** Past this, a JSON answer's usage is not read (a JSON message is far smaller); the call is billed by its request's ceiling. */
const MAX_JSON_ANSWER_BYTES = 8 * 1024 * 1024;

export class JsonUsageReader implements UsageReader {
  private text = '';
  private over = false;
  private readonly decoder = new StringDecoder('utf8');

  /** `read`: the counts of the parsed answer (an object), or undefined when it states none. */
  constructor(private readonly read: (answer: object) => CallTokens | undefined) {}

  push(chunk: Buffer): void {
    if (this.over) return;
    this.text += this.decoder.write(chunk);
    if (this.text.length > MAX_JSON_ANSWER_BYTES) {
      this.over = true;
      this.text = '';
    }
  }

  /** A JSON answer states its usage once, whole: any usage it states is final. */
  final(): boolean {
    return this.usage() !== undefined;
  }

  usage(): CallTokens | undefined {
    if (this.over) return undefined;
    try {
      const answer: unknown = JSON.parse(this.text);
      return typeof answer === 'object' && answer !== null ? this.read(answer) : undefined;
    } catch {
      return undefined;
    }
  }
}
