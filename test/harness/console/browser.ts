// A real browser for the console's tests: Debian's chromium (scripts/system-packages.js installs it),
// driven by playwright-core, which downloads no browser of its own. Headless, without the sandbox (the
// tests run as root, where chromium refuses its sandbox), and trusting the test's own certificate
// authority only through ignoreHTTPSErrors: the console's TLS is the REST API's, tested elsewhere.

import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import type { Scope } from '../util/scope.js';

const CHROMIUM = '/usr/bin/chromium';

export async function launchBrowser(t: Pick<Scope, 'teardown'>): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error('chromium is missing: apt-get install -y chromium (node scripts/system-packages.js)');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  return browser;
}

/** A page of a new context (its own sessionStorage: a user of their own), and what went wrong in it. */
export async function consolePage(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: string[]; urls: string[] }> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const urls: string[] = [];
  // A script error, or a Content-Security-Policy violation ("Refused to …" on the console). A request
  // that failed is not one: the API's refusals and waits (401, 403, 503) are the page's to say, and the
  // real node's new network interfaces make chromium cut requests (net::ERR_NETWORK_CHANGED), which
  // the page asks again.
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/^Failed to load resource: /.test(msg.text()))
      problems.push(`console error: ${msg.text()}`);
  });
  page.on('request', (req) => urls.push(req.url()));
  return { context, page, problems, urls };
}

/**
 * page.goto, again when chromium cut the navigation because a network interface changed
 * (net::ERR_NETWORK_CHANGED: the real node adds one for each pod it starts), at most 5 times.
 */
export async function navigate(page: Page, url: string): Promise<Response | null> {
  for (let tries = 1; ; tries++) {
    try {
      return await page.goto(url);
    } catch (err) {
      if (tries >= 5 || !/net::ERR_NETWORK_CHANGED/.test((err as Error).message)) throw err;
    }
  }
}
