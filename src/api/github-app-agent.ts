// Which agent profile a GitHub App runs. The config says it: the profile whose `githubApp` is the App
// (docs/configuration.md), so an install's Apps may be named anything. An App no profile names keeps
// the seed's rule, the part after its last '-' (`acme-cleo` runs cleo), so runs written for the seed's
// Apps (config/samples/seed) still find their agent when the config names the App in githubApps only.
import { agentFromGithubApp } from '../naming/index.js';
import type { ControllerConfig } from './types.js';

/** GitHub compares App names (their slugs) without regard to case, and so does this. */
const sameApp = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The profile that names `app` as its githubApp (the config rejects two that do), if any. */
export function profileNamingApp(config: Pick<ControllerConfig, 'agents'>, app: string): string | undefined {
  return Object.entries(config.agents).find(
    ([, profile]) => profile.githubApp && sameApp(profile.githubApp, app),
  )?.[0];
}

/** The agent a run acting as `app` uses: the profile naming it, else the seed's rule. */
export const agentOfGithubApp = (config: Pick<ControllerConfig, 'agents'>, app: string): string =>
  profileNamingApp(config, app) ?? agentFromGithubApp(app);

/** The install's Apps: githubApps and every profile's githubApp, each once (by GitHub's case-blind name). */
export function configuredApps(config: Pick<ControllerConfig, 'agents' | 'githubApps'>): string[] {
  const apps = [
    ...(config.githubApps ?? []),
    ...Object.values(config.agents).flatMap((a) => (a.githubApp ? [a.githubApp] : [])),
  ];
  return apps.filter((app, i) => apps.findIndex((other) => sameApp(other, app)) === i);
}
