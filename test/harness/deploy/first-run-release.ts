// docs/first-run.md followed against a release published to the local registry (release.ts): the
// guide's install puts the release on the real node, and its later steps make the App's Secret and
// config, the user's token and grant, and a TaskRun that the real agent takes to its pull request.
// Its `helm` is the test's helm with the registry's host for the release's (ghcr.io) and the test's
// values (the stand-ins' addresses) on install and upgrade, as a user's own values file would be.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Cluster } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/index.js';
import {
  APP_ANSWER_FILE,
  execs,
  type FollowedGuide,
  followGuide,
  shellQuote,
} from '../agent/first-run-guide.js';
import type { CommandResult } from '../cluster/cluster.js';
import { scaled } from '../util/wait.js';
import { helm } from './helm.js';
import { kubectlOk } from './in-cluster.js';
import { releasedImages } from './release.js';

export interface GuideWorld {
  cluster: Cluster;
  /** The local registry's host, which stands in for the release's. */
  registryHost: string;
  /** The guide's values (docs/first-run.md's first block). */
  values: Record<string, string>;
}

/** A helm that installs the release from `registryHost` with the test's `valuesFile`. */
async function guideHelm(cluster: Cluster, registryHost: string, valuesFile: string): Promise<string> {
  const released = `oci://${releasedImages().operator.host}/`;
  const local = `oci://${registryHost}/`;
  const added = ['--plain-http', '-f', valuesFile, `--timeout=${scaled(600)}s`].map(shellQuote).join(' ');
  return [
    'for a; do',
    '  shift',
    // The hosts hold no character a shell's pattern or word would read: they go in unquoted.
    `  case $a in ${released}*) a="${local}\${a#${released}}" ;; esac`,
    '  set -- "$@" "$a"',
    'done',
    `case $1 in install|upgrade) set -- "$@" ${added} ;; esac`,
    `${execs([...(await helm()).command])} --kubeconfig ${shellQuote(cluster.kubeconfig)}`,
  ].join('\n');
}

/** The guide, its install run (values to model-key) with the test's `valuesFile`. */
export async function installByGuide(w: GuideWorld, valuesFile: string): Promise<FollowedGuide> {
  const guide = followGuide(w.cluster, w.values, {
    kubectl: execs(w.cluster.kubectl.map(String)),
    helm: await guideHelm(w.cluster, w.registryHost, valuesFile),
    orchestrator: execs([process.execPath, join(packageRoot(), 'bin', 'orchestrator.js')]),
  });
  await guide.run('values', 'model-key');
  return guide;
}

/** What GitHub's manifest conversion answers (POST /app-manifests/{code}/conversions): the App and its key. */
function appConversion(name: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    id: 424242,
    slug: name.toLowerCase(),
    node_id: 'A_kwDOtest',
    name,
    owner: { login: 'acme', type: 'Organization' },
    html_url: `https://github.com/apps/${name.toLowerCase()}`,
    permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
    events: ['pull_request'],
    client_id: 'Iv23liTestClient',
    client_secret: 'test-client-secret',
    webhook_secret: null,
    pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

/**
 * The guide's steps after the install: the App's Secret (from GitHub's answer, as app-create leaves
 * it) and config, the user's token, the grant, the run, its wait and its pull request. Checks what
 * each makes; the steps' output by name.
 */
export async function followAfterInstall(
  t: Test,
  w: GuideWorld,
  guide: FollowedGuide,
  operatorNamespace: string,
): Promise<Map<string, CommandResult>> {
  const app = appConversion(w.values.GITHUB_APP as string);
  writeFileSync(join(guide.dir, APP_ANSWER_FILE), JSON.stringify(app), { mode: 0o600 });
  const outputs = await guide.run('app-create', 'pull-request');
  const secret = JSON.parse(
    (
      await kubectlOk(w.cluster, [
        ...['-n', operatorNamespace, 'get', 'secret', `github-app-${app.slug}`, '-o', 'json'],
      ])
    ).stdout,
  ) as { data: Record<string, string> };
  const decoded = (k: string) => Buffer.from(secret.data[k] ?? '', 'base64').toString('utf8');
  t.same(
    [decoded('app-id'), decoded('private-key').trim()],
    [String(app.id), app.pem.trim()],
    "app-secret stored the App's id and key",
  );
  const role = JSON.parse(
    (
      await kubectlOk(w.cluster, [
        ...['-n', operatorNamespace, 'get', 'role', 'orchestrator-github-app-keys', '-o', 'json'],
      ])
    ).stdout,
  ) as { rules: { resourceNames?: string[] }[] };
  t.ok(
    role.rules.some((r) => r.resourceNames?.includes(`github-app-${app.slug}`)),
    "app-config named the App: the manager may read its key's Secret",
  );
  return outputs;
}
