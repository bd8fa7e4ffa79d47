// Credential shapes cut out of text the operator copies from an agent's pod (its termination message,
// or with FallbackToLogsOnError its last log lines) before that text reaches a run's status, an Event or
// a log line (docs/security.md "What the operator copies from pods"). The agent holds tokens and may
// print one as its last words; a status is readable by everyone who may `get` the run.
//
// Shapes, not values: the operator does not know every secret an agent saw, but the credentials it
// hands out have recognisable prefixes. What matches is replaced by `[REDACTED]`, keeping what names
// it (the prefix, the header name) so the message still says what went wrong.

export const REDACTED = '[REDACTED]';

interface Rule {
  /** What the rule cuts (docs/security.md lists them). */
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const RULES: readonly Rule[] = [
  {
    // A PEM private key (RSA, EC, OPENSSH, ENCRYPTED, …); one cut short by the 4 KiB termination-message
    // limit (no END line) is cut to the end of the text. Newlines may be real or JSON-escaped.
    name: 'PEM private key',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    replace: (_m, kind) => `-----BEGIN ${kind}PRIVATE KEY----- ${REDACTED}`,
  },
  {
    // An Authorization header's value in any framing: `Authorization: Bearer x`, `"authorization":"token x"`,
    // `-H 'Authorization: Basic x'`. The scheme stays; the credential goes.
    name: 'Authorization header',
    pattern:
      /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|digest|negotiate)\s+)?[^\s"',;]+/gi,
    replace: (_m, head, scheme) => `${head}${scheme ? `${scheme} ` : ''}${REDACTED}`,
  },
  {
    // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), installation (ghs_), refresh
    // (ghr_), fine-grained personal (github_pat_).
    name: 'GitHub token',
    pattern: /\b(gh[pousr]_|github_pat_)[A-Za-z0-9_]{16,}/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    name: 'Anthropic API key',
    pattern: /\bsk-ant-[A-Za-z0-9_-]{8,}/g,
    replace: () => `sk-ant-${REDACTED}`,
  },
  {
    // The model gateway's attempt token (src/gateway/attempt-token.ts: `orcgw1.<claims>.<signature>`).
    name: 'model gateway token',
    pattern: /\borcgw1\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g,
    replace: () => `orcgw1.${REDACTED}`,
  },
  {
    // A password in a URL (`https://x-access-token:…@github.com/…`, what git prints on a failed push).
    name: 'URL credentials',
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi,
    replace: (_m, head) => `${head}${REDACTED}@`,
  },
];

/** `text` with every credential shape replaced; undefined stays undefined. */
export function redactSecrets(text: string): string;
export function redactSecrets(text: string | undefined): string | undefined;
export function redactSecrets(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace as (m: string) => string);
  return out;
}
