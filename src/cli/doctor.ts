// `orchestrator doctor`: the install checked from the user's kubeconfig (src/doctor), each finding with
// the command that fixes it; exit 1 on any error, so a script or CI step stops there. The config it
// checks against is the one the installed manager mounts (the Deployment's `config` volume), else
// --config, else the package's.
import type { Command } from 'commander';
import type { ControllerConfig } from '../api/index.js';
import { doctorContext, reviewFor, runNamespacesOf } from '../app/doctor-context.js';
import { defaultConfigFile, loadConfigFile, parseConfig } from '../config/load.js';
import { DOCTOR_CHECKS, exitCode, formatFindings, runChecks } from '../doctor/index.js';
import { type ApiRequester, isNotFound } from '../runtime/index.js';
import type { CliIO } from './io.js';
import { addKubeOptions, type KubeFlags, withConnection } from './kube.js';

interface DoctorFlags extends KubeFlags {
  config?: string;
  operatorNamespace: string;
  deployment: string;
}

const CONFIG_KEY = 'controller-config.yaml';

/** The config the installed manager reads, and where it came from; undefined without a Deployment. */
async function installedConfig(
  client: ApiRequester,
  namespace: string,
  deployment: string,
): Promise<{ config: ControllerConfig; source: string } | undefined> {
  let dep: {
    spec?: { template?: { spec?: { volumes?: { name: string; configMap?: { name: string } }[] } } };
  };
  try {
    dep = await client.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const name = dep.spec?.template?.spec?.volumes?.find((v) => v.name === 'config')?.configMap?.name;
  if (!name) return undefined;
  const cm = await client.request<{ data?: Record<string, string> }>(
    'GET',
    `/api/v1/namespaces/${namespace}/configmaps/${name}`,
  );
  const text = cm.data?.[CONFIG_KEY];
  if (text === undefined) return undefined;
  const source = `ConfigMap ${namespace}/${name}`;
  return { config: parseConfig(text, source), source };
}

async function doctor(flags: DoctorFlags, io: CliIO): Promise<void> {
  await withConnection(
    flags,
    async (conn) => {
      const ns = flags.operatorNamespace;
      const installed = flags.config ? undefined : await installedConfig(conn.client, ns, flags.deployment);
      const file = flags.config ?? defaultConfigFile();
      const { config, source } = installed ?? { config: loadConfigFile(file), source: file };
      io.out(`checking against the controller config of ${source}\n`);
      const ctx = doctorContext({
        client: conn.client,
        config,
        namespace: ns,
        runNamespaces: runNamespacesOf(config, [conn.namespace]),
        can: reviewFor(conn.client, { namespace: ns, name: 'orchestrator' }),
        atStart: false,
      });
      const findings = await runChecks(DOCTOR_CHECKS, ctx);
      io.out(formatFindings(findings));
      const errors = findings.filter((f) => f.severity === 'error').length;
      io.out(errors ? `${errors} problem(s) to fix\n` : 'no problem found\n');
      process.exitCode = exitCode(findings);
    },
    { checkCrds: false },
  );
}

export function registerDoctorCommand(program: Command, io: CliIO): void {
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
      .option('--operator-namespace <ns>', "the operator's namespace", 'orchestrator-system')
      .option(
        '--deployment <name>',
        "the manager's Deployment (whose config volume is read)",
        'orchestrator',
      ),
  ).action((flags: DoctorFlags) => doctor(flags, io));
}
