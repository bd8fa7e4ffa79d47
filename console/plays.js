// The plays page: the runs an Argo Workflow made (each carries the Workflow's name in the label
// orchestrator.io/workflow-name, docs/argo.md), one play per Workflow, its stages in the order they
// started, with each stage's outcome and cost and the play's total.
import { age, h, usd } from './dom.js';
import { listRuns, namespacePage } from './list.js';
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

/** The plays of `namespaces`: the runs of each Workflow, oldest first, and what RBAC refused. */
async function listPlays(namespaces, signal) {
  const { runs, refused } = await listRuns(namespaces, signal);
  const plays = new Map();
  for (const r of [...runs].reverse()) {
    const workflow = r.labels[WORKFLOW];
    if (!workflow) continue;
    const key = `${r.namespace}/${workflow}`;
    plays.set(key, [...(plays.get(key) ?? []), r]);
  }
  const now = Date.now();
  return { items: [...plays].map((p) => play(p, now)), refused };
}

export const playsPage = (main, signal) =>
  namespacePage(main, signal, {
    title: 'Plays',
    noun: 'plays',
    empty: 'No play in these namespaces.',
    read: listPlays,
  });
