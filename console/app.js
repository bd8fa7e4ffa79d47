// The console's pages by the address's fragment (#/login, #/runs, #/runs/{ns}/{plural}/{name}, #/plays,
// #/budgets): the fragment never reaches a server, and holds no secret. A page is rendered into <main>;
// leaving it aborts what it still reads (its log stream, its watch).
import { api, session } from './api.js';
import { budgetsPage } from './budgets.js';
import { h, show } from './dom.js';
import { playsPage } from './plays.js';
import { runPage } from './run.js';
import { runsPage } from './runs.js';

const main = document.getElementById('main');
const who = document.getElementById('who');
const logout = document.getElementById('logout');
let leaving = new AbortController();

function loginPage(signal, message) {
  const field = h('textarea', {
    id: 'token',
    name: 'token',
    rows: 4,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: async (e) => {
        e.preventDefault();
        session.login(field.value.trim());
        try {
          await api('/api/v1/whoami', { signal });
          // The page asked for, or the runs; the same address fires no hashchange: route it here.
          const target =
            location.hash.startsWith('#/') && location.hash !== '#/login' ? location.hash : '#/runs';
          if (location.hash === target) route();
          else location.hash = target;
        } catch (err) {
          show(error, `Not logged in: ${err.message}`);
        }
      },
    },
    h('h1', {}, 'Log in'),
    h(
      'p',
      {},
      'Paste a token for the audience "orchestrator", as kubectl holds one: ',
      h('code', {}, 'kubectl create token NAME --audience orchestrator'),
      '. It stays in this tab only.',
    ),
    h('label', { for: 'token' }, 'Token'),
    field,
    h('button', { type: 'submit' }, 'Log in'),
    error,
  );
  show(main, form);
  field.focus();
}

async function header(signal) {
  const had = session.token();
  try {
    const me = await api('/api/v1/whoami', { signal });
    show(who, h('span', { class: 'user' }, me.username));
    logout.hidden = false;
    return true;
  } catch (err) {
    if (signal.aborted) return false;
    show(who);
    logout.hidden = true;
    const refused = had ? 'Your token was refused: log in again.' : undefined;
    loginPage(signal, err.status === 401 ? refused : err.message);
    return false;
  }
}

/** The page's parts from the address, or undefined for a fragment that is no page (the skip link's). */
function pageOf(hash) {
  if (hash !== '' && !hash.startsWith('#/')) return undefined;
  try {
    return hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  } catch {
    return ['runs'];
  }
}

async function route() {
  const parts = pageOf(location.hash);
  if (!parts) return;
  leaving.abort();
  leaving = new AbortController();
  const { signal } = leaving;
  if (parts[0] === 'login') {
    show(who);
    logout.hidden = true;
    return loginPage(signal);
  }
  // Without a token, who the API says we are: someone, when a proxy in front adds the user's token.
  if (!(await header(signal))) return;
  if (parts[0] === 'runs' && parts.length === 4) return runPage(main, signal, parts[1], parts[2], parts[3]);
  if (parts[0] === 'plays') return playsPage(main, signal);
  if (parts[0] === 'budgets') return budgetsPage(main, signal);
  return runsPage(main, signal);
}

logout.addEventListener('click', () => {
  session.logout();
  location.hash = '#/login';
});
window.addEventListener('hashchange', route);
route();
