// Registers the webhook configurations from webhooks/ with a cluster, rewritten for a webhook server
// reached by URL (local development and tests) with an explicit caBundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdmissionregistrationV1Api,
  ApiException,
  type KubeConfig,
  type V1LabelSelector,
  type V1MutatingWebhookConfiguration,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { packageRoot } from '../util/package-root.js';

type Configuration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

export interface LocalWebhookOptions {
  /** e.g. `https://127.0.0.1:9443`; each webhook's service path is appended. */
  baseUrl: string;
  caPem: string;
  /** Appended to the configuration names, so several servers (tests) can register side by side. */
  nameSuffix?: string;
  /** Limit the webhooks to namespaces with these labels (tests: only their own namespaces). */
  namespaceSelector?: V1LabelSelector;
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
      })),
    } as Configuration;
  });
}

async function upsert<T extends Configuration>(
  read: () => Promise<T>,
  create: () => Promise<T>,
  replace: (resourceVersion: string) => Promise<T>,
): Promise<void> {
  try {
    const current = await read();
    await replace(current.metadata?.resourceVersion ?? '');
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) await create();
    else throw err;
  }
}

export async function installLocalWebhooks(kc: KubeConfig, opts: LocalWebhookOptions): Promise<string[]> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const names: string[] = [];
  for (const body of localConfigurations(opts)) {
    const name = body.metadata?.name as string;
    names.push(name);
    if (body.kind === 'MutatingWebhookConfiguration') {
      const b = body as V1MutatingWebhookConfiguration;
      await upsert(
        () => api.readMutatingWebhookConfiguration({ name }),
        () => api.createMutatingWebhookConfiguration({ body: b }),
        (resourceVersion) =>
          api.replaceMutatingWebhookConfiguration({
            name,
            body: { ...b, metadata: { ...b.metadata, resourceVersion } },
          }),
      );
    } else {
      const b = body as V1ValidatingWebhookConfiguration;
      await upsert(
        () => api.readValidatingWebhookConfiguration({ name }),
        () => api.createValidatingWebhookConfiguration({ body: b }),
        (resourceVersion) =>
          api.replaceValidatingWebhookConfiguration({
            name,
            body: { ...b, metadata: { ...b.metadata, resourceVersion } },
          }),
      );
    }
  }
  return names;
}

export async function uninstallLocalWebhooks(kc: KubeConfig, suffix = ''): Promise<void> {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  const ignoreMissing = (err: unknown) => {
    if (!(err instanceof ApiException && err.code === 404)) throw err;
  };
  await api
    .deleteMutatingWebhookConfiguration({ name: `orchestrator-mutating${suffix}` })
    .catch(ignoreMissing);
  await api
    .deleteValidatingWebhookConfiguration({ name: `orchestrator-validating${suffix}` })
    .catch(ignoreMissing);
}
