// Health and readiness endpoints in the apiserver's own format: each named check is a small function
// that returns why it fails (or undefined), so a failing probe says what is wrong, not just "no".
import type { RequestListener } from 'node:http';

/** Resolves to undefined when healthy, or to the reason it is not. */
export type Check = () => string | undefined | Promise<string | undefined>;

export interface CheckReport {
  ok: boolean;
  /** `[+]name ok` / `[-]name failed: reason`, in registration order. */
  lines: string[];
}

export class HealthChecks {
  private readonly checks = new Map<string, Check>();

  constructor(
    /** 'healthz' or 'readyz': names the endpoint in the summary line. */
    readonly endpoint: string,
    /** A check that has not answered by then fails, so a hung check cannot hang the probe. Default 5 s. */
    private readonly checkTimeoutMs = 5_000,
  ) {}

  add(name: string, check: Check): void {
    if (this.checks.has(name)) throw new Error(`${this.endpoint}: a check named ${name} already exists`);
    this.checks.set(name, check);
  }

  async run(): Promise<CheckReport> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const reason = await this.runOne(check);
        return reason === undefined ? `[+]${name} ok` : `[-]${name} failed: ${reason}`;
      }),
    );
    return { ok: results.every((line) => line.startsWith('[+]')), lines: results };
  }

  private async runOne(check: Check): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve().then(check),
        new Promise<string>((resolve) => {
          timer = setTimeout(
            () => resolve(`no answer within ${this.checkTimeoutMs} ms`),
            this.checkTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      return (err as Error).message ?? String(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Serves `/healthz` and `/readyz`: 200 `ok` when every check passes, else 500 with every check's line. */
export function probeHandler(healthz: HealthChecks, readyz: HealthChecks): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://probe');
    const checks = url.pathname === '/healthz' ? healthz : url.pathname === '/readyz' ? readyz : undefined;
    if (!checks || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    void checks.run().then((report) => {
      const verbose = url.searchParams.has('verbose') || !report.ok;
      const summary = `${checks.endpoint} check ${report.ok ? 'passed' : 'failed'}`;
      const body = verbose ? `${[...report.lines, summary].join('\n')}\n` : 'ok';
      res.writeHead(report.ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
    });
  };
}
