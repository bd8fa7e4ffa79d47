// `orchestrator doctor`: the install checked from the user's kubeconfig (src/doctor), each finding with
// the command that fixes it; exit 1 on any error, so a script or CI step stops there. The config it
// checks against is the one the installed manager mounts (the Deployment's `config` volume), else
// --config, else the package's.
import { type Command, Option } from 'commander';
import { doctorContext, MANAGER_SERVICE_ACCOUNT, reviewFor, runNamespacesOf } from '../app/index.js';
import { defaultConfigFile, loadConfigFile } from '../config/index.js';
import { DOCTOR_CHECKS, type DoctorCheck, exitCode, formatFindings, runChecks } from '../doctor/index.js';
import { githubApiUrl } from '../github/index.js';
import { addInstallOptions, type InstallFlags, installedConfig } from './cluster-config.js';
import { type CliIO, fail } from './io.js';
import { addKubeOptions, type KubeFlags, withConnection } from './kube.js';

interface DoctorFlags extends KubeFlags, InstallFlags {
  config?: string;
  repository: string[];
  githubApiUrl?: string;
  check: string[];
  failOn: 'error' | 'warning';
}

const OWNER_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** --repository: owner/repo, each; a bad one named with the rule. */
function repositories(flags: DoctorFlags): string[] {
  for (const r of flags.repository)
    if (!OWNER_REPO.test(r)) throw fail(`--repository: "${r}" is not owner/repo (e.g. acme/payments)`);
  return flags.repository;
}

/** --check: the checks named, in their order; all of them when none is named. */
function selectedChecks(flags: DoctorFlags): readonly DoctorCheck[] {
  const names = DOCTOR_CHECKS.map((c) => c.name);
  for (const n of flags.check)
    if (!names.includes(n)) throw fail(`--check: "${n}" is no check; the checks are ${names.join(', ')}`);
  return flags.check.length ? DOCTOR_CHECKS.filter((c) => flags.check.includes(c.name)) : DOCTOR_CHECKS;
}

async function doctor(flags: DoctorFlags, io: CliIO): Promise<void> {
  const checks = selectedChecks(flags);
  await withConnection(
    flags,
    async (conn) => {
      const repos = repositories(flags);
      const ns = flags.operatorNamespace;
      const installed = flags.config ? undefined : await installedConfig(conn.client, flags);
      const file = flags.config ?? defaultConfigFile();
      const {
        config,
        source,
        serviceAccount = MANAGER_SERVICE_ACCOUNT.name,
      } = installed ?? {
        config: loadConfigFile(file),
        source: file,
      };
      io.out(`checking against the controller config of ${source}\n`);
      const ctx = doctorContext({
        client: conn.client,
        config,
        namespace: ns,
        runNamespaces: runNamespacesOf(config, [conn.namespace]),
        serviceAccount: { namespace: ns, name: serviceAccount },
        can: reviewFor(conn.client, { namespace: ns, name: serviceAccount }),
        atStart: false,
        github: {
          apiUrl: flags.githubApiUrl ?? githubApiUrl(config.github.host),
          repositories: [...repos, ...config.githubWebhook.repositories.map((r) => r.name)],
        },
      });
      const findings = await runChecks(checks, ctx);
      io.out(formatFindings(findings));
      const errors = findings.filter((f) => f.severity === 'error').length;
      io.out(errors ? `${errors} problem(s) to fix\n` : 'no problem found\n');
      process.exitCode = exitCode(findings, flags.failOn);
    },
    { checkCrds: false },
  );
}

export function registerDoctorCommand(program: Command, io: CliIO): void {
  addInstallOptions(
    addKubeOptions(
      program
        .command('doctor')
        .description(
          "check an install: CRDs, the manager's RBAC, the webhooks, the model key, the GitHub Apps' keys, the agent sandbox; each problem with its fix, exit 1 on any",
        )
        .option(
          '--config <file>',
          "controller config to check against (default: the installed manager's, else the package's)",
        )
        .option(
          '--repository <owner/repo>',
          "a repository your runs work on: each configured GitHub App's installation on it is asked of GitHub (repeatable; the config's githubWebhook.repositories are asked too)",
          (value: string, all: string[]) => [...all, value],
          [] as string[],
        )
        .option('--github-api-url <url>', "GitHub's REST API (default: the config's github.host's)")
        .addOption(
          new Option('--fail-on <severity>', "exit 1 on errors, or on warnings too (the chart's helm test)")
            .choices(['error', 'warning'])
            .default('error'),
        )
        .option(
          '--check <name>',
          `run only this check (repeatable; the chart's helm test runs webhook-call): ${DOCTOR_CHECKS.map((c) => c.name).join(', ')}`,
          (value: string, all: string[]) => [...all, value],
          [] as string[],
        ),
    ),
  ).action((flags: DoctorFlags) => doctor(flags, io));
}
