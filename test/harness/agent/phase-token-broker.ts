// The operator's GitHub token broker as the entry-script tests meet it: the real route
// (src/gateway/github-token-route.ts) over HTTP on the loopback, in a process of its own
// (phase-token-broker-process.ts), with an issuer that knows one credential (the projected
// ServiceAccount token the Job would mount, written to a file here) and answers each phase with the
// token the test sets. The issuer's own decisions are tested in src/github/phase-tokens/issuer.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';
import { GITHUB_TOKEN_PATHS } from '../../../src/gateway/github-token-route.js';
import { logged, NodeProcess } from '../cluster/node-process.js';

export interface PhaseTokenBroker {
  /** The variables the Job gives the prepare container (the entry fixture gives the publisher its URL). */
  env: Record<string, string>;
  /** The phases that asked so far, in order, and the status they were answered. */
  asked(): { phase: string; status: number }[];
  /** Sets the token a phase is answered with from now on (undefined: refused 403). */
  set(phase: 'read' | 'write', token: string | undefined): void;
}

export async function phaseTokenBroker(
  t: Test,
  dir: string,
  tokens: { read?: string; write?: string },
  /** The first this many asks are answered 409, "not running yet" (default none). */
  notYet = 0,
): Promise<PhaseTokenBroker> {
  const credential = 'projected-sa-token-of-the-pod';
  const file = path.join(dir, 'token-credential');
  writeFileSync(file, credential, { mode: 0o400 });
  const tokenDir = mkdtempSync(path.join(dir, 'broker-tokens-'));
  const set = (phase: 'read' | 'write', token: string | undefined) =>
    token === undefined
      ? rmSync(path.join(tokenDir, phase), { force: true })
      : writeFileSync(path.join(tokenDir, phase), token);
  set('read', tokens.read);
  set('write', tokens.write);
  const server = new NodeProcess(path.join(import.meta.dirname, 'phase-token-broker-process.ts'), [], {
    CREDENTIAL: credential,
    TOKEN_DIR: tokenDir,
    NOT_YET: String(notYet),
  });
  t.teardown(() => server.kill('SIGTERM'));
  const listening = await server.waitForLog(logged('listening'), 'listening', 60_000);
  return {
    env: {
      GITHUB_APP_TOKEN_URL: `http://127.0.0.1:${listening.port}${GITHUB_TOKEN_PATHS.read}`,
      GITHUB_APP_TOKEN_CREDENTIAL_FILE: file,
    },
    asked: () =>
      server.logs.filter(logged('asked')).map((l) => ({ phase: String(l.phase), status: Number(l.status) })),
    set,
  };
}
