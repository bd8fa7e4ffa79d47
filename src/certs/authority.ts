// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

export interface Authority extends KeyPair {
  /** Signs a serving certificate for the given DNS names and IP addresses. */
  issueServing(opts: ServingOptions): Promise<KeyPair>;
  /**
   * Signs a client certificate (clientAuth), e.g. the one the apiserver presents to the webhook
   * (docs/security.md "Authenticating the apiserver").
   */
  issueClient(opts: { commonName: string; days?: number }): Promise<KeyPair>;
}

export interface ServingOptions {
  commonName: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Validity. Default 365 days. */
  days?: number;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function serial(): string {
  // Positive, non-zero, 16 bytes: RFC 5280 allows up to 20 octets.
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** A new self-signed CA (ECDSA P-256). */
export async function createAuthority(commonName = 'orchestrator-dev-ca', days = 3650): Promise<Authority> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  // Backdated an hour so a clock slightly behind ours still accepts the certificate.
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return authorityOf(ca, keys.privateKey, await exportKey(keys.privateKey));
}

/**
 * The CA of a certificate and its PKCS#8 private key (both PEM, as createAuthority made them), to
 * issue more certificates from a CA kept in a Secret. Throws when they do not parse.
 */
export async function loadAuthority(certPem: string, keyPem: string): Promise<Authority> {
  const ca = new x509.X509Certificate(certPem);
  const der = x509.PemConverter.decode(keyPem)[0];
  if (!der) throw new Error('no PEM private key');
  const key = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  return authorityOf(ca, key, keyPem);
}

function authorityOf(ca: x509.X509Certificate, signingKey: CryptoKey, caKeyPem: string): Authority {
  const issueLeaf = async (
    commonName: string,
    days: number | undefined,
    usage: string,
    extensions: x509.Extension[],
  ): Promise<KeyPair> => {
    const leafKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const notBefore = new Date(Date.now() - 60 * 60 * 1000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${commonName}`,
      issuer: ca.subject,
      notBefore,
      notAfter: new Date(Date.now() + (days ?? 365) * DAY_MS),
      signingAlgorithm: ALGORITHM,
      publicKey: leafKeys.publicKey,
      signingKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...extensions,
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    });
    return { certPem: cert.toString('pem'), keyPem: await exportKey(leafKeys.privateKey) };
  };
  return {
    certPem: ca.toString('pem'),
    keyPem: caKeyPem,
    issueServing: (opts: ServingOptions) =>
      issueLeaf(opts.commonName, opts.days, x509.ExtendedKeyUsage.serverAuth, [
        new x509.SubjectAlternativeNameExtension([
          ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
          ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
        ]),
      ]),
    issueClient: (opts) => issueLeaf(opts.commonName, opts.days, x509.ExtendedKeyUsage.clientAuth, []),
  };
}

/** An RSA key pair for signing service-account tokens (PEM: PKCS#8 private, SPKI public). */
export function serviceAccountKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
