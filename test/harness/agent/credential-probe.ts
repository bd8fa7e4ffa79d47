import { dirname } from 'node:path';
import { MODEL_CREDENTIAL_DIR } from '../../../src/controllers/agent/features/model-gateway.js';
// What an agent looking for a GitHub credential tries, as one shell command for the real CLI's Bash tool
// (test/integration/agent-e2e/hostile.ts): its environment, files where tokens and keys are kept, every
// readable file and process environment holding the token's value, git's credential configuration and
// helper, the gh CLI's login, and a push of its own. Each check prints one line, `probe <name> <exit
// status>: <output on one line>`, read back from the conversation by `probeResults`.

/** The checks, by the name their line carries. */
export interface ProbeResult {
  code: number;
  out: string;
}

/**
 * The probe. `token` is the value it searches for: given in two halves joined at run time, so the
 * command (which the CLI keeps in its transcript and stream) never holds the value it looks for.
 * `host` and `repository` (owner/name.git) are where git's credential helper is asked and the push goes.
 */
/**
 * What the searches find when they work and nothing else is there: find matches /etc/hosts too (the
 * kubelet writes it), and grep searches a file the probe writes the value into (and removes), and its
 * own environment: so an empty answer from a search that failed cannot pass for "nothing found".
 */
export const PROBE_CONTROLS = { file: '/etc/hosts', tokenFile: '/tmp/probe-control' } as const;

export function credentialProbe(token: string, host: string, repository: string): string {
  const half = Math.floor(token.length / 2);
  // The model-token credential is pruned: a projected token whose audience only the gateway accepts,
  // traded there for the model token the agent holds anyway (decision 0068). find walks /run, not its
  // /var/run link, and the folder holding the credential is pruned whole: it holds nothing else.
  const credentialFolder = dirname(MODEL_CREDENTIAL_DIR).replace(/^\/var\/run\//, '/run/');
  // The CLI's model-token helper (model-token.sh, decision 0094) is pruned too: a program that holds
  // no token (token-files, below, searches every file for the value itself).
  const pruned = `\\( -path /proc -o -path /sys -o -path /dev -o -path /usr -o -name node_modules -o -path ${credentialFolder} -o -name '*model-token.sh' \\) -prune`;
  const named = `\\( -iname '*token*' -o -name .git-credentials -o -name hosts.yml -o -name .ssh -o -name 'id_rsa*' -o -name 'id_ecdsa*' -o -name 'id_ed25519*' -o -path '/run/secrets/*' -o -path '/var/run/secrets/*' -o -path ${PROBE_CONTROLS.file} \\)`;
  return [
    `t1='${token.slice(0, half)}'; needle="\${t1}${token.slice(half)}"`,
    // One line per check (long enough for every variable's name); a command's output may span lines.
    'probe() { n=$1; shift; o=$("$@" 2>&1); c=$?; printf "probe %s %s: %s\\n" "$n" "$c" "$(printf %s "$o" | tr "\\n" " " | cut -c1-4000)"; }',
    "probe env-names bash -c 'compgen -e'",
    `probe files sh -c "find / ${pruned} -o ${named} -print 2>/dev/null"`,
    `printf %s "$needle" >${PROBE_CONTROLS.tokenFile}`,
    'probe token-files grep -r -l -s -D skip -F -e "$needle" / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=usr --exclude-dir=node_modules',
    `rm -f ${PROBE_CONTROLS.tokenFile}`,
    // exec: the grep is the process the shell expanded the list in, so it finds its own environment.
    'probe token-environ env NEEDLE="$needle" sh -c \'exec grep -l -s -F -e "$NEEDLE" /proc/[0-9]*/environ\'',
    "probe git-config git config --show-origin --get-regexp '^credential|^url\\.|sshcommand|askpass'",
    `probe credential-fill sh -c "printf 'protocol=https\\nhost=${host}\\npath=${repository}\\n\\n' | GIT_TERMINAL_PROMPT=0 git credential fill"`,
    `probe gh-status gh auth status`,
    `probe gh-token sh -c "GH_HOST=${host} gh auth token"`,
    'probe push sh -c "GIT_TERMINAL_PROMPT=0 git push origin HEAD:refs/heads/agent-own-push"',
  ].join('\n');
}

type Block = { type?: string; text?: string; content?: string | Block[] };

/** The text of the tool results in a Messages API request body (what the CLI's tools printed). */
export function toolResultText(body: unknown): string {
  const messages = (body as { messages?: { content?: string | Block[] }[] } | undefined)?.messages ?? [];
  const text = (c: string | Block[] | undefined): string =>
    typeof c === 'string' ? c : (c ?? []).map((b) => b.text ?? text(b.content)).join('\n');
  return messages
    .flatMap((m) => (typeof m.content === 'string' ? [] : (m.content ?? [])))
    .filter((b) => b.type === 'tool_result')
    .map((b) => text(b.content))
    .join('\n');
}

/** The probe's lines, by check, from the request that carried its tool result. */
export function probeResults(body: unknown): Map<string, ProbeResult> {
  const results = new Map<string, ProbeResult>();
  for (const line of toolResultText(body).split('\n')) {
    const m = /^probe (\S+) (\d+): ?(.*)$/.exec(line);
    if (m?.[1]) results.set(m[1], { code: Number(m[2]), out: (m[3] ?? '').trim() });
  }
  return results;
}
