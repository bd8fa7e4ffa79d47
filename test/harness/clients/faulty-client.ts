// A KubeClient for crash tests: write calls fail at seeded random points, either before they reach the
// apiserver or after it applied them (the answer is lost: the worst case for idempotency), and the
// client can "die" after a given number of writes, as the process would if killed at that instant:
// from then on nothing it sends reaches the apiserver and no answer reaches the caller.
import type { KubeConfig } from '@kubernetes/client-node';
import { type CallOptions, KubeClient, type Query, type WatchEvent } from '../../../src/runtime/index.js';
import type { WatchOptions } from '../../../src/runtime/kube-client.js';
import { REQUEST_LIMIT_MS } from '../util/wait.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A small seeded PRNG (mulberry32): the same seed gives the same faults, so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The seed from `env` (to replay a failure) or a fresh one; the caller prints it. */
export function testSeed(env: string): number {
  const given = process.env[env];
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}

export class InjectedFault extends Error {
  constructor(when: 'before' | 'after' | 'dead', method: string, path: string) {
    super(`injected fault (${when}) on ${method} ${path}`);
    this.name = 'InjectedFault';
  }
}

export interface FaultOptions {
  random: () => number;
  /** Share of writes that fail before reaching the apiserver. */
  failBefore: number;
  /** Share of writes applied by the apiserver whose answer is then lost. */
  failAfter: number;
  /** The client dies once this many writes were sent (the last one applied, its answer lost). */
  dieAfterWrites?: number;
  /** Called once, when the client dies. */
  onDeath?: () => void;
}

export class FaultyClient extends KubeClient {
  readonly injected = { before: 0, after: 0 };
  writes = 0;
  private dead = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly faults: FaultOptions,
  ) {
    super(kubeConfig, { requestTimeoutMs: REQUEST_LIMIT_MS });
  }

  get isDead(): boolean {
    return this.dead;
  }

  override async request<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    if (this.dead) throw new InjectedFault('dead', method, path);
    if (!WRITES.has(method)) return this.answer(await super.request<T>(method, path, opts), method, path);
    this.writes++;
    const dies = this.faults.dieAfterWrites !== undefined && this.writes >= this.faults.dieAfterWrites;
    const draw = this.faults.random();
    if (!dies && draw < this.faults.failBefore) {
      this.injected.before++;
      throw new InjectedFault('before', method, path);
    }
    const sent = super.request<T>(method, path, opts);
    if (dies) this.die();
    const result = await sent;
    if (draw < this.faults.failBefore + this.faults.failAfter) {
      this.injected.after++;
      throw new InjectedFault('after', method, path);
    }
    return this.answer(result, method, path);
  }

  override watch(
    path: string,
    query: Query,
    onEvent: (event: WatchEvent) => void,
    opts: WatchOptions,
  ): Promise<void> {
    if (this.dead) return Promise.reject(new InjectedFault('dead', 'WATCH', path));
    // A dead process hears no more events.
    return super.watch(path, query, (event) => this.dead || onEvent(event), opts);
  }

  /** An answer that arrives after death is lost. */
  private answer<T>(result: T, method: string, path: string): T {
    if (this.dead) throw new InjectedFault('dead', method, path);
    return result;
  }

  private die(): void {
    if (this.dead) return;
    this.dead = true;
    this.faults.onDeath?.();
  }
}
