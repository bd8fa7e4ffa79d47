import t from 'tap';
import { MalformedReview, parseReview, reviewResponse, reviewResponseJson } from './review.js';

const valid = () => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'u1',
    kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
    operation: 'CREATE',
    object: {},
  },
});

t.test('a valid review parses', async (t) => {
  t.equal(parseReview(valid()).request.uid, 'u1');
});

t.test('malformed reviews are rejected with what is wrong', async (t) => {
  const cases: Array<[string, (r: ReturnType<typeof valid>) => unknown, RegExp]> = [
    ['not an object', () => [], /JSON object/],
    ['wrong kind', (r) => ({ ...r, kind: 'Pod' }), /kind must be AdmissionReview/],
    ['unknown version', (r) => ({ ...r, apiVersion: 'admission.k8s.io/v2' }), /apiVersion must be one of/],
    ['no request', (r) => ({ ...r, request: undefined }), /request is missing/],
    ['empty uid', (r) => ({ ...r, request: { ...r.request, uid: '' } }), /uid/],
    ['bad operation', (r) => ({ ...r, request: { ...r.request, operation: 'PATCH' } }), /operation/],
    ['object not an object', (r) => ({ ...r, request: { ...r.request, object: 'x' } }), /request\.object/],
    ['dryRun not a boolean', (r) => ({ ...r, request: { ...r.request, dryRun: 'yes' } }), /dryRun/],
  ];
  for (const [what, change, message] of cases) {
    t.throws(() => parseReview(change(valid())), MalformedReview, what);
    t.throws(() => parseReview(change(valid())), { message }, what);
  }
});

t.test('responses echo the version and uid; patches are base64 JSON Patch', async (t) => {
  const allowed = reviewResponse('admission.k8s.io/v1beta1', 'u1', {
    allowed: true,
    patch: [{ op: 'add', path: '/a', value: 1 }],
  });
  t.match(allowed, {
    apiVersion: 'admission.k8s.io/v1beta1',
    response: { uid: 'u1', allowed: true, patchType: 'JSONPatch' },
  });
  const patch = (allowed.response as { patch: string }).patch;
  t.same(JSON.parse(Buffer.from(patch, 'base64').toString()), [{ op: 'add', path: '/a', value: 1 }]);
  const denied = reviewResponse('admission.k8s.io/v1', 'u2', {
    allowed: false,
    rule: 'r',
    code: 422,
    reason: 'Invalid',
    message: 'm',
  });
  t.same(denied.response, {
    uid: 'u2',
    allowed: false,
    status: { code: 422, reason: 'Invalid', message: 'm' },
  });
  t.notOk(
    'patch' in (reviewResponse('admission.k8s.io/v1', 'u3', { allowed: true, patch: [] }).response as object),
    'no empty patch',
  );
});

t.test('the JSON text of an answer is the answer', async (t) => {
  const results = [
    { allowed: true, patch: [{ op: 'add', path: '/a~1b', value: { 'x"y': 'ü\n' } }], warnings: ['w'] },
    { allowed: true, patch: [] },
    { allowed: true },
    { allowed: false, rule: 'r', code: 422, message: 'm "quoted"', warnings: ['w'] },
  ] as const;
  for (const result of results) {
    const text = reviewResponseJson('admission.k8s.io/v1', 'u"1', structuredClone(result) as never);
    t.same(JSON.parse(text), reviewResponse('admission.k8s.io/v1', 'u"1', structuredClone(result) as never));
  }
});
