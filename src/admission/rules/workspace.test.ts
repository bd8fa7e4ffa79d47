// spec.workspace within bounds (workspace.ts): size at most workspace.maxSize (at least workspace.size),
// the StorageClass the config's or one it allows.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

const base = loadDefaultConfig();
const configWith = (workspace: Record<string, unknown>) =>
  configFrom({ ...base, workspace: { ...base.workspace, ...workspace } });

const docsRun = (workspace: Record<string, unknown>) => ({
  kind: 'DocsRun',
  metadata: { name: 'x' },
  spec: {
    repositoryUrl: 'https://github.com/a/b',
    workingDirectory: 'docs',
    githubApp: '5DLabs-Morgan',
    workspace,
  },
});
const errors = (object: unknown, config = base, oldObject?: unknown) =>
  validateRun({ kind: 'DocsRun', object, oldObject, operation: oldObject ? 'UPDATE' : 'CREATE', config })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

t.test('size: by default at most workspace.size; maxSize raises it, never below size', async (t) => {
  t.same(errors(docsRun({ size: '10Gi' })), []);
  t.same(errors(docsRun({ size: '10240Mi' })), [], 'the same quantity written otherwise');
  t.same(errors(docsRun({ size: '64Ti' })), [
    'workspace-bounds spec.workspace.size: Forbidden: "64Ti" exceeds "10Gi", the largest workspace runs may ask for (workspace.maxSize, default workspace.size); a larger workspace.maxSize would allow it',
  ]);
  t.same(errors(docsRun({ size: '64Ti' }), configWith({ maxSize: '100Ti' })), []);
  t.same(
    errors(docsRun({ size: '10Gi' }), configWith({ maxSize: '1Gi' })),
    [],
    'the default size is never refused',
  );
});

t.test('storageClassName: the configured one, or one the config allows', async (t) => {
  t.same(errors(docsRun({ storageClassName: 'premium-rwo' })), [
    'workspace-bounds spec.workspace.storageClassName: Forbidden: runs may not choose StorageClass "premium-rwo" (the config leaves it to the cluster\'s default); workspace.allowedStorageClasses would allow it',
  ]);
  const fast = configWith({ storageClassName: 'fast', allowedStorageClasses: ['premium-rwo'] });
  t.same(errors(docsRun({ storageClassName: 'fast' }), fast), []);
  t.same(errors(docsRun({ storageClassName: 'premium-rwo' }), fast), []);
  t.match(errors(docsRun({ storageClassName: 'slow' }), fast), [/workspace\.storageClassName is "fast"/]);
});

t.test('UPDATE: a stored value stays', async (t) => {
  const stored = docsRun({ size: '64Ti', storageClassName: 'premium-rwo' });
  t.same(errors(stored, base, stored), []);
  t.match(errors(docsRun({ size: '65Ti', storageClassName: 'premium-rwo' }), base, stored), [
    /^workspace-bounds spec\.workspace\.size: /,
    /^fixed-after-create spec\.workspace\.size: /,
  ]);
});
