// The CA bundle of a self-managed webhook certificate written into the operator's own webhook
// configurations, as cert-manager's cainjector does: only into configurations named to it whose every
// webhook calls the operator's own webhook Service, so that no other party's configuration is touched
// even under a name that was ours once. A write carries the resourceVersion read: a conflict re-reads.
import type { Logger } from 'pino';
import { type ApiRequester, isConflict, isNotFound, resourcePath } from '../runtime/index.js';
import { WEBHOOK_RESOURCES } from './install.js';

/** One configuration the CA goes into: `mutatingwebhookconfigurations/orchestrator-mutating`. */
export interface InjectionTarget {
  plural: string;
  name: string;
}

interface Configuration {
  metadata?: { name?: string; resourceVersion?: string };
  webhooks?: {
    name: string;
    clientConfig: { caBundle?: string; service?: { namespace?: string; name?: string } };
  }[];
}

/** Parses `--inject-ca`'s `<plural>/<name>`; throws naming the kinds it takes. */
export function injectionTarget(value: string): InjectionTarget {
  const [plural = '', name = '', ...rest] = value.split('/');
  const known = Object.values(WEBHOOK_RESOURCES).map((r) => r.plural);
  if (!known.includes(plural) || !name || rest.length > 0)
    throw new Error(`--inject-ca: "${value}" is not <${known.join('|')}>/<name>`);
  return { plural, name };
}

/** Why `config` is not the operator's to write, or undefined when it is. */
export function foreignReason(
  config: Configuration,
  service: { namespace: string; name: string },
): string | undefined {
  const hooks = config.webhooks ?? [];
  if (hooks.length === 0) return 'it has no webhooks';
  const other = hooks.find(
    (h) =>
      h.clientConfig.service?.namespace !== service.namespace ||
      h.clientConfig.service?.name !== service.name,
  );
  return other && `its webhook ${other.name} calls another server than ${service.namespace}/${service.name}`;
}

export interface CaInjection {
  client: ApiRequester;
  targets: InjectionTarget[];
  /** The operator's webhook Service, which every webhook of a configuration it writes must call. */
  service: { namespace: string; name: string };
  logger: Logger;
  timeoutMs: number;
}

const CONFLICT_RETRIES = 5;

/** Writes `caPem` into each target's webhooks where it is not yet; a missing or foreign target is left. */
export async function injectCaBundle(injection: CaInjection, caPem: string): Promise<void> {
  const caBundle = Buffer.from(caPem).toString('base64');
  for (const target of injection.targets) await injectOne(injection, target, caBundle);
}

async function injectOne(injection: CaInjection, target: InjectionTarget, caBundle: string): Promise<void> {
  const { client, logger, timeoutMs } = injection;
  const resource = Object.values(WEBHOOK_RESOURCES).find((r) => r.plural === target.plural);
  if (!resource) throw new Error(`no webhook configuration resource ${target.plural}`);
  const path = resourcePath(resource, undefined, target.name);
  const where = `${resource.kind} ${target.name}`;
  for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
    let config: Configuration;
    try {
      config = await client.request<Configuration>('GET', path, { timeoutMs });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      logger.warn({ configuration: where }, 'webhook configuration not found: no CA injected into it');
      return;
    }
    const foreign = foreignReason(config, injection.service);
    if (foreign) {
      logger.warn({ configuration: where }, `webhook configuration left untouched: ${foreign}`);
      return;
    }
    if ((config.webhooks ?? []).every((h) => h.clientConfig.caBundle === caBundle)) return;
    const webhooks = (config.webhooks ?? []).map((h) => ({
      ...h,
      clientConfig: { ...h.clientConfig, caBundle },
    }));
    try {
      await client.request('PUT', path, { body: { ...config, webhooks }, timeoutMs, discardAnswer: true });
      logger.info({ configuration: where }, 'CA bundle injected into the webhook configuration');
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  throw new Error(`${where}: still changing under us after ${CONFLICT_RETRIES} attempts`);
}
