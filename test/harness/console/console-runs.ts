// The web console in a real browser (docs/console.md), against the real manager, the REST API and the
// real agent on the real node: an editor logs in with a token, lists the namespace's runs, opens the
// running one and sees its log grow, reads the namespace's budget with what the agent's calls cost, and
// cancels the run; a viewer of the same namespace is refused the cancel. Every page keeps its token out
// of every address, runs no script the policy refuses, and labels every control. With CONSOLE_SCREENSHOTS=DIR, the main pages are captured there.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { serviceAccountToken } from '../../../src/app/service-account.js';
import { CONSOLE_CSP } from '../../../src/rest/console.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { agentWorld, type Suite } from '../agent/agent-world.js';
import { applyObjects } from '../deploy/kustomize.js';
import { startTestApiServer } from '../operator/api-server.js';
import { call, type Target } from '../operator/rest.js';
import { say, tool } from '../remote/model-script.js';
import { scaled, waitFor } from '../util/wait.js';
import { consolePage, launchBrowser, navigate } from './browser.js';

const RUNS = ['agenttaskruns', 'coderuns', 'docsruns'];

/** A ServiceAccount of `ns` with a Role there: `verbs` on the runs, and reading their logs and Events. */
async function consoleUser(suite: Suite, ns: string, name: string, verbs: string[]): Promise<string> {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: ns },
      rules: [
        { apiGroups: ['orchestrator.io'], resources: RUNS, verbs },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: [''], resources: ['events'], verbs: ['list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
    },
  ] as KubeObject[];
  const applied = await applyObjects(suite.cluster, objects);
  if (applied.code !== 0) throw new Error(applied.stderr);
  return serviceAccountToken(suite.client, { namespace: ns, name }, 3600, ['orchestrator']);
}

async function login(page: Page, url: string, token: string): Promise<void> {
  await navigate(page, url);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
}

/** Controls without a label (an input, select or textarea no <label for> names): none may be. */
const unlabelled = (page: Page): Promise<string[]> =>
  // A string, run in the page: this file is compiled without the DOM's types.
  page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !el.id || !document.querySelector('label[for="' + el.id + '"]'))
    .map((el) => el.outerHTML)`);

/**
 * The budgets page: the namespace's budget with what the agent's calls cost so far (the gateway's
 * ledger, as the API reports it), against its limit, as a chart and a table. The ledger may still be
 * writing a call: the page is listed again until it shows what the API said just before.
 */
async function budgetPage(t: Test, page: Page, api: Target, ns: string, token: string): Promise<void> {
  await page.getByRole('link', { name: 'Budgets' }).click();
  const section = page.getByRole('region', { name: 'console-team' });
  const shown = await waitFor(
    "the page showing the budget's spend of the agent's calls, as the API reports it",
    async (note) => {
      const answer = await call(api, 'GET', `/api/v1/namespaces/${ns}/budgets`, { token });
      const [budget] = answer.body?.items ?? [];
      note({ api: budget?.spentUsd });
      if (!(Number(budget?.spentUsd) > 0)) return undefined;
      await page.getByRole('button', { name: 'List' }).click();
      await section.waitFor({ timeout: scaled(60_000) });
      const text = (await section.textContent()) ?? '';
      note({ api: budget.spentUsd, page: text.slice(0, 120) });
      return text.includes(`$${budget.spentUsd} of $100 spent this month`) ? budget.spentUsd : undefined;
    },
    { timeoutMs: 120_000 },
  );
  t.pass(`the page says the spend the API reports, $${shown} of $100`);
  t.match(
    await section.getByRole('img').getAttribute('aria-label'),
    /^console-team: spend by day since .* against the limit of \$100$/,
    'the chart says what it shows',
  );
  await section.getByText('Spend by day').click();
  t.equal(
    await section.getByRole('row').last().getByRole('cell').last().textContent(),
    `$${shown}`,
    "the table's last day totals the spend",
  );
  t.same(await unlabelled(page), [], 'every field of the budgets page has a label');
}

export async function consoleRuns(t: Test, suite: Suite): Promise<void> {
  const repo = suite.git.repository('acme/console.git', 'main', { 'README.md': '# console\n' });
  // The agent's first command takes a minute, so its second tool call comes while the page shows the
  // log (the log grows under it); the second outlasts the test: the run is still running to cancel.
  const world = await agentWorld(t, suite, [
    tool('Bash', { command: 'echo "first step"; sleep 60' }),
    tool('Bash', { command: 'echo "working on it"; sleep 900' }),
    say('Done.'),
  ]);
  const { ns } = world;
  await world.create('TaskRun', {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { name: 'console-run' },
    spec: { prompt: 'Work on it.', repository: { url: repo, githubUser: suite.user.name } },
  } as Parameters<typeof world.create>[1]);

  // A team budget over the namespace: the gateway's ledger of the agent's calls is its spend.
  world.config.budgets = [{ name: 'console-team', namespaces: [ns], limitUsd: '100', window: 'month' }];
  const { base, port, caPem } = await startTestApiServer(t, suite.client, world.config, {
    budgets: world.budgets,
  });
  const editor = await consoleUser(suite, ns, 'editor', ['get', 'list', 'watch', 'patch', 'cancel']);
  const viewer = await consoleUser(suite, ns, 'viewer', ['get', 'list', 'watch']);
  const shots = process.env.CONSOLE_SCREENSHOTS;
  const shoot = (page: Page, name: string) =>
    shots ? page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }) : undefined;

  const browser = await launchBrowser(t);
  const { page, problems, urls } = await consolePage(browser);
  const first = await navigate(page, `${base}/console/`);
  t.equal(
    first?.headers()['content-security-policy'],
    CONSOLE_CSP,
    'the page is served with the strict policy',
  );
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  t.same(await unlabelled(page), [], 'the login form labels its field');
  await shoot(page, 'login');

  await login(page, `${base}/console/`, editor);
  t.match(await page.locator('#who').textContent(), `system:serviceaccount:${ns}:editor`, 'who is logged in');
  await page
    .getByRole('listitem')
    .filter({ hasText: 'Not listed: agenttaskruns in all namespaces' })
    .waitFor({ timeout: scaled(60_000) });
  await page.getByLabel('Namespaces').fill(ns);
  await page.getByRole('button', { name: 'List' }).click();
  const link = page.getByRole('link', { name: 'console-run' });
  await link.waitFor({ timeout: scaled(60_000) });
  t.match(
    await page.locator('table.runs caption').textContent(),
    /^1 of 1 runs$/,
    'the namespace has one run',
  );
  t.same(await unlabelled(page), [], 'every filter has a label');
  await shoot(page, 'runs');

  await link.click();
  await page.getByRole('heading', { name: 'TaskRun console-run' }).waitFor();
  const log = page.locator('pre#log');
  // The log panel's text once it holds `needle`, as the page follows the log.
  const logShowing = (what: string, needle: string, timeoutMs: number) =>
    waitFor(
      `${what}, as the page follows it`,
      async (note) => {
        const text = (await log.textContent()) ?? '';
        note(text.slice(-300));
        return text.includes(needle) ? text : undefined;
      },
      { timeoutMs },
    );
  // The entry script's lines, then the CLI's events as the agent works: the log grows while it runs.
  const before = await logShowing("the agent's first tool call", 'first step', 600_000);
  const grown = await logShowing('its second tool call', 'working on it', 300_000);
  t.notMatch(before, 'working on it', 'the page showed the log before the second call');
  t.ok(
    grown.length > before.length,
    `the log grew while the page showed it (${before.length} then ${grown.length} characters)`,
  );
  t.match(await page.locator('.facts').textContent(), /Running/, 'the run is running');
  t.same(await unlabelled(page), [], "the log's choices have labels");
  await shoot(page, 'run');
  await budgetPage(t, page, { port, ca: caPem }, ns, editor);
  await shoot(page, 'budgets');
  await page.goBack();
  await page.getByRole('heading', { name: 'TaskRun console-run' }).waitFor();

  const view = await consolePage(browser);
  await login(view.page, `${base}/console/`, viewer);
  await navigate(view.page, `${base}/console/#/runs/${ns}/agenttaskruns/console-run`);
  await view.page.getByRole('button', { name: 'Cancel' }).click();
  const refusal = await view.page.getByRole('alert').filter({ hasText: 'Cancel refused' }).textContent();
  t.match(
    refusal,
    /Cancel refused: .*cannot patch resource "agenttaskruns"/,
    'a viewer is refused, as RBAC words it',
  );
  t.same(view.problems, [], 'no script error or policy violation for the viewer');
  await view.context.close();

  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Cancel: done.').waitFor();
  await waitFor(
    'the page showing the run Cancelled',
    async () => (/Cancelled/.test((await page.locator('.facts').textContent()) ?? '') ? true : undefined),
    { timeoutMs: 300_000 },
  );
  t.equal((await world.status('TaskRun', 'console-run')).phase, 'Cancelled', 'the run itself is cancelled');
  t.same(problems, [], 'no script error or policy violation');
  const leaked = [...urls, page.url()].filter((u) => u.includes(editor));
  t.same(leaked, [], 'the token is in no address');
}
