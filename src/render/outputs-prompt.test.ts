// The shipped profiles' outputs policies (safe outputs) as the rendered run carries them: the JSON the
// publisher checks against (the prelude's OUTPUTS_POLICY) and what the agent's prompt says it can cause.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { loadTemplateSet, renderTaskRun } from './index.js';
import { sampleTaskRun } from './samples.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const render = (agent: string) =>
  renderTaskRun(set, sampleTaskRun({ agent, preset: 'default', continuing: false }), config, 1).data;

t.test('the quality agent: a comment, changes requested, the label ready-for-qa; nothing else', async (t) => {
  const data = render('cleo');
  const policy = /^readonly OUTPUTS_POLICY='(.*)'$/m.exec(data['container.sh'] ?? '')?.[1] ?? '{}';
  t.same(Object.keys(JSON.parse(policy)).sort(), [
    'allowMentions',
    'comment',
    'labels',
    'linkHosts',
    'maxBodyBytes',
    'review',
  ]);
  t.match(JSON.parse(policy), {
    review: { events: ['REQUEST_CHANGES'] },
    labels: { allowed: ['ready-for-qa'] },
  });
  const prompt = data['system-prompt.md'] ?? '';
  t.match(prompt, /`orchestrator-output comment BODY`: a comment \(at most 1\)/);
  t.match(prompt, /EVENT one of\s+REQUEST_CHANGES \(/);
  t.match(prompt, /labels, only ready-for-qa \(at most 1\)/);
  t.notMatch(prompt, /check-run/);
  t.match(prompt, /links only to github\.com/);
});

t.test('the testing agent approves or requests changes, and cannot comment otherwise', async (t) => {
  const prompt = render('tess')['system-prompt.md'] ?? '';
  t.match(prompt, /EVENT one of\s+APPROVE, REQUEST_CHANGES/);
  t.notMatch(prompt, /orchestrator-output (comment|labels)/);
});

t.test(
  'deploy, acceptance, rex and blaze may comment; a profile without outputs can cause nothing',
  async (t) => {
    for (const agent of ['deploy', 'acceptance', 'rex', 'blaze']) {
      const prompt = render(agent)['system-prompt.md'] ?? '';
      t.match(prompt, /orchestrator-output comment BODY/, agent);
      t.notMatch(prompt, /orchestrator-output (review|labels|check-run)/, agent);
    }
    const cipher = render('cipher');
    t.match(cipher['system-prompt.md'], /You cannot comment, review or label it/);
    t.match(cipher['container.sh'], /^readonly OUTPUTS_POLICY='\{\}'$/m);
  },
);
