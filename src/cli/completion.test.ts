// The completion scripts, run by the shells themselves: bash parses the script, registers it (complete -p)
// and completes verbs, subcommands and flags as a user's Tab would (COMP_WORDS and COMP_CWORD set, the
// function called), and zsh through bashcompinit. The words come from the command tree, so a command
// added to main.ts completes too; a run's kind and name come from `orchestrator __complete`, a stub here
// (its answers from a cluster: test/integration/cli-complete.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { completionScript } from './completion.js';
import { leafCommands } from './examples.js';
import { main, program } from './main.js';

const root = await program(memoryIO());
const script = completionScript('bash', root);

/** What bash offers for the command line `words` (the last one being typed). */
function complete(words: string[], text = script): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const run = spawnSync(
    'bash',
    [
      '-c',
      `${text}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _orchestrator; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.split('\n').filter(Boolean);
}

t.test('bash parses the script and registers it for both names', async (t) => {
  const parsed = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  t.equal(parsed.status, 0, parsed.stderr);
  const registered = spawnSync('bash', ['-c', `${script}\ncomplete -p orchestrator kubectl-orchestrator`], {
    encoding: 'utf8',
  });
  t.equal(
    registered.stdout,
    'complete -F _orchestrator orchestrator\ncomplete -F _orchestrator kubectl-orchestrator\n',
  );
});

t.test('bash completes verbs, subcommands and flags', async (t) => {
  t.same(complete(['orchestrator', 'ge']), ['get']);
  t.same(complete(['orchestrator', 'c']).sort(), ['cancel', 'certs', 'cluster', 'completion', 'config']);
  t.same(complete(['orchestrator', 'config', '']), ['convert']);
  t.same(complete(['orchestrator', 'config', 'convert', '--f']), ['--from']);
  t.same(complete(['orchestrator', 'cluster', '']).sort(), ['down', 'env', 'up']);
  t.same(complete(['orchestrator', 'task', 'code', '--github-']).sort(), ['--github-app', '--github-user']);
  t.same(complete(['orchestrator', 'get', '-n', 'team-a', '--wa']), ['--watch'], 'past a flag and its value');
  t.same(complete(['kubectl-orchestrator', 'completion', '']), [], 'a leaf has no subcommands');
  t.same(complete(['orchestrator', 'nope', '--ver']), ['--version'], 'an unknown word: the root flags');
});

t.test('every command of the tree is in every script', async (t) => {
  const fish = completionScript('fish', root);
  const zsh = completionScript('zsh', root);
  t.match(
    zsh,
    /^#compdef orchestrator kubectl-orchestrator\n.*\nautoload -U \+X bashcompinit && bashcompinit\n/,
  );
  t.ok(zsh.endsWith(script), 'zsh runs the bash script');
  for (const [path] of leafCommands(root)) {
    const words = path.split(' ');
    const leaf = words.at(-1) as string;
    t.same(complete(['orchestrator', ...words.slice(0, -1), leaf.slice(0, -1)]).includes(leaf), true, path);
    t.match(fish, new RegExp(`-a '[^']*\\b${leaf}\\b`), `fish: ${path}`);
  }
  t.match(fish, /complete -c orchestrator -n '__fish_seen_subcommand_from get' -s w -l watch -d '/);
});

t.test('an unknown shell is one line naming the shells', async (t) => {
  const io = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'completion', 'powershell'], io), 1);
  t.equal(io.stderr(), 'error: unknown shell "powershell": use one of bash, zsh, fish\n');
});

/** `orchestrator` as a shell function: it logs how the script called it and answers two runs. */
const STUB = `orchestrator() { printf '%s|' "$@" >> "$STUB_LOG"; printf 'payments-1\\npayments-2\\n'; }`;

t.test("a run's kind and name are asked of `orchestrator __complete`, with the words so far", async (t) => {
  const log = join(mkdtempSync(join(tmpdir(), 'completion-')), 'calls');
  process.env.STUB_LOG = log;
  t.teardown(() => {
    delete process.env.STUB_LOG;
  });
  const offered = complete(
    ['orchestrator', 'describe', '-n', 'team-a', 'taskrun', 'pay'],
    `${script}\n${STUB}`,
  );
  t.same(
    offered,
    ['payments-1', 'payments-2'],
    "the script offers what __complete answered, filtered by what's typed",
  );
  t.equal(readFileSync(log, 'utf8'), '__complete|--|describe|-n|team-a|taskrun|pay|', 'the whole line');
  t.same(complete(['orchestrator', 'task', ''], `${script}\n${STUB}`).sort(), ['code', 'docs', 'submit']);
  t.equal(
    readFileSync(log, 'utf8').split('__complete').length,
    2,
    'a command that takes no run asks nothing',
  );
});

t.test('zsh runs the script through bashcompinit: the words, the flags, the runs', async (t) => {
  const zsh = completionScript('zsh', root);
  /** What zsh's bashcompinit hands to compadd for the line `words` (zsh filters by prefix itself). */
  const zshOffers = (words: string[]) => {
    const run = spawnSync(
      'zsh',
      [
        '-f',
        '-c',
        `autoload -U compinit && compinit -D -u\n${zsh}\n${STUB}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}\ncompgen -F _orchestrator -- '${words.at(-1)}'`,
      ],
      { encoding: 'utf8', env: { ...process.env, STUB_LOG: '/dev/null' } },
    );
    if (run.status !== 0) throw new Error(run.stderr);
    const typed = words.at(-1) as string;
    return run.stdout.split('\n').filter((w) => w !== '' && w.startsWith(typed));
  };
  t.same(zshOffers(['orchestrator', 'ge']), ['get']);
  t.same(zshOffers(['orchestrator', 'get', '--wa']), ['--watch']);
  t.same(zshOffers(['orchestrator', 'logs', 'coderun', 'pay']), ['payments-1', 'payments-2']);
});
