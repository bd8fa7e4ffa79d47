// metadata.yaml in each attempt's directory (the seeds' .task/{id}/run-{n}/metadata.yaml).
import t from 'tap';
import { parse } from 'yaml';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { loadTemplateSet, renderCodeRun, renderDocsRun, renderTaskRun } from './index.js';
import { METADATA_KEY } from './run-metadata.js';
import { sampleCodeRun, sampleDocsRun, sampleTaskRun } from './samples.js';

// The seed's Apps (config/samples/seed): the samples act as 5DLabs-Rex and 5DLabs-Morgan.
const config = seedConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };

t.test('every kind renders metadata.yaml, installed at the top of the run directory', async (t) => {
  const task = renderTaskRun(set, sampleTaskRun(rex), config, 3);
  t.same(
    task.files.find((f) => f.key === METADATA_KEY),
    { key: METADATA_KEY, path: 'metadata.yaml', mode: '0644' },
  );
  t.match(parse(task.data[METADATA_KEY] ?? ''), {
    kind: 'TaskRun',
    attempt: 3,
    taskId: task.context.task.id,
    service: task.context.task.service,
    agent: 'rex',
    model: task.context.agent.model,
    sessionResumed: true,
  });
  const code = renderCodeRun(set, sampleCodeRun(rex, config), config, 1);
  t.match(parse(code.data[METADATA_KEY] ?? ''), {
    kind: 'CodeRun',
    githubApp: '5DLabs-Rex',
    repository: { url: code.context.repo?.url, branch: 'feature/task-7-implementation' },
    docs: { url: code.context.docs?.url, taskDir: code.context.docs?.taskDir },
  });
  const docs = renderDocsRun(set, sampleDocsRun({ ...rex, agent: 'morgan' }, config), config, 1);
  t.match(parse(docs.data[METADATA_KEY] ?? ''), { kind: 'DocsRun', taskId: null, docs: null });
  t.equal(
    renderCodeRun(set, sampleCodeRun(rex, config), config, 1).data[METADATA_KEY],
    code.data[METADATA_KEY],
    'two renders of one attempt are the same',
  );
});
