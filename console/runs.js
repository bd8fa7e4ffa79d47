// The runs page: every kind's runs in the namespaces the user may list (list.js), newest first, filtered
// by phase, agent and repository.
import { age, h, show, usd } from './dom.js';
import { listRuns, namespaceField } from './list.js';
import { PHASES, runLink } from './model.js';

function select(id, label, values) {
  return [
    h('label', { for: id }, label),
    h(
      'select',
      { id },
      h('option', { value: '' }, 'any'),
      ...values.map((v) => h('option', { value: v }, v)),
    ),
  ];
}

const phaseBadge = (phase) => h('span', { class: `phase phase-${phase.toLowerCase()}` }, phase);

function row(r, now) {
  return h(
    'tr',
    {},
    h('td', {}, h('a', { href: runLink(r.plural, r.namespace, r.name) }, r.name)),
    h('td', {}, r.kind),
    h('td', {}, r.namespace),
    h('td', {}, phaseBadge(r.phase)),
    h('td', {}, r.agent),
    h('td', { class: 'repo' }, r.repository),
    h('td', { class: 'num' }, r.attempt || ''),
    h('td', { class: 'num' }, usd(r.cost)),
    h(
      'td',
      {},
      r.pullRequest ? h('a', { href: r.pullRequest, rel: 'noopener noreferrer' }, 'pull request') : '',
    ),
    h('td', { class: 'num' }, age(r.created, now)),
  );
}

const HEADINGS = [
  'Run',
  'Kind',
  'Namespace',
  'Phase',
  'Agent',
  'Repository',
  'Attempt',
  'Cost',
  'Pull request',
  'Age',
];

export async function runsPage(main, signal) {
  const { field: nsField, label: nsLabel, namespaces: named } = namespaceField();
  const [phaseLabel, phase] = select('phase', 'Phase', PHASES);
  const [agentLabel, agent] = [h('label', { for: 'agent' }, 'Agent'), h('select', { id: 'agent' })];
  const repo = h('input', { id: 'repository', type: 'search', placeholder: 'any' });
  const body = h('tbody');
  const caption = h('caption', { 'aria-live': 'polite' }, 'Loading runs…');
  const refused = h('ul', { class: 'refused' });
  let runs = [];

  const render = () => {
    const now = Date.now();
    const shown = runs.filter(
      (r) =>
        (!phase.value || r.phase === phase.value) &&
        (!agent.value || r.agent === agent.value) &&
        (!repo.value || r.repository.includes(repo.value)),
    );
    show(
      body,
      shown.map((r) => row(r, now)),
    );
    show(caption, `${shown.length} of ${runs.length} runs`);
  };
  const load = async () => {
    const namespaces = named();
    show(caption, 'Loading runs…');
    const listed = await listRuns(namespaces, signal);
    runs = listed.runs;
    const agents = [...new Set(runs.map((r) => r.agent).filter(Boolean))].sort();
    const chosen = agent.value;
    show(
      agent,
      h('option', { value: '' }, 'any'),
      agents.map((a) => h('option', { value: a }, a)),
    );
    agent.value = agents.includes(chosen) ? chosen : '';
    show(
      refused,
      listed.refused.map((r) => h('li', {}, `Not listed: ${r}`)),
      listed.refused.length && !namespaces.length
        ? h('li', {}, 'Name the namespaces you work in above.')
        : null,
    );
    render();
  };

  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (e) => {
        e.preventDefault();
        load();
      },
    },
    nsLabel,
    nsField,
    h('button', { type: 'submit' }, 'List'),
    phaseLabel,
    phase,
    agentLabel,
    agent,
    h('label', { for: 'repository' }, 'Repository'),
    repo,
  );
  for (const el of [phase, agent]) el.addEventListener('change', render);
  repo.addEventListener('input', render);
  show(
    main,
    h('h1', {}, 'Runs'),
    form,
    refused,
    h(
      'table',
      { class: 'runs' },
      caption,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          HEADINGS.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      body,
    ),
  );
  try {
    await load();
  } catch (err) {
    if (!signal.aborted) show(caption, `The runs could not be listed: ${err.message}`);
  }
}
