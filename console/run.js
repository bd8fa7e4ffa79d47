// A run's page: what it is and did (phase, message, pull request, cost), its attempts with their usage
// and kept logs, a timeline of its conditions and Events, and its log, followed while the attempt runs.
// The run is watched (server-sent events), so the page follows it; cancel and retry are offered, and
// a refusal (RBAC) is said as the API words it.
import { ApiError, api, stream, watch } from './api.js';
import { age, h, show, usd } from './dom.js';
import { kindOf, runPath, summary } from './model.js';

/** The most log text the page holds: the start of a longer log is dropped, the end kept. */
const MAX_LOG_CHARS = 2_000_000;

const finished = (phase) => phase === 'Succeeded' || phase === 'Failed' || phase === 'Cancelled';

function facts(s, status) {
  const item = (term, value) =>
    value === undefined || value === '' ? [] : [h('dt', {}, term), h('dd', {}, value)];
  return h(
    'dl',
    { class: 'facts' },
    item('Phase', h('span', { class: `phase phase-${s.phase.toLowerCase()}` }, s.phase)),
    item('Message', s.message),
    item(
      'Pull request',
      s.pullRequest && h('a', { href: s.pullRequest, rel: 'noopener noreferrer' }, s.pullRequest),
    ),
    item('Agent', s.agent),
    item('Repository', s.repository),
    item('Attempt', s.attempt || undefined),
    item('Cost', usd(s.cost)),
    item(
      'Tokens',
      status.usage ? `${status.usage.inputTokens ?? 0} in, ${status.usage.outputTokens ?? 0} out` : undefined,
    ),
    item('Session', status.sessionId),
    item('Started', status.startTime),
    item('Completed', status.completionTime),
  );
}

function attempts(status) {
  const n = status.attempt ?? 0;
  const rows = [];
  for (let a = n; a >= 1; a--) {
    const usage = (status.attemptUsage ?? []).find((u) => u.attempt === a);
    const logs = (status.logs ?? []).filter((l) => l.attempt === a);
    rows.push(
      h(
        'tr',
        {},
        h('td', { class: 'num' }, a),
        h('td', {}, usage?.finishedAt ?? (a === n && !finished(status.phase) ? 'running' : '')),
        h('td', { class: 'num' }, usd(usage?.costUsd)),
        h('td', { class: 'num' }, usage ? `${usage.inputTokens ?? 0} / ${usage.outputTokens ?? 0}` : ''),
        h('td', {}, usage?.stopReason ?? ''),
        h(
          'td',
          {},
          logs.map((l) =>
            h(
              'div',
              {},
              `${l.container}: `,
              l.lost
                ? h('span', { class: 'lost' }, `not kept (${l.lost})`)
                : `kept, ${l.keptBytes} of ${l.bytes} bytes`,
            ),
          ),
        ),
      ),
    );
  }
  return h(
    'table',
    {},
    h('caption', {}, 'Attempts'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Attempt', 'Finished', 'Cost', 'Tokens in / out', 'Stopped by', 'Logs'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}

function timeline(status, events) {
  const entries = [
    ...(status.conditions ?? []).map((c) => ({
      at: c.lastTransitionTime,
      what: `${c.type} ${c.status}`,
      why: [c.reason, c.message].filter(Boolean).join(': '),
      warning: false,
    })),
    ...events.map((e) => ({
      at: e.at,
      what: `${e.reason}${e.count > 1 ? ` (×${e.count})` : ''}${e.source ? `, by ${e.source}` : ''}`,
      why: e.message,
      warning: e.type === 'Warning',
    })),
  ].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return h(
    'table',
    { class: 'timeline' },
    h('caption', {}, 'Timeline: conditions and Events'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['When', 'What', 'Why'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      entries.map((e) =>
        h(
          'tr',
          { class: e.warning ? 'warning' : undefined },
          h('td', { title: e.at }, `${age(e.at)} ago`),
          h('td', {}, e.what),
          h('td', {}, e.why),
        ),
      ),
    ),
  );
}

/**
 * The log panel: an attempt and container to read, followed while that attempt runs. A container that
 * has not started yet (503), or a read cut short, is asked again every few seconds while the page is open.
 */
function logPanel(path, signal, getStatus) {
  const attempt = h('select', { id: 'log-attempt' });
  const container = h(
    'select',
    { id: 'log-container' },
    h('option', { value: 'agent' }, 'agent'),
    h('option', { value: 'prepare' }, 'prepare'),
  );
  const pre = h('pre', { id: 'log', tabindex: '0', 'aria-label': 'Log' });
  const note = h('p', { class: 'log-note', role: 'status' });
  let reading = new AbortController();
  /** Whether a read is under way, or the shown log is whole (its attempt ended): nothing to ask again. */
  let busy = false;
  let whole = false;
  const running = () => {
    const status = getStatus();
    return Number(attempt.value) === status.attempt && !finished(status.phase);
  };
  const read = async () => {
    reading.abort();
    reading = new AbortController();
    const mine = AbortSignal.any([signal, reading.signal]);
    const follow = running();
    busy = true;
    whole = false;
    pre.textContent = '';
    let held = 0;
    show(note, follow ? 'Following the log…' : '');
    const query = `attempt=${attempt.value}&container=${container.value}${follow ? '&follow=true' : ''}`;
    try {
      await stream(
        `${path}/log?${query}`,
        (text) => {
          // Appended, not rewritten: a chatty agent's log grows by small chunks.
          pre.append(text);
          held += text.length;
          if (held > MAX_LOG_CHARS) {
            pre.textContent = pre.textContent.slice(-MAX_LOG_CHARS / 2);
            held = pre.textContent.length;
          }
          pre.scrollTop = pre.scrollHeight;
        },
        mine,
      );
      whole = !follow || !running();
      show(note, follow ? 'The log ended.' : '');
    } catch (err) {
      if (mine.aborted) return;
      show(note, err.status === 503 ? `Waiting: ${err.message}` : `No log: ${err.message}`);
      // Asked again: a container not started yet (503), or a connection cut (no answer at all).
      whole = err instanceof ApiError && err.status !== 503;
    } finally {
      if (!mine.aborted) busy = false;
    }
    if (!whole && !mine.aborted) setTimeout(() => !mine.aborted && !busy && read(), 3000);
  };
  const attempts = (n) => {
    const chosen = attempt.value;
    show(
      attempt,
      Array.from({ length: n }, (_, i) => h('option', { value: n - i }, `attempt ${n - i}`)),
    );
    attempt.value = chosen && Number(chosen) <= n ? chosen : String(n);
  };
  attempt.addEventListener('change', read);
  container.addEventListener('change', read);
  const panel = h(
    'section',
    { 'aria-labelledby': 'log-heading' },
    h('h2', { id: 'log-heading' }, 'Log'),
    h(
      'div',
      { class: 'filters' },
      h('label', { for: 'log-attempt' }, 'Attempt'),
      attempt,
      h('label', { for: 'log-container' }, 'Container'),
      container,
    ),
    note,
    pre,
  );
  return { panel, attempts, read, attempt };
}

export async function runPage(main, signal, namespace, plural, name) {
  const kind = kindOf(plural);
  const path = runPath(plural, namespace, name);
  const heading = h('h1', {}, `${kind?.kind ?? plural} ${name}`);
  const said = h('p', { class: 'said', role: 'status' });
  const details = h('div');
  let status = {};
  const log = logPanel(path, signal, () => status);
  const act = (what) => async () => {
    show(said, `${what}…`);
    try {
      await api(`${path}/${what.toLowerCase()}`, { method: 'POST', signal });
      show(said, `${what}: done.`);
    } catch (err) {
      show(said, h('span', { class: 'error', role: 'alert' }, `${what} refused: ${err.message}`));
    }
  };
  const cancel = h('button', { type: 'button', onclick: act('Cancel') }, 'Cancel');
  const retry = kind?.retry ? h('button', { type: 'button', onclick: act('Retry') }, 'Retry') : null;
  let events = [];
  let lastAttempt = 0;
  let changes = 0;
  const render = (run) => {
    status = run.status ?? {};
    const s = summary(plural, run);
    cancel.disabled = finished(s.phase);
    show(details, facts(s, status), attempts(status), timeline(status, events));
    log.attempts(Math.max(status.attempt ?? 1, 1));
    // A new attempt, or the first render: its log.
    if ((status.attempt ?? 0) !== lastAttempt) {
      lastAttempt = status.attempt ?? 0;
      log.attempt.value = String(Math.max(lastAttempt, 1));
      log.read();
    }
  };
  const loadEvents = async () => {
    events = (await api(`${path}/events`, { signal }).catch(() => ({ items: [] }))).items;
  };
  show(
    main,
    heading,
    h('p', { class: 'namespace' }, `namespace ${namespace}`),
    h('div', { class: 'actions' }, cancel, retry),
    said,
    details,
    log.panel,
  );
  try {
    const [run] = await Promise.all([api(path, { signal }), loadEvents()]);
    render(run);
  } catch (err) {
    show(details, h('p', { class: 'error', role: 'alert' }, `The run could not be read: ${err.message}`));
    return;
  }
  // Follows the run while the page is open; a watch that ends (its timeout) is opened again.
  while (!signal.aborted) {
    try {
      await watch(
        path,
        async (type, run) => {
          if (type === 'DELETED') return show(said, 'The run was deleted.');
          if (type !== 'ADDED' && type !== 'MODIFIED') return;
          // Events read meanwhile for a newer change: only the newest change is shown.
          const mine = ++changes;
          await loadEvents();
          if (mine === changes) render(run);
        },
        signal,
      );
    } catch {
      if (signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}
