// The generated types name the shared fragments (scripts/generate-types.js): a fragment's type name,
// what a use of a fragment adds to it, and the uses that would make its named type wrong.
import path from 'node:path';
import t from 'tap';
import { fragmentTypeName, ownPart, readFragments } from '../../scripts/generate-types.js';
import { findPackageRoot } from '../util/index.js';

const fragments = readFragments(path.join(findPackageRoot(), 'schemas', 'shared'));
const usage = fragments.get('usage') ?? {};

t.test('every fragment has a type name, from its file name', async (t) => {
  t.same([...fragments.keys()].map(fragmentTypeName), [
    'PodTemplate',
    'RunCancelled',
    'RunLimits',
    'RunStatus',
    'Usage',
  ]);
});

t.test('a fragment inside a fragment stays a reference (marked), the fragment itself does not', async (t) => {
  const status = fragments.get('run-status') ?? {};
  t.notOk('x-orchestrator-fragment' in status);
  t.equal(status.properties.usage['x-orchestrator-fragment'], 'usage');
  t.equal(status.properties.attemptUsage.items['x-orchestrator-fragment'], 'usage');
});

t.test('what a use adds: its own fields, and the fields it makes required', async (t) => {
  const entry = fragments.get('run-status')?.properties.attemptUsage.items;
  t.same(Object.keys(ownPart(entry, usage, 'usage')?.properties ?? {}), [
    'attempt',
    'finishedAt',
    'stopReason',
    'reported',
  ]);
  t.same(ownPart(entry, usage, 'usage')?.required, ['attempt', 'finishedAt']);
  t.equal(ownPart(usage, usage, 'usage'), undefined, 'a plain use adds nothing');
  const requiring = { ...usage, required: ['turns'] };
  t.same(ownPart(requiring, usage, 'usage'), {
    type: 'object',
    properties: { turns: usage.properties.turns },
    required: ['turns'],
  });
});

t.test('a use that redefines a field of its fragment is refused', async (t) => {
  const narrowed = { ...usage, properties: { ...usage.properties, turns: { type: 'string' } } };
  t.throws(() => ownPart(narrowed, usage, 'usage'), /a use of shared\/usage redefines its field turns/);
  const strict = { type: 'object', properties: {}, required: ['a'] };
  t.throws(() => ownPart({ type: 'object' }, strict, 'x'), /a use of shared\/x makes a optional/);
});
