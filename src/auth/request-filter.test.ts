import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import t from 'tap';
import type { AccessAttributes, AccessReviewer, UserInfo } from './kube-reviewer.js';
import { withAccessCheck } from './request-filter.js';

/** Tokens and the non-resource requests allowed to their users; `down` answers nothing. */
class Reviewer implements AccessReviewer {
  readonly asked: AccessAttributes[] = [];
  down = false;
  async authenticate(token: string) {
    if (this.down) throw new Error('connect ECONNREFUSED');
    return token === 'reader' || token === 'other'
      ? { authenticated: true as const, user: { username: `system:serviceaccount:ns:${token}` } }
      : { authenticated: false as const, reason: 'invalid bearer token' };
  }
  async authorize(user: UserInfo, attributes: AccessAttributes) {
    this.asked.push(attributes);
    return { allowed: user.username.endsWith(':reader'), reason: '' };
  }
}

async function serve(t: { teardown(fn: () => unknown): void }, reviewer: Reviewer) {
  const server = createServer(
    withAccessCheck(reviewer, (_req, res) => res.end('metrics\n'), pino({ level: 'silent' })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as AddressInfo;
  return async (token?: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics?x=1`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };
}

t.test(
  '401 without a token or with a bad one, 403 when RBAC says no, the handler when it says yes',
  async (t) => {
    const reviewer = new Reviewer();
    const get = await serve(t, reviewer);
    const none = await get();
    t.equal(none.status, 401);
    t.match(none.body, /no bearer token/);
    t.equal(none.headers.get('www-authenticate'), 'Bearer');
    t.match(await get('forged'), { status: 401, body: /invalid bearer token/ });
    t.match(await get('other'), {
      status: 403,
      body: /User "system:serviceaccount:ns:other" cannot get path "\/metrics"/,
    });
    t.match(await get('reader'), { status: 200, body: 'metrics\n' });
    t.match(await get('reader', 'HEAD'), { status: 200 }, 'HEAD is asked as get');
    t.same(
      reviewer.asked,
      Array(3).fill({ nonResource: { verb: 'get', path: '/metrics' } }),
      'the lowercased method on the path, without the query',
    );
  },
);

t.test('503 with Retry-After when the apiserver cannot be asked: nothing is served unchecked', async (t) => {
  const reviewer = new Reviewer();
  reviewer.down = true;
  const answer = await (await serve(t, reviewer))('reader');
  t.equal(answer.status, 503);
  t.equal(answer.headers.get('retry-after'), '5');
  t.match(answer.body, /access check could not be made: connect ECONNREFUSED/);
});
