// A TaskRun of agent rex on a local bare repository, for the publisher's tests
// (templates/agent-shell/entry-publish.test.ts, entry-protected-paths.test.ts): its rendering per
// attempt and whether its work branch reached the remote.
import path from 'node:path';
import type { Test } from 'tap';
import type { ControllerConfig } from '../../../src/api/index.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import { loadTemplateSet, renderTaskRun } from '../../../src/render/index.js';
import { sampleTaskRun } from '../../../src/render/samples.js';
import { entryFixture, git } from './entry-script.js';

export const PUBLISH_CONFIG = loadDefaultConfig();
export const PUBLISH_TEMPLATES = loadTemplateSet();
export const REX = { agent: 'rex', preset: 'default' as const, continuing: false };
/** What the gh stub answers for the pull request it opens. */
export const PR = 'https://github.com/acme/payments/pull/7';
export const BRANCH = 'feature/task-7-implementation';

export function publishFixture(t: Test, cfg: ControllerConfig = PUBLISH_CONFIG) {
  const f = entryFixture(t);
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(REX);
  spec.spec.repository = { url, branch: 'main' };
  const render = (attempt: number) => renderTaskRun(PUBLISH_TEMPLATES, spec, cfg, attempt, f.options);
  const onRemote = () => git(['branch', '--list', BRANCH], url).trim() !== '';
  return { f, url, render, onRemote };
}

/** The summary of a result document. */
export const summaryOf = (result: string) => (JSON.parse(result) as { summary?: string }).summary;
