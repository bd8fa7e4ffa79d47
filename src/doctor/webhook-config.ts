// The webhook configurations as installed: present, each webhook's caBundle a CA that has not expired,
// and, for a Service-based webhook, the Service with a ready endpoint behind it. A caBundle that is
// present but wrong only shows when the apiserver calls the webhook: webhook-call.ts asks it to.
import type { X509Certificate } from 'node:crypto';
import { pemCertificates } from '../certs/index.js';
import { isNotFound, type KubeObject } from '../runtime/index.js';
import { type DoctorCheck, type DoctorContext, type DoctorFinding, ok, problem } from './check.js';

const NAME = 'webhooks';
const INSTALL =
  'orchestrator install (service webhooks, with cert-manager), or orchestrator install --webhook-url <url> --ca-file <ca.crt>';
/** A CA that expires within this long is a warning: a month is time to rotate it calmly. */
const EXPIRY_WARNING_MS = 30 * 24 * 3600 * 1000;
const CA_INJECT_ANNOTATION = 'cert-manager.io/inject-ca-from';

interface Webhook {
  name: string;
  clientConfig: {
    caBundle?: string;
    url?: string;
    service?: { namespace: string; name: string; port?: number };
  };
}

const pluralOf = (kind: string) => `${kind.toLowerCase()}s`;

/** The certificates of a PEM bundle (base64 of PEM, as the API stores it); throws when none parse. */
function bundleCertificates(caBundle: string): X509Certificate[] {
  const certs = pemCertificates(Buffer.from(caBundle, 'base64').toString('utf8'));
  if (certs.length === 0) throw new Error('holds no PEM certificate');
  return certs;
}

function caBundleFindings(config: KubeObject, hook: Webhook, now: Date): DoctorFinding[] {
  const where = `${config.kind} ${config.metadata?.name}: ${hook.name}`;
  const bundle = hook.clientConfig.caBundle;
  if (!bundle) {
    const injectFrom = config.metadata?.annotations?.[CA_INJECT_ANNOTATION];
    const fix = injectFrom
      ? `cert-manager injects it from the Certificate ${injectFrom}: kubectl describe certificate -n ${injectFrom.replace('/', ' ')}; kubectl -n cert-manager logs deploy/cert-manager-cainjector`
      : INSTALL;
    return [problem(NAME, 'error', `${where} has no caBundle: the apiserver cannot trust the webhook`, fix)];
  }
  let certs: X509Certificate[];
  try {
    certs = bundleCertificates(bundle);
  } catch (err) {
    return [problem(NAME, 'error', `${where}: the caBundle ${(err as Error).message}`, INSTALL)];
  }
  const last = Math.max(...certs.map((c) => Date.parse(c.validTo)));
  const expiry = new Date(last).toISOString();
  const expired = last <= now.getTime();
  if (expired || last - now.getTime() < EXPIRY_WARNING_MS)
    return [
      problem(
        NAME,
        expired ? 'error' : 'warning',
        `${where}: the caBundle's CA ${expired ? 'expired' : 'expires'} on ${expiry}`,
        `renew the CA, then ${INSTALL}`,
      ),
    ];
  return [];
}

async function serviceFindings(ctx: DoctorContext, hook: Webhook): Promise<DoctorFinding[]> {
  const svc = hook.clientConfig.service;
  if (!svc) return [];
  try {
    await ctx.client.request('GET', `/api/v1/namespaces/${svc.namespace}/services/${svc.name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return [
      problem(
        NAME,
        'error',
        `${hook.name} calls the Service ${svc.namespace}/${svc.name}, which does not exist`,
        'kubectl apply -k config/default (the Deployment and its Services)',
      ),
    ];
  }
  const slices = await ctx.client.request<{
    items: { endpoints?: { conditions?: { ready?: boolean } }[] }[];
  }>('GET', `/apis/discovery.k8s.io/v1/namespaces/${svc.namespace}/endpointslices`, {
    query: { labelSelector: `kubernetes.io/service-name=${svc.name}` },
  });
  const ready = slices.items.some((s) => (s.endpoints ?? []).some((e) => e.conditions?.ready !== false));
  return ready
    ? []
    : [
        problem(
          NAME,
          'error',
          `no ready pod behind the Service ${svc.namespace}/${svc.name} (${hook.name}): every run is refused`,
          `kubectl -n ${svc.namespace} get pods -l app.kubernetes.io/name=orchestrator; kubectl -n ${svc.namespace} describe deployment orchestrator`,
        ),
      ];
}

/** The same finding for each webhook of a configuration (they share a CA and Service) said once. */
const once = (findings: DoctorFinding[]) => {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = f.message.replace(/\S+\.orchestrator\.io/g, '');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/**
 * The installed configuration of the shipped one's kind: by the shipped name, else (a Helm release
 * named otherwise, `team-b-orchestrator-mutating`) the one whose webhooks call the shipped Service in
 * the operator's namespace. Undefined when there is none.
 */
async function installedOf(ctx: DoctorContext, shipped: KubeObject): Promise<KubeObject | undefined> {
  const collection = `/apis/admissionregistration.k8s.io/v1/${pluralOf(shipped.kind as string)}`;
  try {
    return await ctx.client.request('GET', `${collection}/${shipped.metadata?.name}`);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const service = ((shipped as { webhooks?: Webhook[] }).webhooks ?? [])[0]?.clientConfig.service?.name;
  const all = await ctx.client.request<{ items?: KubeObject[] }>('GET', collection);
  return (all.items ?? []).find((c) =>
    ((c as { webhooks?: Webhook[] }).webhooks ?? []).some(
      (h) => h.clientConfig.service?.namespace === ctx.namespace && h.clientConfig.service.name === service,
    ),
  );
}

export const webhookConfigCheck: DoctorCheck = {
  name: NAME,
  description:
    'the webhook configurations installed, their caBundle a valid CA, their Service backed by a ready pod',
  async run(ctx) {
    const findings: DoctorFinding[] = [];
    for (const shipped of ctx.shipped.webhooks) {
      const installed = await installedOf(ctx, shipped);
      if (!installed) {
        findings.push(
          problem(
            NAME,
            'error',
            `the ${shipped.kind} ${shipped.metadata?.name} is not installed: runs are not checked nor defaulted`,
            INSTALL,
          ),
        );
        continue;
      }
      const name = installed.metadata?.name as string;
      const hooks = (installed as { webhooks?: Webhook[] }).webhooks ?? [];
      const mine: DoctorFinding[] = [];
      for (const hook of hooks) {
        mine.push(...caBundleFindings(installed, hook, ctx.now));
        mine.push(...(await serviceFindings(ctx, hook)));
      }
      findings.push(
        ...(mine.length
          ? once(mine)
          : [ok(NAME, `${shipped.kind} ${name}: ${hooks.length} webhooks, CA valid`)]),
      );
    }
    return findings;
  },
};
