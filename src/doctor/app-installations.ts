// Each GitHub App of the config installed on each repository the runs will work on, asked of GitHub
// as the token broker asks it (GET /repos/{owner}/{repo}/installation with the App's JWT): an App that
// is not installed there gets no token, so its runs fail at their first clone. Only when GitHub is
// given (doctor --repository) and the App's key is in place (the github-apps check names a missing one).
import { createPrivateKey } from 'node:crypto';
import { configuredApps } from '../api/index.js';
import { appAuth, appSecretName, repositoryInstallation, SEED_APP_KEYS } from '../github/index.js';
import { type DoctorCheck, type DoctorContext, type DoctorFinding, ok, problem } from './check.js';
import { secretKey } from './secret-keys.js';

const NAME = 'github-installations';

/** GitHub signs an App's JWT with RS256 only: another key is refused before GitHub is asked. */
function rsaKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** The App's id and key from its Secrets, or undefined when either is missing (not this check's finding). */
async function credentials(ctx: DoctorContext, app: string) {
  const { githubAppId, githubAppPrivateKey } = ctx.config.secrets;
  if (!githubAppId || !githubAppPrivateKey) return undefined;
  const id = await secretKey(
    ctx,
    ctx.namespace,
    appSecretName(githubAppId.name, app),
    githubAppId.key,
    SEED_APP_KEYS.id,
  );
  const keyName = appSecretName(githubAppPrivateKey.name, app);
  const key = await secretKey(ctx, ctx.namespace, keyName, githubAppPrivateKey.key, SEED_APP_KEYS.privateKey);
  if (id.state !== 'present' || key.state !== 'present' || !/^\d+$/.test(id.value)) return undefined;
  return { creds: { appId: id.value, privateKey: key.value }, keyName };
}

export const appInstallationsCheck: DoctorCheck = {
  name: NAME,
  description:
    'each configured GitHub App installed on each repository given with --repository, asked of GitHub',
  async run(ctx) {
    const github = ctx.github;
    if (!github || github.repositories.length === 0) return [];
    const call = { baseUrl: github.apiUrl, fetch: github.fetch ?? fetch };
    const host = ctx.config.github.host ?? 'github.com';
    const findings: DoctorFinding[] = [];
    for (const app of configuredApps(ctx.config)) {
      const found = await credentials(ctx, app);
      if (!found) continue;
      if (!rsaKey(found.creds.privateKey)) {
        findings.push(
          problem(
            NAME,
            'error',
            `GitHub App ${app}: the private key in ${ctx.namespace}/${found.keyName} is not an RSA key, and GitHub signs App JWTs with RS256 only`,
            `kubectl -n ${ctx.namespace} delete secret ${found.keyName}, then create it again with the .pem GitHub generated for ${app}`,
          ),
        );
        continue;
      }
      const { hook } = appAuth(found.creds, call);
      for (const repository of github.repositories) {
        const [owner = '', repo = ''] = repository.split('/');
        try {
          const id = await repositoryInstallation(hook, { owner, repo }, call);
          findings.push(ok(NAME, `GitHub App ${app} is installed on ${repository} (installation ${id})`));
        } catch (err) {
          findings.push(refusal(app, repository, err, { host, keyName: found.keyName, ns: ctx.namespace }));
        }
      }
    }
    return findings;
  },
};

/** GitHub's answer as a finding: not installed (404), a key GitHub refuses (401), or GitHub unreached. */
function refusal(
  app: string,
  repository: string,
  err: unknown,
  where: { host: string; keyName: string; ns: string },
): DoctorFinding {
  const status = (err as { status?: number }).status;
  if (status === 404)
    return problem(
      NAME,
      'error',
      `GitHub App ${app} is not installed on ${repository} (GitHub answers 404 for its installation there): its runs on ${repository} get no token`,
      `install it on ${repository}: https://${where.host}/apps/${app.toLowerCase()}/installations/new (the App's page, Install App; or add ${repository} to its installation's repositories)`,
    );
  if (status === 401)
    return problem(
      NAME,
      'error',
      `GitHub App ${app}: GitHub refused its JWT (401): the App ID or private key in ${where.ns}/${where.keyName} is not ${app}'s`,
      `kubectl -n ${where.ns} delete secret ${where.keyName}, then create it again with ${app}'s App ID and a private key generated on its settings page`,
    );
  const reason = status === undefined ? (err as Error).message : `HTTP ${status}`;
  return problem(
    NAME,
    'warning',
    `GitHub App ${app}: GitHub did not answer about ${repository} (${reason}): its installation is not checked`,
    `check that GitHub (https://${where.host}) is reachable from here, then run doctor again`,
  );
}
