// The sender's bearer token (Alertmanager's http_config.authorization, Grafana's Authorization header),
// checked from the header alone, before a byte of the body is read. Compared in constant time against
// every configured token (current and previous), as digests so lengths say nothing.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Why `header` authenticates nobody, or undefined when it holds one of `tokens`. */
export function bearerProblem(header: string | undefined, tokens: readonly string[]): string | undefined {
  if (!header) return 'no Authorization header: send Authorization: Bearer <token> (alerts.tokenFiles)';
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1]) return 'the Authorization header is not "Bearer <token>"';
  const given = digest(match[1]);
  let matched = false;
  // Every token is compared, matched or not: the time taken says nothing about which one matched.
  for (const token of tokens) if (token !== '' && timingSafeEqual(digest(token), given)) matched = true;
  return matched ? undefined : 'the bearer token is not one of alerts.tokenFiles';
}
