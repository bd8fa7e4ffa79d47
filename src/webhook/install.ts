// Registers the webhook configurations from webhooks/ with a cluster, rewritten for a webhook server
// reached by URL (local development and tests) with an explicit caBundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  KubeConfig,
  V1LabelSelector,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isNotFound, KubeClient, type ResourceType, resourcePath } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';

type Configuration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

export interface LocalWebhookOptions {
  /** e.g. `https://127.0.0.1:9443`; each webhook's service path is appended. */
  baseUrl: string;
  caPem: string;
  /** Appended to the configuration names, so several servers (tests) can register side by side. */
  nameSuffix?: string;
  /** Limit the webhooks to namespaces with these labels (tests: only their own namespaces). */
  namespaceSelector?: V1LabelSelector;
  /** Replaces the shipped timeoutSeconds (tests whose server shares a loaded host with other work). */
  timeoutSeconds?: number;
}

export function webhookManifests(): {
  mutating: V1MutatingWebhookConfiguration;
  validating: V1ValidatingWebhookConfiguration;
} {
  const read = (file: string) => parse(readFileSync(join(packageRoot(), 'webhooks', file), 'utf8'));
  return { mutating: read('mutating.yaml'), validating: read('validating.yaml') };
}

export function localConfigurations(opts: LocalWebhookOptions): Configuration[] {
  const { mutating, validating } = webhookManifests();
  const caBundle = Buffer.from(opts.caPem).toString('base64');
  return [mutating, validating].map((config) => {
    const { annotations: _certManagerOnly, ...metadata } = config.metadata ?? {};
    return {
      ...config,
      metadata: { ...metadata, name: `${metadata.name}${opts.nameSuffix ?? ''}` },
      webhooks: (config.webhooks ?? []).map((hook) => ({
        ...hook,
        clientConfig: { url: `${opts.baseUrl}${hook.clientConfig.service?.path ?? ''}`, caBundle },
        ...(opts.namespaceSelector ? { namespaceSelector: opts.namespaceSelector } : {}),
        ...(opts.timeoutSeconds ? { timeoutSeconds: opts.timeoutSeconds } : {}),
      })),
    } as Configuration;
  });
}

/** The two webhook configuration kinds, by kind. */
export const WEBHOOK_RESOURCES: Record<string, ResourceType> = {
  MutatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
  },
  ValidatingWebhookConfiguration: {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    plural: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
  },
};

function resourceOf(config: Configuration): ResourceType {
  const resource = WEBHOOK_RESOURCES[config.kind ?? ''];
  if (!resource) throw new Error(`webhooks/: unexpected kind ${config.kind}`);
  return resource;
}

/**
 * Create or replace, not server-side apply: the configuration must become exactly this one, also
 * where `orchestrator install` left a service-based one under the same name (an applied `url` next to
 * that `service` would be refused).
 */
async function upsert(client: KubeClient, config: Configuration): Promise<void> {
  const path = resourcePath(resourceOf(config), undefined, config.metadata?.name);
  try {
    const current = await client.request<Configuration>('GET', path);
    const resourceVersion = current.metadata?.resourceVersion;
    await client.request('PUT', path, {
      body: { ...config, metadata: { ...config.metadata, resourceVersion } },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await client.request('POST', resourcePath(resourceOf(config)), { body: config });
  }
}

export async function installLocalWebhooks(kc: KubeConfig, opts: LocalWebhookOptions): Promise<string[]> {
  const client = new KubeClient(kc);
  try {
    const names: string[] = [];
    for (const config of localConfigurations(opts)) {
      names.push(config.metadata?.name as string);
      await upsert(client, config);
    }
    return names;
  } finally {
    client.close();
  }
}

/** @internal The test harness's undo of installLocalWebhooks; a local process leaves its webhooks to the next start. */
export async function uninstallLocalWebhooks(kc: KubeConfig, suffix = ''): Promise<void> {
  const client = new KubeClient(kc);
  try {
    for (const config of Object.values(webhookManifests())) {
      const name = `${config.metadata?.name}${suffix}`;
      await client.request('DELETE', resourcePath(resourceOf(config), undefined, name)).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  } finally {
    client.close();
  }
}
