// An agent profile's system prompt given as text in the config (agents.*.systemPromptText), as the
// seeds' Helm values declare it (004 "Prompt management"), beside today's template name.
import t from 'tap';
import { ConfigError, configFrom, loadDefaultConfig } from '../config/load.js';
import { loadValidatedTemplates, renderCodeRun, renderTaskRun } from './index.js';
import { sampleCodeRun, sampleTaskRun } from './samples.js';

const shipped = loadDefaultConfig();
// Handlebars-looking text too: it is the prompt as written, not a template.
const TEXT = '# Cleo\nYou are the formatting and code quality specialist. Keep {{braces}} as they are.\n';

const withText = (fields: Record<string, unknown>) =>
  configFrom({ ...shipped, agents: { ...shipped.agents, cleo: { ...shipped.agents.cleo, ...fields } } });

t.test("the profile's text is the agent's system-prompt.md, verbatim, for every kind", async (t) => {
  const config = withText({ systemPromptText: TEXT });
  const set = loadValidatedTemplates(undefined, config);
  const cleo = { agent: 'cleo', preset: 'default' as const, continuing: false };
  t.equal(renderCodeRun(set, sampleCodeRun(cleo, config), config, 1).data['system-prompt.md'], TEXT);
  const taskRun = sampleTaskRun(cleo);
  t.equal(renderTaskRun(set, taskRun, config, 1).data['system-prompt.md'], TEXT);
  const rex = renderCodeRun(set, sampleCodeRun({ ...cleo, agent: 'rex' }, config), config, 1);
  t.match(rex.data['system-prompt.md'], /You are Rex/, 'other agents keep their templates');
});

t.test('a template name and text together are refused, naming the field and the rule', async (t) => {
  const err = t.throws(() => withText({ systemPrompt: 'cleo', systemPromptText: TEXT })) as ConfigError;
  t.ok(err instanceof ConfigError);
  t.match(
    err.message,
    /agents\.cleo\.systemPromptText: Forbidden: .*systemPrompt.*systemPromptText.*not both/,
  );
  t.throws(() => withText({ systemPromptText: '' }), /agents\.cleo\.systemPromptText/, 'empty text');
});
