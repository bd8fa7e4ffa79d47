// A template written for the seeds' controller (their Handlebars context names: 002 §2.3, 003
// "Template Data Context") renders here unchanged, for every kind, with values derived from the context.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { defaultTemplateDir, loadValidatedTemplates, renderCodeRun, renderDocsRun } from './index.js';
import { sampleCodeRun, sampleDocsRun } from './samples.js';
import { SEED_ALIAS_NAMES, seedAliases } from './seed-aliases.js';

// The seed's Apps (config/samples/seed): the samples act as 5DLabs-Rex and 5DLabs-Morgan.
const config = seedConfig();

/** In the seeds' style: flat snake_case names and agent conditionals on github_app (002 §8.1). */
const SEED_TEMPLATE = `# Task {{task_id}} of {{service}} ({{service_name}})
repository: {{repository_url}}
docs: {{docs_repository_url}} platform: {{platform_repository_url}}
app: {{github_app}} user: {{github_user}} model: {{model}}
continue: {{continue_session}} dir: {{working_directory}}
tools: {{tool_config}} local: {{join local_tools ","}} remote: {{join remote_tools ","}}
{{#if (eq github_app "5DLabs-Cleo")}}role: quality{{else if (eq github_app "5DLabs-Tess")}}role: testing{{else}}role: implementation{{/if}}
{{#if continue_session}}Continuing previous session{{else}}Starting fresh session{{/if}}
`;

function seedStyleSet(t: Test) {
  const dir = mkdtempSync(path.join(tmpdir(), 'seed-templates-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(defaultTemplateDir(), dir, { recursive: true });
  // In shared/: validation renders it for every kind, agent and preset before the set is accepted.
  writeFileSync(path.join(dir, 'shared', 'seed-style.md.hbs'), SEED_TEMPLATE);
  return loadValidatedTemplates(dir, config);
}

t.test('a seed-style template renders with the seeds variable names', async (t) => {
  const set = seedStyleSet(t);
  const cleo = sampleCodeRun({ agent: 'cleo', preset: 'default', continuing: false }, config);
  const rendered = renderCodeRun(set, cleo, config, 1);
  const out = rendered.data['seed-style.md'] ?? '';
  const { tools } = rendered.context;
  t.equal(
    out,
    [
      '# Task 7 of payments (payments)',
      'repository: https://github.com/acme/payments.git',
      'docs: https://github.com/acme/payments-docs.git platform: https://github.com/acme/payments-docs.git',
      `app: 5DLabs-Cleo user:  model: ${config.agents.cleo?.model}`,
      'continue: false dir: services/payments',
      `tools: default local: ${tools.local.map((l) => l.name).join(',')} remote: ${tools.remote.join(',')}`,
      'role: quality',
      'Starting fresh session',
      '',
    ].join('\n'),
  );
  const rex = sampleCodeRun({ agent: 'rex', preset: 'minimal', continuing: true }, config);
  const again = renderCodeRun(set, rex, config, 1).data['seed-style.md'] ?? '';
  t.match(again, /^app: 5DLabs-Rex /m);
  t.match(again, /^role: implementation$/m);
  t.match(again, /^Continuing previous session$/m, 'continue_session follows the context (session.resume)');
  t.match(again, /^tools: minimal /m);

  const docs = renderDocsRun(
    set,
    sampleDocsRun({ agent: 'morgan', preset: 'default', continuing: false }, config),
    config,
    1,
  );
  const text = docs.data['seed-style.md'] ?? '';
  t.match(text, /^# Task {2}of {2}\(\)$/m, 'a DocsRun has no task id or service: empty, not an error');
  t.match(text, /^continue: false dir: projects\/payments$/m, 'its working directory');
});

t.test('every alias is derived from the context the templates see', async (t) => {
  const set = seedStyleSet(t);
  const run = sampleCodeRun({ agent: 'tess', preset: 'advanced', continuing: true }, config);
  const { context } = renderCodeRun(set, run, config, 1);
  const aliases = seedAliases(context);
  t.same(Object.keys(aliases).sort(), [...SEED_ALIAS_NAMES].sort(), 'the list of names is the object');
  t.equal(aliases.task_id, context.task.id);
  t.equal(aliases.repository_url, context.repo?.url);
  t.equal(aliases.docs_repository_url, context.docs?.url);
  t.equal(aliases.model, context.agent.model);
  t.equal(aliases.continue_session, context.session.resume);
  t.same(aliases.remote_tools, context.tools.remote);
  t.same(
    aliases.local_tools,
    context.tools.local.map((l) => l.name),
  );
});
