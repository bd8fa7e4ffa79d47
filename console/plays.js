// The plays page: the runs an Argo Workflow made (each carries the Workflow's name in the label
// orchestrator.io/workflow-name, docs/argo.md), one play per Workflow, its stages in the order they
// started, with each stage's outcome and cost and the play's total.
import { age, h, show, usd } from './dom.js';
import { listRuns, namespaceField } from './list.js';
import { runLink } from './model.js';

const WORKFLOW = 'orchestrator.io/workflow-name';

const cents = (cost) => Math.round(Number(cost ?? 0) * 1e6);

function play([key, stages], now) {
  const [namespace, workflow] = key.split('/');
  const total = stages.reduce((sum, s) => sum + cents(s.cost), 0);
  const last = stages.at(-1);
  return h(
    'section',
    { class: 'play', 'aria-labelledby': `play-${namespace}-${workflow}` },
    h(
      'h2',
      { id: `play-${namespace}-${workflow}` },
      workflow,
      h('span', { class: 'namespace' }, ` in ${namespace}`),
    ),
    h(
      'p',
      {},
      `${stages.length} stages; now: `,
      h('span', { class: `phase phase-${last.phase.toLowerCase()}` }, last.phase),
      `; total ${usd((total / 1e6).toFixed(6).replace(/\.?0+$/, ''))}`,
    ),
    h(
      'table',
      {},
      h('caption', {}, `Stages of ${workflow}`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Stage', 'Run', 'Agent', 'Phase', 'Attempts', 'Cost', 'Pull request', 'Started'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        stages.map((s, i) =>
          h(
            'tr',
            {},
            h('td', { class: 'num' }, i + 1),
            h('td', {}, h('a', { href: runLink(s.plural, s.namespace, s.name) }, s.name)),
            h('td', {}, s.agent),
            h('td', {}, h('span', { class: `phase phase-${s.phase.toLowerCase()}` }, s.phase)),
            h('td', { class: 'num' }, s.attempt || ''),
            h('td', { class: 'num' }, usd(s.cost)),
            h(
              'td',
              {},
              s.pullRequest
                ? h('a', { href: s.pullRequest, rel: 'noopener noreferrer' }, 'pull request')
                : '',
            ),
            h('td', { class: 'num' }, `${age(s.created, now)} ago`),
          ),
        ),
      ),
    ),
  );
}

export async function playsPage(main, signal) {
  const { field, label, namespaces } = namespaceField();
  const list = h('div', { 'aria-live': 'polite' }, h('p', {}, 'Loading plays…'));
  const load = async () => {
    const { runs, refused } = await listRuns(namespaces(), signal);
    const plays = new Map();
    for (const r of [...runs].reverse()) {
      const workflow = r.labels[WORKFLOW];
      if (!workflow) continue;
      const key = `${r.namespace}/${workflow}`;
      plays.set(key, [...(plays.get(key) ?? []), r]);
    }
    const now = Date.now();
    show(
      list,
      refused.map((r) => h('p', { class: 'refused' }, `Not listed: ${r}`)),
      plays.size ? [...plays].map((p) => play(p, now)) : h('p', {}, 'No play in these namespaces.'),
    );
  };
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: (e) => {
        e.preventDefault();
        load();
      },
    },
    label,
    field,
    h('button', { type: 'submit' }, 'List'),
  );
  show(main, h('h1', {}, 'Plays'), form, list);
  try {
    await load();
  } catch (err) {
    if (!signal.aborted)
      show(list, h('p', { class: 'error', role: 'alert' }, `The plays could not be listed: ${err.message}`));
  }
}
