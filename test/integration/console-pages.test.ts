// The console's plays and budgets pages in a real browser (docs/console.md), on the local control
// plane with the REST API and no manager: runs made by an Argo Workflow (its label) with their outcomes
// and costs in status, and a team budget over their namespace summed from those runs as the manager's
// spend index sums them. A member of the namespace reads the play's stages and total and the budget's
// spend against its limit; a caller of another namespace is told the budget is not theirs to see.
import type { Page } from 'playwright-core';
import t from 'tap';
import { serviceAccountToken, serviceAccountUser } from '../../src/app/service-account.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { consolePage, launchBrowser, navigate } from '../harness/console/browser.js';
import { waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { startTestApiServer } from '../harness/operator/api-server.js';
import { sampleTaskRun, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { restCaller } from '../harness/operator/rest-callers.js';
import { fixedBudgets } from '../harness/rest/budget-reports.js';
import { REQUEST_LIMIT_MS } from '../harness/util/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
t.teardown(() => admin.close());

/** Two stages of one play, a run outside it; each with its outcome and cost, as the manager writes them. */
const RUNS = [
  {
    name: 'play-impl',
    workflow: 'play-7',
    phase: 'Succeeded',
    cost: '1.25',
    pr: 'https://github.com/acme/payments/pull/7',
  },
  { name: 'play-quality', workflow: 'play-7', phase: 'Running', cost: '0.5' },
  { name: 'alone', phase: 'Failed', cost: '2' },
];

/** Once the clock is past the second of `at` (RFC 3339, whole seconds). */
async function nextSecond(at: string): Promise<void> {
  const wait = Date.parse(at) + 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
}

async function seedRuns(ns: string): Promise<KubeObject[]> {
  const made: KubeObject[] = [];
  for (const [i, r] of RUNS.entries()) {
    const run = sampleTaskRun(r.name, i + 1);
    if (r.workflow)
      run.metadata = { ...run.metadata, labels: { 'orchestrator.io/workflow-name': r.workflow } };
    const created = await admin.request<KubeObject>('POST', taskRunPath(ns), { body: run });
    // The plays page orders a play's stages by creation, which the apiserver records to the second.
    await nextSecond(String(created.metadata?.creationTimestamp));
    const finishedAt = new Date().toISOString();
    made.push(
      await admin.request<KubeObject>('PATCH', `${taskRunPath(ns, r.name)}/status`, {
        body: {
          status: {
            phase: r.phase,
            attempt: 1,
            usage: { costUsd: r.cost },
            attemptUsage: [{ attempt: 1, finishedAt, costUsd: r.cost }],
            ...(r.pr ? { pullRequestUrl: r.pr } : {}),
          },
        },
        contentType: 'application/merge-patch+json',
      }),
    );
  }
  return made;
}

/** A page logged in as `token`, its Namespaces field holding `ns`: a user's second visit. */
async function loggedIn(
  browser: Awaited<ReturnType<typeof launchBrowser>>,
  base: string,
  token: string,
  ns: string,
) {
  const opened = await consolePage(browser);
  await opened.context.addInitScript(
    `if (location.origin === ${JSON.stringify(base)}) {
       sessionStorage.setItem('orchestrator.token', ${JSON.stringify(token)});
       localStorage.setItem('orchestrator.namespaces', ${JSON.stringify(ns)});
     }`,
  );
  return opened;
}

const unlabelled = (page: Page): Promise<string[]> =>
  page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => !el.id || !document.querySelector('label[for="' + el.id + '"]'))
    .map((el) => el.outerHTML)`);

t.test(
  "a play's stages and total, and the namespace's budget, for a member; none for a stranger",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const elsewhere = await testNamespace(t, cluster);
    const runs = await seedRuns(ns);
    await restCaller(cluster, ns, ns, 'member');
    await restCaller(cluster, elsewhere, elsewhere, 'stranger');
    const user = serviceAccountUser({ namespace: ns, name: 'member' });
    await waitForPermission(cluster, user, ['list', 'agenttaskruns.orchestrator.io', '-n', ns]);
    const member = await serviceAccountToken(admin, { namespace: ns, name: 'member' }, 3600, [
      'orchestrator',
    ]);
    const stranger = await serviceAccountToken(admin, { namespace: elsewhere, name: 'stranger' }, 3600, [
      'orchestrator',
    ]);
    const config = testConfig();
    config.budgets = [{ name: 'payments-team', namespaces: [ns], limitUsd: '10', window: 'week' }];
    const { base } = await startTestApiServer(t, admin, config, {
      budgets: fixedBudgets(() => config, runs),
      rateLimit: { requestsPerSecond: 1000, burst: 1000 },
    });
    const browser = await launchBrowser(t);

    const { page, problems } = await loggedIn(browser, base, member, ns);
    await navigate(page, `${base}/console/#/plays`);
    const play = page.getByRole('region', { name: /^play-7/ });
    await play.waitFor();
    t.match(
      await play.textContent(),
      '2 stages; now: Running; total $1.75',
      'the play: its stages, where it is, its cost',
    );
    const rows = await play.getByRole('row').allTextContents();
    t.match(
      rows[1],
      /^1play-impl.*Succeeded1\$1\.25pull request/,
      'the first stage, its outcome, cost and pull request',
    );
    t.match(rows[2], /^2play-quality.*Running1\$0\.5/, 'the second stage');
    t.equal(rows.length, 3, 'a run outside the play is no stage of it');
    t.equal(
      await play.getByRole('link', { name: 'play-impl' }).getAttribute('href'),
      `#/runs/${ns}/agenttaskruns/play-impl`,
      'a stage links to its run',
    );

    await page.getByRole('link', { name: 'Budgets' }).click();
    const budget = page.getByRole('region', { name: 'payments-team' });
    await budget.waitFor();
    t.match(
      await budget.textContent(),
      '$3.75 of $10 spent this week (38%)',
      "every run's spend in the namespace",
    );
    t.equal(await budget.getByRole('meter').getAttribute('value'), '3.75', 'the meter shows it');
    t.match(await budget.getByRole('img').getAttribute('aria-label'), /^payments-team: spend by day since /);
    t.ok((await budget.locator('svg rect.day').count()) >= 1, 'a bar for each day so far');
    await budget.getByText('Spend by day').click();
    t.equal(
      await budget.getByRole('row').last().getByRole('cell').last().textContent(),
      '$3.75',
      'the days total it',
    );
    t.same(await unlabelled(page), [], 'every field is labelled');
    t.same(problems, [], 'no script error or policy violation');

    const other = await loggedIn(browser, base, stranger, ns);
    await navigate(other.page, `${base}/console/#/budgets`);
    const refused = other.page.getByText(/^Not listed: budgets of /);
    await refused.waitFor();
    t.match(
      await refused.textContent(),
      /cannot list resource "agenttaskruns", "coderuns", "docsruns" \(any of them\)/,
    );
    t.equal(
      await other.page.getByRole('region', { name: 'payments-team' }).count(),
      0,
      'the budget is not shown',
    );
    t.same(other.problems, [], 'no script error for the stranger');
  },
);
