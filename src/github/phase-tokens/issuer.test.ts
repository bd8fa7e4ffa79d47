// The broker's decisions, step by step, with the real reviewer (audience check, budget) over an
// apiserver that answers TokenReviews as kube-apiserver does for bound ServiceAccount tokens, and the
// pod, Job and run as the operator makes them: each refusal costs no more API calls than its step,
// and no token is minted but for the current attempt's pod in the phase it asks for.
import pino from 'pino';
import t from 'tap';
import { FakeApi } from '../../../test/harness/fakes/fake-api.js';
import { API_VERSION, LABELS, MANAGED_BY } from '../../api/index.js';
import { KubeReviewer, ReviewLimit } from '../../auth/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import type { ApiRequester, CallOptions } from '../../runtime/index.js';
import type { GithubTokens, TokenRequest } from '../app-tokens/index.js';
import { PHASE_TOKEN_AUDIENCE, PhaseTokenIssuer } from './issuer.js';

const NS = 'team-a';
const POD = 'fix-7-a1-xyz';
const config = loadDefaultConfig();
config.github.host = 'github.com';

/**
 * A projected token as this test's apiserver knows it: its audience and the pod it is bound to. The
 * apiserver authenticates a token only for an audience it was issued for (the audiences asked in the
 * review), and states the pod's name and uid in the user's extra.
 */
const tokenFor = (audience: string, pod = POD, uid = 'pod-uid', account = 'default') =>
  `jwt.${Buffer.from(JSON.stringify({ audience, pod, uid, account })).toString('base64url')}`;

class Apiserver implements ApiRequester {
  readonly store = new FakeApi();
  reviews = 0;
  async request<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    if (path !== '/apis/authentication.k8s.io/v1/tokenreviews')
      return this.store.request<T>(method, path, opts);
    this.reviews++;
    const spec = (opts.body as { spec: { token: string; audiences?: string[] } }).spec;
    let claims: { audience: string; pod: string; uid: string; account: string } | undefined;
    try {
      claims = JSON.parse(Buffer.from(spec.token.slice(4), 'base64url').toString());
    } catch {}
    if (!claims || !spec.audiences?.includes(claims.audience))
      return {
        status: { authenticated: false, error: 'token audiences are invalid for the target audiences' },
      } as T;
    return {
      status: {
        authenticated: true,
        audiences: [claims.audience],
        user: {
          username: `system:serviceaccount:${NS}:${claims.account}`,
          extra: {
            'authentication.kubernetes.io/pod-name': [claims.pod],
            'authentication.kubernetes.io/pod-uid': [claims.uid],
          },
        },
      },
    } as T;
  }
}

type State = 'running' | 'terminated' | 'waiting';
const status = (name: string, state: State) => ({
  name,
  state: { [state]: state === 'terminated' ? { exitCode: 0 } : {} },
});

/** The attempt's pod with its containers in these states, its Job and the CodeRun whose attempt it is. */
function world(
  containers: { prepare: State; agent: State; publish: State },
  opts: { currentJob?: string; jobOwner?: string; recordedJob?: string | null } = {},
) {
  const api = new Apiserver();
  const run = {
    apiVersion: API_VERSION,
    kind: 'CodeRun',
    metadata: { name: 'fix-7', namespace: NS, uid: 'run-uid' },
    spec: {
      taskId: 7,
      service: 'payments',
      repositoryUrl: 'https://github.com/acme/payments',
      githubApp: '5DLabs-Rex',
    },
    status: {
      jobName: opts.currentJob ?? 'fix-7-a1',
      ...(opts.recordedJob === null ? {} : { jobUid: opts.recordedJob ?? 'job-uid' }),
    },
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'fix-7-a1',
      namespace: NS,
      uid: 'job-uid',
      labels: { [LABELS.managedBy]: MANAGED_BY },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'CodeRun',
          name: 'fix-7',
          uid: opts.jobOwner ?? 'run-uid',
          controller: true,
        },
      ],
    },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: POD,
      namespace: NS,
      uid: 'pod-uid',
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'fix-7-a1', uid: 'job-uid', controller: true },
      ],
    },
    spec: {},
    status: {
      phase: 'Pending',
      initContainerStatuses: [
        status('prepare-workspace', containers.prepare),
        status('agent', containers.agent),
      ],
      containerStatuses: [status('publish', containers.publish)],
    },
  };
  api.store.seed(`/apis/orchestrator.io/v1/namespaces/${NS}/coderuns`, run);
  api.store.seed(`/apis/batch/v1/namespaces/${NS}/jobs`, job);
  api.store.seed(`/api/v1/namespaces/${NS}/pods`, pod);
  const minted: TokenRequest[] = [];
  const revoked: string[] = [];
  const tokens: GithubTokens = {
    mint: async (req) => {
      minted.push(req);
      return { token: `ghs_minted${minted.length}`, expiresAt: new Date(Date.now() + 3_600_000) };
    },
    revoke: async (token) => void revoked.push(token),
  };
  const reviewer = new KubeReviewer({
    client: api,
    audience: PHASE_TOKEN_AUDIENCE,
    limit: new ReviewLimit({ what: 'TokenReviews', maxInFlight: 1, maxQueued: 0, maxWaitMs: 1000 }),
  });
  const issuer = new PhaseTokenIssuer({
    client: api,
    reviewer,
    tokens,
    config: () => config,
    logger: pino({ level: 'silent' }),
  });
  return { api, issuer, minted, revoked, pod };
}

const preparing = { prepare: 'running', agent: 'waiting', publish: 'waiting' } as const;
const agentRuns = { prepare: 'terminated', agent: 'running', publish: 'waiting' } as const;
const publishing = { prepare: 'terminated', agent: 'terminated', publish: 'running' } as const;

t.test(
  "the prepare phase gets the read-only token, the publisher the write token, for the run's repository",
  async (t) => {
    const read = world(preparing);
    const r = await read.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
    t.same(r, { status: 200, token: 'ghs_minted1', expiresAt: (r as { expiresAt: Date }).expiresAt });
    t.same(read.minted[0]?.permissions, { contents: 'read', metadata: 'read' });
    t.same(read.minted[0]?.repositories, ['payments']);
    const again = await read.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
    t.equal(
      (again as { token: string }).token,
      'ghs_minted1',
      'asked again: the same token, not a second mint',
    );
    t.equal(read.minted.length, 1);

    const write = world(publishing);
    const w = await write.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'write');
    t.equal(w.status, 200);
    t.same(write.minted[0]?.permissions, { contents: 'write', pull_requests: 'write', metadata: 'read' });
  },
);

t.test('a token of another audience is refused by the review, with no other API call', async (t) => {
  const { api, issuer, minted } = world(preparing);
  for (const audience of ['https://kubernetes.default.svc.cluster.local', 'orchestrator']) {
    const r = await issuer.issue(tokenFor(audience), 'read');
    t.equal(r.status, 401, audience);
  }
  t.equal(api.reviews, 2);
  t.same(api.store.calls, [], 'no pod, Job or run read');
  t.same(minted, []);
});

t.test(
  'the write token is refused while the agent runs, the read token once prepare has ended',
  async (t) => {
    const during = world(agentRuns);
    const w = await during.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'write');
    t.equal(w.status, 403);
    t.match((w as { message: string }).message, /agent container has not ended/);
    const r = await during.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
    t.equal(r.status, 403);
    t.match((r as { message: string }).message, /prepare phase's, which has ended/);
    const early = world(preparing);
    t.equal(
      (await early.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'write')).status,
      403,
      'nor during prepare',
    );
    const after = world(publishing);
    t.equal(
      (await after.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read')).status,
      403,
      'nor read in publish',
    );
    t.same([...during.minted, ...early.minted, ...after.minted], []);
  },
);

t.test('a phase the kubelet has not reported yet is asked to come back (409), not refused', async (t) => {
  const { issuer, minted } = world({ prepare: 'waiting', agent: 'waiting', publish: 'waiting' });
  t.equal((await issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read')).status, 409);
  const publish = world({ prepare: 'terminated', agent: 'terminated', publish: 'waiting' });
  t.equal((await publish.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'write')).status, 409);
  t.same([...minted, ...publish.minted], []);
});

t.test("a pod that is not the current attempt's gets nothing", async (t) => {
  const cases = {
    'unknown pod': [world(preparing), tokenFor(PHASE_TOKEN_AUDIENCE, 'no-such-pod')],
    'another pod under the name': [world(preparing), tokenFor(PHASE_TOKEN_AUDIENCE, POD, 'other-uid')],
    'another ServiceAccount': [world(preparing), tokenFor(PHASE_TOKEN_AUDIENCE, POD, 'pod-uid', 'builder')],
    'an earlier attempt': [world(preparing, { currentJob: 'fix-7-a2' }), tokenFor(PHASE_TOKEN_AUDIENCE)],
    "a Job another run's uid controls": [
      world(preparing, { jobOwner: 'old-uid' }),
      tokenFor(PHASE_TOKEN_AUDIENCE),
    ],
    // Dressed as the operator's (label, controller reference, name), made by someone else.
    'a Job of the name the operator did not make': [
      world(preparing, { recordedJob: 'the-operators-uid' }),
      tokenFor(PHASE_TOKEN_AUDIENCE),
    ],
  } as const;
  for (const [name, [w, token]] of Object.entries(cases)) {
    const r = await w.issuer.issue(token, 'read');
    t.equal(r.status, 403, name);
    t.same(w.minted, [], name);
  }
  const bare = world(preparing);
  bare.pod.metadata.ownerReferences = [];
  bare.api.store.seed(`/api/v1/namespaces/${NS}/pods`, bare.pod);
  const r = await bare.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
  t.equal(r.status, 403, "a pod no Job controls (a co-tenant's own pod)");
  t.match((r as { message: string }).message, /no Job controls it/);
});

t.test('a Job whose uid the run does not record yet: asked again shortly, nothing minted', async (t) => {
  const w = world(preparing, { recordedJob: null });
  const r = await w.issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
  t.equal(r.status, 409);
  t.match((r as { message: string }).message, /does not record Job fix-7-a1's uid yet/);
  t.same(w.minted, []);
});

t.test('reviews past the budget are refused (503) without being asked', async (t) => {
  const { api, issuer } = world(preparing);
  const results = await Promise.all(
    [1, 2, 3].map((n) => issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE, `pod-${n}`), 'read')),
  );
  t.same(
    results.map((r) => r.status).sort(),
    [403, 503, 503],
    'one review at once, none waiting: two refused',
  );
  t.equal(api.reviews, 1);
});

t.test('a token handed out is revoked once its phase is over, not before', async (t) => {
  const { api, issuer, revoked, pod } = world(preparing);
  await issuer.issue(tokenFor(PHASE_TOKEN_AUDIENCE), 'read');
  await issuer.held.sweep(api, new Date());
  t.same(revoked, [], 'prepare still runs');
  pod.status.initContainerStatuses = [status('prepare-workspace', 'terminated'), status('agent', 'running')];
  api.store.seed(`/api/v1/namespaces/${NS}/pods`, pod);
  await issuer.held.sweep(api, new Date());
  t.same(revoked, ['ghs_minted1']);
  t.equal(issuer.held.size, 0);
});

t.test("a phase's token goes to one credential: a second one bound to the same pod is refused", async (t) => {
  const { issuer, minted } = world(publishing);
  const container = tokenFor(PHASE_TOKEN_AUDIENCE);
  t.equal((await issuer.issue(container, 'write')).status, 200, "the publisher's own projected token");
  t.equal(
    (await issuer.issue(container, 'write')).status,
    200,
    'its retry with the same token: served again',
  );
  // Another token bound to the same pod, of the same audience (a TokenRequest by someone who may make one).
  const second = `jwt.${Buffer.from(JSON.stringify({ audience: PHASE_TOKEN_AUDIENCE, pod: POD, uid: 'pod-uid', account: 'default', n: 2 })).toString('base64url')}`;
  const refused = await issuer.issue(second, 'write');
  t.equal(refused.status, 403);
  t.match((refused as { message: string }).message, /already handed to another credential/);
  t.equal(minted.length, 1);
});
