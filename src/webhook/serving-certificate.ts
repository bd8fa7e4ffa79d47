// The webhook's serving certificate issued and rotated by the operator itself when no cert-manager does
// it (the chart's default; docs/decisions/0075-self-managed-webhook-certificate.md), as Kyverno and
// Gatekeeper's cert rotator do. Every replica runs it: each reads the one Secret, writes it only with the
// resourceVersion it read (a replica that loses the race re-reads and adopts the winner's CA), copies its
// CA bundle into the operator's own webhook configurations (ca-injection.ts), and swaps the files the
// servers reload into the certificate directory. No key material is logged: only fingerprints.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  renewServingSecret,
  type ServingPolicy,
  type ServingSecretData,
  type ServingSubject,
  writeSecretVolume,
} from '../certs/index.js';
import {
  type ApiRequester,
  type Clock,
  isConflict,
  isNotFound,
  type KubeObject,
  realClock,
  resourcePath,
  SECRETS,
} from '../runtime/index.js';
import { type CaInjection, type InjectionTarget, injectCaBundle } from './ca-injection.js';

/** Marks a Secret as holding a certificate the operator issued, which it may replace. */
export const SELF_MANAGED_ANNOTATION = 'orchestrator.io/webhook-certificate';
const SELF_MANAGED = 'self-managed';

/** The Services that serve with this certificate (as config/cert-manager's Certificate names them). */
const SERVICES = ['orchestrator-webhook', 'orchestrator-api', 'orchestrator-metrics'];
export const WEBHOOK_SERVICE = 'orchestrator-webhook';

export interface ServingCertificateOptions {
  client: ApiRequester;
  /** The operator's namespace: the Secret's and the Services'. */
  namespace: string;
  secretName: string;
  /** The configurations whose caBundle is kept to the CA. */
  injectInto: InjectionTarget[];
  /** Where tls.crt, tls.key and ca.crt are written for the servers; none: only the Secret is kept. */
  certDir?: string;
  logger: Logger;
  clock?: Clock;
  policy?: ServingPolicy;
  /** How often the Secret is read again. Default one minute: a renewal by another replica is seen then. */
  resyncMs?: number;
  /** Limit on each API call. Default 10 s. */
  timeoutMs?: number;
}

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

const CONFLICT_RETRIES = 5;
const KEYS = ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'] as const;

const fingerprint = (pem: string | undefined) =>
  pem ? createHash('sha256').update(pem).digest('hex').slice(0, 16) : undefined;

function decoded(secret: Secret): ServingSecretData {
  const data: ServingSecretData = {};
  for (const key of KEYS) {
    const value = secret.data?.[key];
    if (value) data[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return data;
}

const encoded = (data: Required<ServingSecretData>): Record<string, string> =>
  Object.fromEntries(KEYS.map((key) => [key, Buffer.from(data[key]).toString('base64')]));

/** Why the Secret is not the operator's to write: it holds data it did not mark as its own. */
function foreignSecret(secret: Secret): string | undefined {
  if (secret.metadata?.annotations?.[SELF_MANAGED_ANNOTATION] === SELF_MANAGED) return undefined;
  if (Object.keys(secret.data ?? {}).length === 0) return undefined;
  return `it holds data without the annotation ${SELF_MANAGED_ANNOTATION}: ${SELF_MANAGED} (cert-manager's or your own certificate)`;
}

export class ServingCertificate {
  private readonly secretPath: string;
  private readonly subject: ServingSubject;
  private readonly injection: CaInjection;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private written: string | undefined;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly opts: ServingCertificateOptions) {
    this.secretPath = resourcePath(SECRETS, opts.namespace, opts.secretName);
    this.subject = {
      commonName: `${WEBHOOK_SERVICE}.${opts.namespace}.svc`,
      dnsNames: SERVICES.flatMap((s) => [
        `${s}.${opts.namespace}.svc`,
        `${s}.${opts.namespace}.svc.cluster.local`,
      ]),
    };
    this.clock = opts.clock ?? realClock;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.injection = {
      client: opts.client,
      targets: opts.injectInto,
      service: { namespace: opts.namespace, name: WEBHOOK_SERVICE },
      logger: opts.logger,
      timeoutMs: this.timeoutMs,
    };
  }

  /** One pass: the Secret renewed if due, the CA injected, the files written; throws when it could not. */
  async reconcile(): Promise<ServingSecretData> {
    const data = await this.keepSecret();
    await injectCaBundle(this.injection, data['ca.crt'] ?? '');
    this.writeFiles(data);
    return data;
  }

  /** Reconciles every resyncMs until stop(); a failed pass is logged and tried again at the next. */
  start(): void {
    const next = () => {
      if (this.stopped) return;
      this.timer = this.clock.setTimeout(() => {
        this.reconcile()
          .catch((err: Error) => this.opts.logger.error({ err: err.message }, 'webhook certificate not kept'))
          .finally(next);
      }, this.opts.resyncMs ?? 60_000);
      (this.timer as { unref?: () => void }).unref?.();
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  private async keepSecret(): Promise<ServingSecretData> {
    const { client, logger, secretName } = this.opts;
    const timeoutMs = this.timeoutMs;
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      const secret = await this.readSecret();
      const foreign = secret && foreignSecret(secret);
      if (foreign) throw new Error(`the Secret ${secretName} is left untouched: ${foreign}`);
      const current = secret ? decoded(secret) : {};
      const renewal = await renewServingSecret(current, this.subject, this.clock.now(), this.opts.policy);
      if (!renewal) return current;
      const body: Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        ...(secret?.type ? { type: secret.type } : {}),
        metadata: {
          ...(secret?.metadata ?? { name: secretName, namespace: this.opts.namespace }),
          annotations: { ...secret?.metadata?.annotations, [SELF_MANAGED_ANNOTATION]: SELF_MANAGED },
        },
        data: encoded(renewal.data),
      };
      try {
        // With the resourceVersion read: of two replicas renewing at once, one wins and one re-reads.
        if (secret) await client.request('PUT', this.secretPath, { body, timeoutMs, discardAnswer: true });
        else
          await client.request('POST', resourcePath(SECRETS, this.opts.namespace), {
            body,
            timeoutMs,
            discardAnswer: true,
          });
      } catch (err) {
        // 409: Conflict on a stale resourceVersion, AlreadyExists on a create another replica made first.
        if (isConflict(err)) continue;
        throw err;
      }
      logger.info(
        {
          secret: secretName,
          reasons: renewal.reasons,
          ca: fingerprint(renewal.data['ca.crt']),
          certificate: fingerprint(renewal.data['tls.crt']),
        },
        'webhook certificate issued',
      );
      return renewal.data;
    }
    throw new Error(`the Secret ${secretName}: still changing under us after ${CONFLICT_RETRIES} attempts`);
  }

  private async readSecret(): Promise<Secret | undefined> {
    try {
      return await this.opts.client.request<Secret>('GET', this.secretPath, { timeoutMs: this.timeoutMs });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private writeFiles(data: ServingSecretData): void {
    const { certDir, logger } = this.opts;
    if (!certDir || !data['tls.crt'] || !data['tls.key']) return;
    const files = { 'tls.crt': data['tls.crt'], 'tls.key': data['tls.key'], 'ca.crt': data['ca.crt'] ?? '' };
    const version = fingerprint(JSON.stringify(files));
    if (version === this.written) return;
    writeSecretVolume(certDir, files);
    this.written = version;
    logger.info(
      { dir: certDir, certificate: fingerprint(files['tls.crt']) },
      'webhook certificate files written',
    );
  }
}
