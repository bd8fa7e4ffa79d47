// `orchestrator run`: the manager (webhooks, controllers, REST API), or with -p a run from a prompt
// (prompt-run.ts, decision 0079). Each refuses the other's flags, so no flag given is ignored. Only the
// branch taken is loaded: the manager is most of the product's modules.
import { type Command, InvalidArgumentError } from 'commander';
import type { RunFlags } from '../app/index.js';
import { defaultConfigFile } from '../config/index.js';
import { parseDuration } from './duration.js';
import { type CliIO, collect, fail } from './io.js';
import { addPromptOptions, isPromptRun, type PromptFlags } from './prompt-run.js';

/** A flag that takes true or false and nothing else (a typo must not pick a side silently). */
const strictBoolean = (value: string): boolean => {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new InvalidArgumentError(`"${value}" is not true or false.`);
};

/** The flags given on the command line among `names` (defaults and environment values are not given). */
const given = (cmd: Command, names: readonly string[]) =>
  [...new Set(names)]
    .filter((n) => cmd.getOptionValueSource(n) === 'cli')
    // --repo and --no-repo share one value: named by the one given.
    .map(
      (n) =>
        cmd.options.find((o) => o.attributeName() === n && o.negate === (cmd.getOptionValue(n) === false))
          ?.long,
    );

export function registerRunCommand(program: Command, io: CliIO): void {
  const cmd = program
    .command('run')
    .description(
      'run the admission webhooks and the manager (with no cluster configured: on a local control plane); with -p, start a run from a prompt instead',
    )
    .optionsGroup('Run the manager:')
    .option(
      '--config <file>',
      'controller config file (env ORCHESTRATOR_CONFIG)',
      process.env.ORCHESTRATOR_CONFIG ?? defaultConfigFile(),
    )
    .option(
      '--templates-dir <dir>',
      'run templates directory (env ORCHESTRATOR_TEMPLATES; default: the templates/ of the package)',
    )
    .option(
      '--kubeconfig <file>',
      'kubeconfig (default: KUBECONFIG, else in-cluster, else the local control plane)',
    )
    .option('--local', 'always start the local control plane')
    .option(
      '--cert-dir <dir>',
      'directory holding tls.crt and tls.key (default: webhook.certDir of the config)',
    )
    .option(
      '--webhook-cert-secret <name>',
      "issue and rotate the serving certificate into this Secret of the operator's namespace, and write it into --cert-dir (an install without cert-manager; default: off, --cert-dir holds a certificate made by others)",
    )
    .option(
      '--inject-ca <resource/name>',
      "a webhook configuration of the operator's whose caBundle is kept to --webhook-cert-secret's CA, e.g. validatingwebhookconfigurations/orchestrator-validating (repeatable)",
      collect,
    )
    .option(
      '--webhook-client-ca-file <file>',
      "PEM CAs of the apiserver's client certificate; callers without one are refused (default: webhook.clientCAFile of the config, unset)",
    )
    .option('--webhook-port <port>', 'webhook HTTPS port (default: webhook.port of the config, 9443)')
    .option('--metrics-bind-address <addr>', 'metrics address (default: metrics.bindAddress, ":8080")')
    .option(
      '--metrics-secure <bool>',
      'HTTPS metrics, each scrape checked with a TokenReview and a SubjectAccessReview; false: plain HTTP (default: metrics.secure, true)',
      strictBoolean,
    )
    .option('--health-probe-bind-address <addr>', 'probe address (default: health.bindAddress, ":8081")')
    .option(
      '--api-bind-address <addr>',
      'REST API HTTPS address; "0" turns it off (default: api.bindAddress, ":8443")',
    )
    .option(
      '--gateway-bind-address <addr>',
      'the model gateway\'s plain HTTP address, with gateway.enabled (default: gateway.bindAddress, ":8090")',
    )
    .option(
      '--leader-elect <bool>',
      'campaign for the Lease before reconciling (default: leaderElection.enabled)',
      (v) => v !== 'false',
    )
    .option(
      '--leader-election-namespace <ns>',
      'namespace of the Lease (default: POD_NAMESPACE, then the config)',
    )
    .option('--log-level <level>', 'pino level (env LOG_LEVEL)', undefined)
    .option(
      '--shutdown-delay <duration>',
      'after SIGTERM, keep answering webhook and API requests (not ready, closing each connection) this long, until the Service stops routing here (default 0; the Deployment sets 5s)',
      (value: string) => {
        try {
          return parseDuration(value, '--shutdown-delay');
        } catch (err) {
          throw new InvalidArgumentError((err as Error).message);
        }
      },
    );
  const managerFlags = cmd.options.map((o) => o.attributeName()).filter((n) => n !== 'kubeconfig');
  addPromptOptions(cmd);
  const promptFlags = cmd.options
    .map((o) => o.attributeName())
    .filter((n) => !managerFlags.includes(n) && n !== 'kubeconfig');
  cmd.action(async (flags: RunFlags & PromptFlags & { config: string }) => {
    if (isPromptRun(flags)) {
      const wrong = given(cmd, managerFlags);
      if (wrong.length) throw fail(`${wrong.join(', ')}: the manager's, not for a run from a prompt (-p)`);
      await (await import('./prompt-run.js')).startPromptRun(flags, io);
      return;
    }
    const wrong = given(cmd, promptFlags);
    if (wrong.length)
      throw fail(`${wrong.join(', ')}: for a run from a prompt; give it with -p or --prompt-file`);
    const { loadConfigFile } = await import('../config/index.js');
    const { run, runOptions } = await import('../app/index.js');
    const config = loadConfigFile(flags.config, process.env);
    await run(runOptions(config, flags.config, flags, process.env));
  });
}
