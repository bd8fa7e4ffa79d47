// The budgets page: each team budget covering the namespaces the user may list runs in (all of them
// when RBAC allows a list across namespaces), its spend in the window against its limit, as a meter, a
// chart of the days and the table of the same figures.
import { ApiError, api } from './api.js';
import { h, usd } from './dom.js';
import { namespacePage } from './list.js';
import { runningTotals, spendChart } from './spend-chart.js';

const WHEN = { day: 'today', week: 'this week', month: 'this month' };

/** An RFC 3339 time as `2026-12-01 00:00 UTC`. */
const utc = (at) => `${at.slice(0, 16).replace('T', ' ')} UTC`;

/** The budgets of `namespaces` (every budget without), each once, and what RBAC refused. */
async function listBudgets(namespaces, signal) {
  const where = namespaces.length ? namespaces : [undefined];
  const answers = await Promise.all(
    where.map(async (ns) => {
      const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/budgets` : '/api/v1/budgets';
      try {
        return { items: (await api(path, { signal })).items ?? [] };
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 403) throw err;
        return { refused: `budgets ${ns ? `of ${ns}` : 'of all namespaces'}: ${err.message}` };
      }
    }),
  );
  const budgets = new Map(answers.flatMap((a) => (a.items ?? []).map((b) => [b.name, b])));
  return { budgets: [...budgets.values()], refused: answers.flatMap((a) => (a.refused ? [a.refused] : [])) };
}

const covers = (b) =>
  [
    b.namespaces?.length ? `namespaces ${b.namespaces.join(', ')}` : '',
    b.namespaceSelector ? `namespaces labelled ${b.namespaceSelector}` : '',
  ]
    .filter(Boolean)
    .join(' and ') || 'every namespace';

function daysTable(b) {
  const totals = runningTotals(b.days);
  return h(
    'details',
    {},
    h('summary', {}, 'Spend by day'),
    h(
      'table',
      {},
      h('caption', {}, `Daily spend of ${b.name}, UTC`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Day', 'Spent', 'Total so far'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        b.days.map((d, i) =>
          h(
            'tr',
            {},
            h('td', {}, d.date),
            h('td', { class: 'num' }, usd(d.spentUsd)),
            h('td', { class: 'num' }, usd(String(Number(totals[i].toFixed(6))))),
          ),
        ),
      ),
    ),
  );
}

function budget(b) {
  const spent = Number(b.spentUsd);
  const limit = Number(b.limitUsd);
  const share = limit > 0 ? Math.round((spent / limit) * 100) : 100;
  const id = `budget-${b.name}`;
  const summary = `${usd(b.spentUsd)} of ${usd(b.limitUsd)} spent ${WHEN[b.window]} (${share}%)`;
  return h(
    'section',
    { class: 'budget', 'aria-labelledby': id },
    h('h2', { id }, b.name),
    h(
      'p',
      { class: spent >= limit ? 'spent' : undefined },
      summary,
      spent >= limit ? ': spent, no new attempt starts there' : '',
      `; counted from ${utc(b.start)}, resets ${utc(b.resetsAt)}.`,
    ),
    h('meter', {
      min: 0,
      // A budget of $0 (nothing may be spent) is full at once.
      max: limit || 1,
      value: limit ? Math.min(spent, limit) : 1,
      high: (limit || 1) * 0.8,
      optimum: 0,
      'aria-label': `${b.name}: ${summary}`,
    }),
    h(
      'p',
      { class: 'covers' },
      `Covers ${covers(b)}.`,
      b.source === 'SelfReported'
        ? ' Self-reported: the sum of what the agents reported (the model gateway is off).'
        : '',
    ),
    spendChart(
      b,
      `${b.name}: spend by day since ${b.start.slice(0, 10)}, against the limit of ${usd(b.limitUsd)}`,
    ),
    daysTable(b),
  );
}

export const budgetsPage = (main, signal) =>
  namespacePage(main, signal, {
    title: 'Budgets',
    noun: 'budgets',
    empty: 'No budget covers these namespaces.',
    read: async (namespaces, signal) => {
      const { budgets, refused } = await listBudgets(namespaces, signal);
      return { items: budgets.map(budget), refused };
    },
  });
