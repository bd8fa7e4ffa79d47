// Which installation of a GitHub App reaches a repository: GET /repos/{owner}/{repo}/installation,
// authenticated by the App's JWT (GitHub answers 404 when the App is not installed on the repository,
// or its installation leaves the repository out). The token broker looks it up before minting; the
// doctor asks it to say whether an App can work on a repository at all.
import { createAppAuth } from '@octokit/auth-app';
import { request } from '@octokit/request';
import type { AppCredentials } from './app-keys.js';

export interface GithubCall {
  baseUrl: string;
  fetch: typeof fetch;
}

/** The App's JWT as a request hook, for the calls an App makes as itself. */
export const appAuth = (creds: AppCredentials, call: GithubCall): ReturnType<typeof createAppAuth> =>
  createAppAuth({
    appId: creds.appId,
    privateKey: creds.privateKey,
    request: request.defaults({ baseUrl: call.baseUrl, request: { fetch: call.fetch } }),
  });

/** The installation id; the error is @octokit/request's (its `status` says why). */
export async function repositoryInstallation(
  hook: ReturnType<typeof appAuth>['hook'],
  repository: { owner: string; repo: string },
  call: GithubCall,
): Promise<number> {
  const { data } = await request('GET /repos/{owner}/{repo}/installation', {
    baseUrl: call.baseUrl,
    owner: repository.owner,
    repo: repository.repo,
    request: { hook, fetch: call.fetch },
  });
  return data.id;
}
