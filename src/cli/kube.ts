// Connecting the user commands to a cluster the way kubectl does: KUBECONFIG / --kubeconfig, --context,
// -n/--namespace (default: the context's namespace), a timeout on every call, and one clear message for
// the two usual problems: no cluster answering, and a cluster without the orchestrator.io CRDs.

import { type Command, Option } from 'commander';
import { GROUP, kindFacts, RUN_KIND_NAMES, VERSION } from '../api/index.js';
import { KubeConfig } from '../kubeconfig/index.js';
import { ApiError, KubeClient } from '../runtime/index.js';
import { parseDuration } from './duration.js';
import { CliExit, fail } from './io.js';
import { RestApiClient } from './rest-client.js';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  requestTimeout?: string;
  /** Through the REST API instead of the cluster (the commands that take addApiOptions). */
  apiUrl?: string;
  token?: string;
  apiCaFile?: string;
}

/** What the commands call: the cluster's client, or the REST API's (which serves runs only). */
export type ClusterClient = Pick<KubeClient, 'request' | 'watch' | 'close'>;

export interface Connection {
  client: ClusterClient;
  /** Through the REST API (--api-url): a run's verbs are its endpoints (retry, cancel), not patches. */
  viaApi?: boolean;
  /** Undefined through the REST API without a kubeconfig. */
  kubeConfig?: KubeConfig;
  /** The namespace commands act in: -n, else the context's, else `default`. */
  namespace: string;
  /** The apiserver URL (for messages). */
  server: string;
  close(): void;
}

export const DEFAULT_REQUEST_TIMEOUT = '30s';
const HINT = 'is KUBECONFIG right? try `orchestrator cluster up`';

/** The connection options every cluster command takes. */
export function addKubeOptions(cmd: Command): Command {
  return addContextOptions(
    cmd.option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, else ~/.kube/config)'),
  );
}

/** addKubeOptions but --kubeconfig, for a command that declares that itself (`run`, the manager's too). */
export function addContextOptions(cmd: Command): Command {
  return cmd
    .option('--context <name>', 'kubeconfig context (default: the current context)')
    .option('-n, --namespace <ns>', "namespace (default: the context's namespace, else default)")
    .option('--request-timeout <duration>', 'limit on each API call', DEFAULT_REQUEST_TIMEOUT);
}

/** `--api-url` and its credentials, for the commands the REST API serves (creating and reading runs). */
export function addApiOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--api-url <url>',
        'talk to the orchestrator REST API at this URL instead of the cluster',
      ).env('ORCHESTRATOR_API_URL'),
    )
    .option(
      '--token <token>',
      "bearer token for --api-url, issued for the audience orchestrator (env ORCHESTRATOR_TOKEN; default: the kubeconfig user's token)",
    )
    .option('--api-ca-file <file>', "CA of the REST API's serving certificate (default: the system's)");
}

/** The REST API connection: the token from --token, else ORCHESTRATOR_TOKEN, else the kubeconfig's user. */
function apiConnection(flags: KubeFlags, url: string, requestTimeoutMs: number): Connection {
  let kubeConfig: KubeConfig | undefined;
  try {
    kubeConfig = loadKubeConfig(flags);
  } catch {
    // No kubeconfig: the API needs none, given a token.
  }
  const token = flags.token ?? process.env.ORCHESTRATOR_TOKEN ?? kubeConfig?.getCurrentUser()?.token;
  if (!token)
    throw fail('--api-url needs a token: --token, ORCHESTRATOR_TOKEN, or a kubeconfig user with one');
  const client = new RestApiClient({ url, token, caFile: flags.apiCaFile, timeoutMs: requestTimeoutMs });
  return {
    client,
    viaApi: true,
    ...(kubeConfig ? { kubeConfig } : {}),
    namespace: flags.namespace ?? (kubeConfig ? namespaceOf(kubeConfig, flags) : 'default'),
    server: url,
    close: () => client.close(),
  };
}

export function loadKubeConfig(flags: KubeFlags): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw fail(`cannot load the kubeconfig: ${(err as Error).message} (${HINT})`);
  }
  if (flags.context) {
    if (!kc.getContextObject(flags.context))
      throw fail(`context "${flags.context}" is not in the kubeconfig (known: ${contextNames(kc)})`);
    kc.setCurrentContext(flags.context);
  }
  return kc;
}

const contextNames = (kc: KubeConfig) =>
  kc
    .getContexts()
    .map((c) => c.name)
    .join(', ') || 'none';

export function namespaceOf(kc: KubeConfig, flags: KubeFlags): string {
  return flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}

export function unreachableMessage(server: string, err: unknown): string {
  const cause = (err as NodeJS.ErrnoException).code ?? '';
  const message = (err as Error).message ?? String(err);
  const detail = cause && !message.includes(cause) ? `${cause} ${message}` : message;
  return `cannot reach the cluster at ${server}: ${detail} (${HINT})`;
}

export const CRDS_MISSING = `the ${GROUP} CRDs are not installed in this cluster: run \`orchestrator install\``;

/** kubectl's wording of an apiserver error: `Error from server (NotFound): coderuns… "x" not found`. */
export function serverErrorMessage(err: ApiError): string {
  const body = err.body as { message?: string } | undefined;
  const message = typeof body === 'object' && body?.message ? body.message : err.message;
  return `Error from server (${err.reason || `HTTP ${err.status}`}): ${message}`;
}

/**
 * Turns any error of a cluster call into the message and exit code the user sees: an apiserver answer
 * as kubectl prints it; anything else (refused, timed out, TLS) means the apiserver never answered.
 */
export function clusterError(conn: Pick<Connection, 'server'>, err: unknown): CliExit {
  if (err instanceof CliExit) return err;
  if (err instanceof ApiError) return new CliExit(1, serverErrorMessage(err));
  return new CliExit(1, `error: ${unreachableMessage(conn.server, err)}`);
}

export interface ConnectOptions {
  /** Whether the orchestrator.io resources are checked for (default true). */
  checkCrds?: boolean;
  /** Without that check, whether `/version` is asked first (default true): the command's own call then fails alone. */
  probe?: boolean;
}

/**
 * Opens a connection and checks, with one discovery call, that the cluster answers and serves the
 * orchestrator.io resources, so every command fails the same clear way before doing anything.
 */
export async function connect(flags: KubeFlags, opts: ConnectOptions = {}): Promise<Connection> {
  const apiUrl = flags.apiUrl;
  if (apiUrl)
    return apiConnection(
      flags,
      apiUrl,
      parseDuration(flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT, '--request-timeout'),
    );
  const kubeConfig = loadKubeConfig(flags);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    throw fail(`the kubeconfig has no current cluster (context "${kubeConfig.getCurrentContext()}")`);
  const requestTimeoutMs = parseDuration(
    flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
    '--request-timeout',
  );
  const client = new KubeClient(kubeConfig, { requestTimeoutMs });
  const conn: Connection = {
    client,
    kubeConfig,
    namespace: namespaceOf(kubeConfig, flags),
    server: cluster.server,
    close: () => client.close(),
  };
  try {
    if (opts.checkCrds ?? true) await checkCrds(conn);
    else if (opts.probe ?? true) await client.request('GET', '/version');
    return conn;
  } catch (err) {
    conn.close();
    throw clusterError(conn, err);
  }
}

async function checkCrds(conn: Connection): Promise<void> {
  let served: string[];
  try {
    const list = await conn.client.request<{ resources?: { name: string }[] }>(
      'GET',
      `/apis/${GROUP}/${VERSION}`,
    );
    served = (list.resources ?? []).map((r) => r.name);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw fail(CRDS_MISSING);
    throw err;
  }
  const missing = RUN_KIND_NAMES.map((k) => kindFacts(k).plural).filter((p) => !served.includes(p));
  if (missing.length) throw fail(`${CRDS_MISSING} (${missing.join(', ')} missing)`);
}

/** Runs `fn` with a connection, closing it after and turning errors into kubectl-style messages. */
export async function withConnection<T>(
  flags: KubeFlags,
  fn: (conn: Connection) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const conn = await connect(flags, opts);
  try {
    return await fn(conn);
  } catch (err) {
    throw clusterError(conn, err);
  } finally {
    conn.close();
  }
}
