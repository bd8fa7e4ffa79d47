import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import type { ApiRequester, CallOptions } from '../runtime/index.js';
import { checkRequest } from './check-request.js';
import { KubeReviewer } from './kube-reviewer.js';
import { TtlCache } from './ttl-cache.js';

/** An apiserver stand-in answering reviews from tables, counting the questions it was asked. */
class Reviews implements ApiRequester {
  readonly asked: { path: string; body: unknown }[] = [];
  tokens = new Map<string, { username: string; audiences: string[] }>();
  allowed = new Set<string>();
  down = false;
  async request<T>(_method: string, path: string, opts: CallOptions = {}): Promise<T> {
    this.asked.push({ path, body: opts.body });
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const spec = (opts.body as { spec: Record<string, unknown> }).spec;
    if (path.endsWith('/tokenreviews')) {
      const user = this.tokens.get(spec.token as string);
      return {
        status: user
          ? { authenticated: true, user, audiences: user.audiences }
          : { authenticated: false, error: 'invalid bearer token' },
      } as T;
    }
    const a = spec.resourceAttributes as { verb: string; namespace: string };
    return { status: { allowed: this.allowed.has(`${spec.user} ${a.verb} ${a.namespace}`) } } as T;
  }
}

const attrs = (namespace: string) => ({
  resource: { verb: 'create', group: 'orchestrator.io', resource: 'agenttaskruns', namespace },
});

t.test('the TTL cache expires each entry by its own lifetime and drops the oldest when full', async (t) => {
  const clock = new ManualClock();
  const cache = new TtlCache<string>({ maxEntries: 2, clock });
  cache.set('a', 'A', 100);
  cache.set('b', 'B', 10);
  clock.advanceTo(10);
  t.equal(cache.get('b'), undefined, 'b expired');
  t.equal(cache.get('a'), 'A');
  cache.set('c', 'C', 100);
  cache.set('d', 'D', 100);
  t.equal(cache.size, 2);
  t.equal(cache.get('a'), undefined, 'the oldest dropped');
  t.equal(cache.get('d'), 'D');
});

t.test('answers are cached: an allow for 5 minutes, a denial for 30 seconds, keyed by a hash', async (t) => {
  const clock = new ManualClock();
  const api = new Reviews();
  api.tokens.set('good', { username: 'alice', audiences: ['orchestrator'] });
  api.allowed.add('alice create team-a');
  const reviewer = new KubeReviewer({ client: api, audience: 'orchestrator', clock });

  t.same(await checkRequest(reviewer, 'Bearer good', attrs('team-a')), {
    ok: true,
    user: { username: 'alice', audiences: ['orchestrator'] },
  });
  t.match(await checkRequest(reviewer, 'Bearer good', attrs('team-b')), { ok: false, status: 403 });
  t.equal(api.asked.length, 3, 'one TokenReview, two SubjectAccessReviews');
  t.same((api.asked[0]?.body as { spec: unknown } | undefined)?.spec, {
    token: 'good',
    audiences: ['orchestrator'],
  });

  clock.advanceTo(29_999);
  await checkRequest(reviewer, 'Bearer good', attrs('team-a'));
  await checkRequest(reviewer, 'Bearer good', attrs('team-b'));
  t.equal(api.asked.length, 3, 'all from the cache');
  clock.advanceTo(30_000);
  await checkRequest(reviewer, 'Bearer good', attrs('team-b'));
  t.equal(api.asked.length, 4, 'the denial asked again after 30 s');
  clock.advanceTo(5 * 60_000 - 1);
  await checkRequest(reviewer, 'Bearer good', attrs('team-a'));
  t.equal(api.asked.length, 4, 'the allow still cached');
  clock.advanceTo(5 * 60_000);
  await checkRequest(reviewer, 'Bearer good', attrs('team-a'));
  t.equal(api.asked.length, 6, 'token and allow asked again after 5 min');

  const kept = JSON.stringify((reviewer as unknown as { tokens: unknown }).tokens, (_k, v) =>
    v instanceof Map ? [...v.keys()] : v,
  );
  t.notMatch(kept, /good/, 'the cache holds no raw token');
  t.match(kept, /token:[0-9a-f]{64}/, 'tokens are keyed by their SHA-256');
});

t.test('401 without a token, with a bad one, and with one for another audience', async (t) => {
  const api = new Reviews();
  api.tokens.set('kube', { username: 'admin', audiences: ['https://kubernetes.default.svc'] });
  const reviewer = new KubeReviewer({ client: api, audience: 'orchestrator' });
  t.match(await checkRequest(reviewer, undefined, attrs('a')), {
    ok: false,
    status: 401,
    reason: /no bearer token/,
  });
  t.match(await checkRequest(reviewer, 'Basic abc', attrs('a')), { ok: false, status: 401 });
  t.match(await checkRequest(reviewer, 'Bearer nope', attrs('a')), {
    ok: false,
    status: 401,
    reason: 'invalid bearer token',
  });
  t.match(await checkRequest(reviewer, 'Bearer kube', attrs('a')), {
    ok: false,
    status: 401,
    reason: /audience "orchestrator"/,
  });
});

t.test(
  'concurrent questions share one review; an apiserver that does not answer is an error, not cached',
  async (t) => {
    const api = new Reviews();
    api.tokens.set('good', { username: 'alice', audiences: ['orchestrator'] });
    const reviewer = new KubeReviewer({ client: api, audience: 'orchestrator' });
    await Promise.all([1, 2, 3].map(() => reviewer.authenticate('good')));
    t.equal(api.asked.length, 1);
    api.down = true;
    await t.rejects(reviewer.authenticate('other'), { code: 'ECONNREFUSED' });
    api.down = false;
    t.match(await reviewer.authenticate('other'), { authenticated: false }, 'asked again once it answers');
    t.equal(api.asked.length, 3);
  },
);

t.test('a SubjectAccessReview carries the user, groups and the attributes asked', async (t) => {
  const api = new FakeApi();
  const reviewer = new KubeReviewer({ client: api, audience: 'orchestrator' });
  api.failNext('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', apiError(500));
  await t.rejects(reviewer.authorize({ username: 'u' }, attrs('x')));
  await reviewer.authorize(
    { username: 'u', groups: ['g'], uid: '1' },
    { nonResource: { verb: 'get', path: '/metrics' } },
  );
  t.same(api.calls.at(-1)?.body, {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user: 'u', uid: '1', groups: ['g'], nonResourceAttributes: { verb: 'get', path: '/metrics' } },
  });
});

t.test("no audience: the TokenReview asks for the apiserver's own, and its answer is taken", async (t) => {
  const api = new Reviews();
  api.tokens.set('sa', { username: 'prometheus', audiences: ['https://kubernetes.default.svc'] });
  const reviewer = new KubeReviewer({ client: api });
  t.match(await reviewer.authenticate('sa'), { authenticated: true, user: { username: 'prometheus' } });
  t.same((api.asked[0]?.body as { spec: unknown } | undefined)?.spec, { token: 'sa' }, 'no audiences sent');
});

t.test('the TTL cache is bounded in bytes too: large answers push the oldest out', async (t) => {
  const cache = new TtlCache<string>({ maxEntries: 1000, maxBytes: 4096, sizeOf: (v) => 2 * v.length });
  for (let i = 0; i < 10; i++) cache.set(`k${i}`, 'x'.repeat(500), 60_000);
  t.ok(cache.bytes <= 4096, `${cache.bytes} bytes held`);
  t.ok(cache.size < 10 && cache.size >= 3, `${cache.size} entries kept`);
  t.equal(cache.get('k9')?.length, 500, 'the newest kept');
  t.equal(cache.get('k0'), undefined, 'the oldest dropped');
  cache.set('huge', 'x'.repeat(10_000), 60_000);
  t.equal(cache.get('huge'), undefined, 'an answer over the whole budget is not kept');
  t.ok(cache.bytes <= 4096);
});

t.test(
  'a question is keyed by its digest: a requester of 1 MB costs the cache what a short one does',
  async (t) => {
    const api = new Reviews();
    const reviewer = new KubeReviewer({ client: api });
    await reviewer.authorize({ username: 'alice' }, attrs('team-a'));
    const small = reviewer.cachedBytes;
    await reviewer.authorize(
      { username: `m${'x'.repeat(1_000_000)}`, groups: ['g'.repeat(100_000)] },
      attrs('team-a'),
    );
    t.equal(reviewer.cachedBytes, 2 * small, 'the second entry costs what the first did');
    t.ok(small < 512, `${small} bytes an entry`);
    await reviewer.authorize({ username: 'alice' }, attrs('team-a'));
    t.equal(api.asked.length, 2, 'the same question answered from the cache');
  },
);
