// The GitHub App `task code` and `task docs` default to when neither --github-app nor --github-user is
// given: the cluster's, from the installed manager's config (cluster-config.ts), never a name written in
// the CLI (docs/decisions/0041-cli-defaults-from-the-cluster-config.md). A CodeRun's is the App of the
// config's defaultAgent (the profile a TaskRun naming none runs); a DocsRun's is the App of the
// config's documentation agent (role documentation). Without one, the error says what to give; a
// client --dry-run prints the run without the App instead, with that error as a note.
import type { ControllerConfig } from '../api/index.js';
import { type InstallFlags, installedConfig } from './cluster-config.js';
import { CliExit, type CliIO, fail } from './io.js';
import { type KubeFlags, withConnection } from './kube.js';
import { isClientDryRun, type SubmitFlags } from './submit.js';
import { type DefaultApp, needsDefaultApp } from './task-flags.js';

type TaskKind = 'CodeRun' | 'DocsRun';

/** The App, or why the config has none. */
export function defaultGithubApp(
  config: Pick<ControllerConfig, 'agents' | 'defaultAgent'>,
  kind: TaskKind,
): { app: string } | { none: string } {
  if (kind === 'CodeRun') {
    const app = config.agents[config.defaultAgent]?.githubApp;
    return app ? { app } : { none: `its defaultAgent (${config.defaultAgent}) has no githubApp` };
  }
  const docs = Object.entries(config.agents).filter(([, a]) => a.role === 'documentation' && a.githubApp);
  const [first] = docs;
  if (!first) return { none: 'no agent with role documentation has a githubApp' };
  if (docs.length > 1)
    return { none: `several agents with role documentation (${docs.map(([n]) => n).join(', ')})` };
  return { app: first[1].githubApp as string };
}

/** No cluster (or none answering) to read the config from: what a client dry run goes on without. */
class ConfigUnread extends CliExit {}

/** The cluster's default App for `kind`, or an error naming the flags to give instead. */
export async function clusterGithubApp(flags: KubeFlags & InstallFlags, kind: TaskKind): Promise<string> {
  const give = 'give --github-app (or --github-user)';
  if (flags.apiUrl)
    throw fail(`--github-app: the REST API (--api-url) does not serve the cluster's config; ${give}`);
  let installed: Awaited<ReturnType<typeof installedConfig>>;
  try {
    installed = await withConnection(flags, (conn) => installedConfig(conn.client, flags));
  } catch (err) {
    const reason = err instanceof CliExit ? err.message.replace(/^error: /, '') : (err as Error).message;
    throw new ConfigUnread(
      1,
      `error: --github-app not given, and the cluster's config could not be read for its default (${reason}); ${give}`,
    );
  }
  const where = `${flags.operatorNamespace}/${flags.deployment}`;
  if (!installed)
    throw fail(
      `--github-app not given, and no installed manager (Deployment ${where}, --operator-namespace and --deployment) has a config to take the default from; ${give}`,
    );
  const found = defaultGithubApp(installed.config, kind);
  if ('none' in found)
    throw fail(
      `--github-app not given, and the cluster's config (${installed.source}) names no default App for a ${kind}: ${found.none}; ${give}`,
    );
  return found.app;
}

/**
 * The App a `task code|docs` run takes when neither --github-app nor --github-user is given. A client
 * --dry-run is for reading the run, so when no cluster could be asked it prints the run without an App
 * (`null`) and says why on stderr; submitted, the run takes the cluster's App or fails the same way.
 */
export async function taskGithubApp(
  flags: KubeFlags & InstallFlags & SubmitFlags & { githubApp?: string; githubUser?: string },
  kind: TaskKind,
  io: CliIO,
): Promise<DefaultApp> {
  if (!needsDefaultApp(flags)) return undefined;
  if (!isClientDryRun(flags)) return clusterGithubApp(flags, kind);
  try {
    return await clusterGithubApp(flags, kind);
  } catch (err) {
    // A cluster that answered without an App would refuse the run: that stays an error.
    if (!(err instanceof ConfigUnread)) throw err;
    io.err(`note: spec.githubApp left out of the ${kind}: ${err.message.replace(/^error: /, '')}\n`);
    return null;
  }
}
