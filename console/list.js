// The runs of every kind in the namespaces the user may list: all of them when RBAC allows a list across
// namespaces, else those the user names in the Namespaces field (remembered in this browser), newest
// first. A kind or namespace RBAC refuses is said, not an error.
import { ApiError, api } from './api.js';
import { h, show } from './dom.js';
import { KINDS, summary } from './model.js';

const NAMESPACES = 'orchestrator.namespaces';

const namesOf = (text) =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The Namespaces field, its label, and the names it holds (remembered as they are read). */
export function namespaceField() {
  const field = h('input', {
    id: 'namespaces',
    type: 'text',
    value: localStorage.getItem(NAMESPACES) ?? '',
    placeholder: 'all you may list',
  });
  const label = h('label', { for: 'namespaces' }, 'Namespaces');
  const namespaces = () => {
    const names = namesOf(field.value);
    localStorage.setItem(NAMESPACES, names.join(', '));
    return names;
  };
  return { field, label, namespaces };
}

/** Every kind's runs, and what could not be listed (a namespace or kind RBAC refuses). */
export async function listRuns(namespaces, signal) {
  const where = namespaces.length ? namespaces : [undefined];
  const calls = KINDS.flatMap(({ plural }) =>
    where.map(async (ns) => {
      const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/${plural}` : `/api/v1/${plural}`;
      try {
        const list = await api(path, { signal });
        return { runs: (list.items ?? []).map((run) => summary(plural, run)) };
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403) throw err;
        return { refused: `${plural}${ns ? ` in ${ns}` : ' in all namespaces'}: ${err.message}` };
      }
    }),
  );
  const answers = await Promise.all(calls);
  const runs = answers.flatMap((a) => a.runs ?? []);
  runs.sort((a, b) => String(b.created).localeCompare(String(a.created)));
  return { runs, refused: answers.flatMap((a) => (a.refused ? [a.refused] : [])) };
}

/**
 * A page of what some namespaces hold (the plays, the budgets): its heading, the Namespaces field with
 * its List button, and what `read(namespaces, signal)` gives, `{ items, refused }`: the items' nodes,
 * `empty` said when there are none, and each refusal RBAC gave.
 */
export async function namespacePage(main, signal, { title, noun, empty, read }) {
  const { field, label, namespaces } = namespaceField();
  const list = h('div', { 'aria-live': 'polite' }, h('p', {}, `Loading ${noun}…`));
  const load = async () => {
    try {
      const { items, refused } = await read(namespaces(), signal);
      show(
        list,
        refused.map((r) => h('p', { class: 'refused' }, `Not listed: ${r}`)),
        items.length ? items : h('p', {}, empty),
      );
    } catch (err) {
      if (!signal.aborted)
        show(
          list,
          h('p', { class: 'error', role: 'alert' }, `The ${noun} could not be listed: ${err.message}`),
        );
    }
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
  show(main, h('h1', {}, title), form, list);
  await load();
}
