import t from 'tap';
import type { AdmissionRequest } from '../admission/request.js';
import { submitterPatch } from './submitter.js';

const KEY = 'orchestrator.io~1submitted-by';
const manager = 'system:serviceaccount:orchestrator-system:orchestrator';
const trusted = new Set([manager]);

const request = (
  operation: 'CREATE' | 'UPDATE',
  username: string,
  annotations?: Record<string, string>,
  oldAnnotations?: Record<string, string>,
): AdmissionRequest => ({
  uid: '1',
  kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
  operation,
  userInfo: { username },
  object: { metadata: { name: 'x', ...(annotations ? { annotations } : {}) } },
  ...(operation === 'UPDATE' ? { oldObject: { metadata: { name: 'x', annotations: oldAnnotations } } } : {}),
});

t.test('CREATE: the requester, whatever the object says', async (t) => {
  t.same(submitterPatch(request('CREATE', 'alice'), trusted), [
    { op: 'add', path: '/metadata/annotations', value: { 'orchestrator.io/submitted-by': 'alice' } },
  ]);
  t.same(submitterPatch(request('CREATE', 'alice', { other: 'x' }), trusted), [
    { op: 'add', path: `/metadata/annotations/${KEY}`, value: 'alice' },
  ]);
  t.same(
    submitterPatch(request('CREATE', 'alice', { 'orchestrator.io/submitted-by': 'bob' }), trusted),
    [{ op: 'replace', path: `/metadata/annotations/${KEY}`, value: 'alice' }],
    'a forged value is replaced',
  );
  t.same(
    submitterPatch(request('CREATE', 'alice', { 'orchestrator.io/submitted-by': 'alice' }), trusted),
    [],
    'idempotent',
  );
});

t.test("CREATE by the manager: the caller it states is kept; none stated, the manager's name", async (t) => {
  t.same(
    submitterPatch(request('CREATE', manager, { 'orchestrator.io/submitted-by': 'alice' }), trusted),
    [],
  );
  t.same(submitterPatch(request('CREATE', manager), trusted), [
    { op: 'add', path: '/metadata/annotations', value: { 'orchestrator.io/submitted-by': manager } },
  ]);
  t.same(
    submitterPatch(request('CREATE', manager, { 'orchestrator.io/submitted-by': 'alice' }), new Set()),
    [{ op: 'replace', path: `/metadata/annotations/${KEY}`, value: manager }],
    'untrusted when not configured',
  );
});

t.test('UPDATE: the stored value stays, whoever asks', async (t) => {
  const stored = { 'orchestrator.io/submitted-by': 'alice' };
  t.same(
    submitterPatch(
      request('UPDATE', 'mallory', { 'orchestrator.io/submitted-by': 'mallory' }, stored),
      trusted,
    ),
    [{ op: 'replace', path: `/metadata/annotations/${KEY}`, value: 'alice' }],
  );
  t.same(submitterPatch(request('UPDATE', 'mallory', {}, stored), trusted), [
    { op: 'add', path: `/metadata/annotations/${KEY}`, value: 'alice' },
  ]);
  t.same(
    submitterPatch(request('UPDATE', manager, { 'orchestrator.io/submitted-by': 'x' }), trusted),
    [{ op: 'remove', path: `/metadata/annotations/${KEY}` }],
    'none stored: none added later',
  );
  t.same(submitterPatch(request('UPDATE', 'mallory', stored, stored), trusted), []);
});
