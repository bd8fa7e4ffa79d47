// Git remotes that demand credentials, for the entry-script tests of a run acting as a GitHub user:
// an `ssh` stand-in that serves a local directory only when given the expected key, and a git
// smart-HTTP server over TLS that wants the user's token (git-https-server.ts, its own process).
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createAuthority } from '../../../src/certs/authority.js';
import { type LogLine, logged, NodeProcess } from '../cluster/node-process.js';
import type { Scope } from '../util/scope.js';

// git runs `$GIT_SSH_COMMAND [options] <host> "git-upload-pack '<path>'"`. The stub records the host,
// key and options (STUB_OUT/ssh.log), refuses any key but STUB_SSH_KEY's content, and runs the git
// command in STUB_SSH_ROOT, where the remote's path is relative.
const SSH_STUB = `#!/usr/bin/env bash
key='' opts=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -i) key=$2; shift 2 ;;
    -o) opts+=("$2"); shift 2 ;;
    -p | -l) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
host=$1
shift
printf 'host=%s key=%s %s\\n' "$host" "$key" "\${opts[*]}" >>"$STUB_OUT/ssh.log"
if ! cmp -s "$key" "$STUB_SSH_KEY"; then
  echo "ssh stub: refused: not the expected key ($key)" >&2
  exit 255
fi
cd "$STUB_SSH_ROOT" || exit 255
eval "exec $*"
`;

/** Puts the `ssh` stand-in first on the entry script's PATH (the fixture's bin directory). */
export function sshStub(bin: string): void {
  writeFileSync(path.join(bin, 'ssh'), SSH_STUB);
  chmodSync(path.join(bin, 'ssh'), 0o755);
}

export interface GitHttpsServer {
  /** https://127.0.0.1:{port} */
  base: string;
  /** The CA that signed its certificate (GIT_SSL_CAINFO). */
  caFile: string;
  /** One line per request: auth none|ok|bad, user, service, path, the label of an issued token. */
  requests(): LogLine[];
  /** Accepts `token` from now on (for the expected user), its requests logged with `label`. */
  issue(token: string, label: string): void;
}

/** Where the server listens and with which certificate (default: 127.0.0.1, a CA of its own). */
export interface GitHttpsOptions {
  host?: string;
  /** The serving certificate for `host` and the CA that signed it. */
  tls?: { certPem: string; keyPem: string; caPem: string };
  /** An http URL that `/api/…` requests are relayed to (a GitHub REST stand-in): GitHub Enterprise's layout. */
  apiUpstream?: string;
}

/** Serves the bare repositories under `root` to whoever presents `user` and `token`. */
export async function gitHttpsServer(
  t: Pick<Scope, 'teardown'>,
  root: string,
  dir: string,
  credentials: { user: string; token: string },
  options: GitHttpsOptions = {},
): Promise<GitHttpsServer> {
  const host = options.host ?? '127.0.0.1';
  const tls = options.tls ?? (await ownTls(host));
  const file = (name: string, content: string) => {
    writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  const tokens = mkdtempSync(path.join(dir, 'issued-tokens-'));
  const server = new NodeProcess(path.join(import.meta.dirname, 'git-https-server.ts'), [], {
    TOKEN_DIR: tokens,
    GIT_ROOT: root,
    CERT_FILE: file('server.crt', tls.certPem),
    KEY_FILE: file('server.key', tls.keyPem),
    EXPECT_USER: credentials.user,
    EXPECT_TOKEN: credentials.token,
    HOST: host,
    API_UPSTREAM: options.apiUpstream ?? '',
  });
  t.teardown(() => server.kill('SIGTERM'));
  const listening = await server.waitForLog(logged('listening'), 'listening', 60_000);
  return {
    base: `https://${host}:${listening.port}`,
    caFile: file('ca.crt', tls.caPem),
    requests: () => server.logs.filter(logged('request')),
    issue: (token, label) =>
      writeFileSync(path.join(tokens, createHash('sha256').update(token).digest('hex')), label),
  };
}

async function ownTls(host: string) {
  const ca = await createAuthority('git-test-ca');
  const serving = await ca.issueServing({ commonName: host, ipAddresses: [host] });
  return { ...serving, caPem: ca.certPem };
}
