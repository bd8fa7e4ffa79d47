// The publisher's protected paths (templates/agent-shell/publish.sh; docs/security.md "Phases and their
// credentials"), run for real after the agent's phase against a local bare repository: what the agent
// may not change, whatever its names hold or whatever links it leaves, refused and said in the result.
import t from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { configFrom } from '../../src/config/load.js';
import {
  PUBLISH_CONFIG as config,
  PR,
  publishFixture as setup,
  summaryOf,
} from '../../test/harness/agent/publish-fixture.js';

t.test('a protected path is pushed only for a profile whose publishPaths names it', async (t) => {
  const allowing = configFrom({
    ...config,
    agents: { ...config.agents, rex: { ...config.agents.rex, publishPaths: ['.github/workflows/'] } },
  } as ControllerConfig);
  const { f, render, onRemote } = setup(t, allowing);
  const r = f.run(render(1), { STUB_PR_URL: PR, STUB_WORK_FILE: '.github/workflows/ci.yml' });
  t.equal(r.status, 0, r.log);
  t.equal(summaryOf(r.result), `pull request ${PR}`);
  t.ok(onRemote(), 'pushed');

  const custom = configFrom({ ...config, publish: { ...config.publish, protectedPaths: ['deploy/'] } });
  const other = setup(t, custom);
  const refused = other.f.run(other.render(1), { STUB_PR_URL: PR, STUB_WORK_FILE: 'deploy/prod.yaml' });
  t.equal(summaryOf(refused.result), 'not pushed: the agent changed deploy/prod.yaml; agent rex may not');
  t.notOk(other.onRemote(), 'a path the config protects is kept from every profile that is not allowed it');
});

// git prints a name holding a byte above 0x7f, a quote, a backslash or a control character C-quoted
// unless asked for NUL-separated output: such a name once escaped every prefix. The refusal names it as
// the shell quotes it, so that no byte of it reaches the status unescaped.
t.test('a protected path is refused whatever bytes its name holds', async (t) => {
  const custom = configFrom({ ...config, publish: { ...config.publish, protectedPaths: ['deploy/'] } });
  for (const [file, shown, cfg] of [
    ['.github/workflows/ci-\u00e9.yml', "$'.github/workflows/ci-\\303\\251.yml'", config],
    ['.github/workflows/a"b.yml', '.github/workflows/a\\"b.yml', config],
    ['.github/workflows/a\\b.yml', '.github/workflows/a\\\\b.yml', config],
    ['.github/workflows/a\nb.yml', "$'.github/workflows/a\\nb.yml'", config],
    ['.github/workflows/\u202eexploit.yml', "$'.github/workflows/\\342\\200\\256exploit.yml'", config],
    ['deploy/\u00e9/prod.yaml', "$'deploy/\\303\\251/prod.yaml'", custom],
  ] as const) {
    const { f, render, onRemote } = setup(t, cfg);
    const r = f.run(render(1), { STUB_PR_URL: PR, STUB_WORK_FILE: file });
    t.equal(r.status, 0, r.log);
    t.equal(summaryOf(r.result), `not pushed: the agent changed ${shown}; agent rex may not`, shown);
    t.notOk(onRemote(), `${shown}: nothing pushed`);
  }
});

// A link at a protected directory, or at a directory above it, makes what is under it another tree's:
// the files behind it never show as protected paths. Refused for every profile.
t.test('a symbolic link or a submodule at a protected directory or above it is refused', async (t) => {
  const nested = (dir: string) =>
    `git init -q ${dir} && git -C ${dir} -c user.name=a -c user.email=a@a commit -q --allow-empty -m nested`;
  const custom = configFrom({ ...config, publish: { ...config.publish, protectedPaths: ['deploy/'] } });
  for (const [shell, shown, cfg] of [
    [
      'mkdir -p ci/workflows && echo x >ci/workflows/ci.yml && ln -s ci .github',
      '.github (a symbolic link)',
      config,
    ],
    [
      'mkdir -p .github ci && echo x >ci/ci.yml && ln -s ../ci .github/workflows',
      '.github/workflows (a symbolic link)',
      config,
    ],
    [nested('.github/workflows'), '.github/workflows (a submodule)', config],
    [nested('.github'), '.github (a submodule)', config],
    ['mkdir -p elsewhere && ln -s elsewhere deploy', 'deploy (a symbolic link)', custom],
    ['mkdir -p sub/settings && ln -s settings sub/.claude', 'sub/.claude (a symbolic link)', config],
  ] as const) {
    const { f, render, onRemote } = setup(t, cfg);
    const r = f.run(render(1), { STUB_PR_URL: PR, STUB_SHELL: shell });
    t.equal(r.status, 0, r.log);
    t.equal(summaryOf(r.result), `not pushed: the agent changed ${shown}; agent rex may not`, shown);
    t.notOk(onRemote(), `${shown}: nothing pushed`);
  }
  const { f, render, onRemote } = setup(t);
  const r = f.run(render(1), {
    STUB_PR_URL: PR,
    STUB_SHELL: `ln -s README.md notes.md && ${nested('vendor/lib')}`,
  });
  t.equal(summaryOf(r.result), `pull request ${PR}`, 'a link or submodule elsewhere is pushed');
  t.ok(onRemote());
});

t.test("the agent's own commit of the CLI's settings or local memory is never pushed", async (t) => {
  for (const file of ['.claude/settings.json', 'sub/.claude/settings.local.json', 'CLAUDE.local.md']) {
    const { f, render, onRemote } = setup(t);
    const r = f.run(render(1), { STUB_PR_URL: PR, STUB_WORK_FILE: file, STUB_COMMIT: '1' });
    t.equal(r.status, 0, r.log);
    t.equal(summaryOf(r.result), `not pushed: the agent changed ${file}; agent rex may not`, file);
    t.notOk(onRemote(), `${file}: nothing pushed`);
    t.same(r.gh, [], 'no pull request asked for');
  }
});
