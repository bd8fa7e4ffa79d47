import { request } from 'node:https';

/** GET `${server}/readyz` with a bearer token, trusting `caPem`; resolves to the status line or error. */
export function probeReady(server: string, token: string, caPem: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      `${server}/readyz`,
      { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 ? 'ok' : `HTTP ${res.statusCode}`);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}
