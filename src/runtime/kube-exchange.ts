// One HTTP exchange with the apiserver on undici's dispatch API: the answer's head, then its body
// kept whole, streamed as text or dropped. No stream object per answer (undici's `request` makes a
// Readable of every body): the body's chunks go straight to where they are used, which is what makes
// a call cheaper than on node:https (docs/decisions/0001-http-transport-undici.md).
import type { Dispatcher } from 'undici';

export interface ExchangeRequest {
  /** The server's URL (a proxy agent routes by it). */
  origin: string;
  method: string;
  /** Path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Fails the exchange when the body is silent this long (undici's UND_ERR_BODY_TIMEOUT); 0: never. */
  bodyTimeoutMs: number;
}

type Sink =
  | { mode: 'held' }
  | { mode: 'text'; resolve: (text: string) => void; reject: (err: unknown) => void }
  | { mode: 'stream'; onData: (chunk: string) => void; resolve: () => void; reject: (err: unknown) => void }
  | { mode: 'drop'; resolve: () => void; reject: (err: unknown) => void };

/** Where the body's consumer threw: the exchange is ended with what it threw, as it threw it. */
export class ConsumerError {
  constructor(readonly error: unknown) {}
}

export class Exchange implements Dispatcher.DispatchHandler {
  /** Settles with the status once the head arrived; rejects when none came. */
  readonly head: Promise<number>;
  private settleHead!: { resolve: (status: number) => void; reject: (err: unknown) => void };
  private controller: Dispatcher.DispatchController | undefined;
  private aborted: { reason: unknown } | undefined;
  private sink: Sink = { mode: 'held' };
  private held: Buffer[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private readonly decoder = new TextDecoder();

  constructor(dispatcher: Dispatcher, request: ExchangeRequest) {
    this.head = new Promise((resolve, reject) => {
      this.settleHead = { resolve, reject };
    });
    dispatcher.dispatch(
      {
        origin: request.origin,
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers,
        body: request.body,
        headersTimeout: 0,
        bodyTimeout: request.bodyTimeoutMs,
      },
      this,
    );
  }

  /** Ends the exchange where it is: what waits on it rejects with `reason`. */
  abort(reason: unknown): void {
    if (this.aborted || this.ended || this.failure) return;
    this.aborted = { reason };
    this.controller?.abort(asError(reason));
  }

  /** Whether abort() ended it. */
  get wasAborted(): boolean {
    return this.aborted !== undefined;
  }

  /** The whole body as UTF-8 text. */
  text(): Promise<string> {
    return new Promise((resolve, reject) => this.consume({ mode: 'text', resolve, reject }));
  }

  /** The body as it arrives, as text; resolves at its end. */
  stream(onData: (chunk: string) => void): Promise<void> {
    return new Promise((resolve, reject) => this.consume({ mode: 'stream', onData, resolve, reject }));
  }

  /** Reads the body to its end without keeping it (the connection is then reused). */
  drop(): Promise<void> {
    return new Promise((resolve, reject) => this.consume({ mode: 'drop', resolve, reject }));
  }

  private consume(sink: Exclude<Sink, { mode: 'held' }>): void {
    this.sink = sink;
    const held = this.held;
    this.held = [];
    for (const chunk of held) if (!this.deliver(chunk)) return;
    if (this.failure) sink.reject(this.failure.error);
    else if (this.ended) this.finish();
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.aborted) controller.abort(asError(this.aborted.reason));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    // 1xx answers are not passed on by undici; the first head is the answer's.
    this.settleHead.resolve(statusCode);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.sink.mode === 'held') this.held.push(chunk);
    else this.deliver(chunk);
  }

  onResponseEnd(): void {
    this.ended = true;
    if (this.sink.mode !== 'held') this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.failure) return; // its consumer threw: already failed with that
    const cause = this.aborted ? this.aborted.reason : error;
    this.failure = { error: cause };
    this.settleHead.reject(cause);
    if (this.sink.mode !== 'held') this.sink.reject(cause);
  }

  /** Hands one chunk to the sink; false when its consumer threw (the exchange is then aborted). */
  private deliver(chunk: Buffer): boolean {
    const sink = this.sink;
    if (sink.mode === 'text' || sink.mode === 'held') this.held.push(chunk);
    else if (sink.mode === 'stream') {
      try {
        sink.onData(this.decoder.decode(chunk, { stream: true }));
      } catch (err) {
        this.failure = { error: new ConsumerError(err) };
        this.controller?.abort(asError(err));
        sink.reject(this.failure.error);
        return false;
      }
    }
    return true;
  }

  private finish(): void {
    const sink = this.sink;
    if (this.failure || sink.mode === 'held') return;
    if (sink.mode === 'text') sink.resolve(Buffer.concat(this.held).toString('utf8'));
    else if (sink.mode === 'stream') {
      const rest = this.decoder.decode();
      if (rest) sink.onData(rest);
      sink.resolve();
    } else sink.resolve();
    this.held = [];
  }
}

const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error('aborted'));
