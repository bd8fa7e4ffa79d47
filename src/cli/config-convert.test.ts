// `orchestrator config convert` run as users run it: the seeds' files (test/fixtures/seeds) in, the
// config on stdout (which the manager's loader loads), the report on stderr, and exit 1 naming the
// line or key of a file it cannot convert.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { parseConfig } from '../config/index.js';
import { packageRoot } from '../util/index.js';
import { main } from './main.js';

const seeds = join(packageRoot(), 'test', 'fixtures', 'seeds');
const dir = mkdtempSync(join(tmpdir(), 'config-convert-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const convert = async (args: string[], stdin?: string) => {
  const io = memoryIO(stdin === undefined ? {} : { stdin });
  const code = await main(['node', 'orchestrator', 'config', 'convert', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
};

t.test("seed 002's values.yaml: the config on stdout, what became of each key on stderr", async (t) => {
  const { code, out, err } = await convert([join(seeds, '002-values.yaml')]);
  t.equal(code, 0, err);
  const config = parseConfig(out, 'stdout');
  t.equal(config.agents.rex?.githubApp, '5DLabs-Rex');
  t.equal(config.agents.tess?.systemPromptText, '# Testing and QA focus with K8s deployment validation\n');
  t.match(err, /as helm-values:\n/);
  t.match(
    err,
    /agents\.rex\.clientId: "Iv23liTnu9e0imdRPhCC" → dropped: a client id serves a user OAuth flow/,
  );
  t.match(
    err,
    /agents\.cleo\.appId: "1794540" → not in the config: the key app-id of the Secret github-app-5dlabs-cleo/,
  );
  t.match(err, /\n6 mapped, 3 outside the config, 9 dropped; the config passes the manager's validation\n$/);
});

t.test("seed 001's ConfigMap from stdin, over a --base: the base's own fields kept", async (t) => {
  const base = join(dir, 'base.yaml');
  writeFileSync(
    base,
    'defaultAgent: solo\nagents:\n  solo:\n    image: ghcr.io/acme/agent:1\nretries:\n  backoffSeconds: 5\n',
  );
  const { code, out, err } = await convert(
    ['-', '--base', base],
    readFileSync(join(seeds, '001-config.yaml'), 'utf8'),
  );
  t.equal(code, 0, err);
  const config = parseConfig(out, 'stdout');
  t.same(Object.keys(config.agents), ['solo']);
  t.equal(config.agents.solo?.image, 'ghcr.io/5dlabs/platform/claude-code:latest');
  t.same([config.retries.maxRetries, config.retries.backoffSeconds], [3, 5]);
  t.match(err, /job\.backoffLimit: 3 → retries\.maxRetries/);
});

t.test('a file it cannot convert: exit 1 and nothing on stdout, naming the line or key', async (t) => {
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'agents:\n  rex:\n    appId: [1724452\n');
  const yaml = await convert([broken]);
  t.equal(yaml.code, 1);
  t.equal(yaml.out, '');
  t.match(yaml.err, /cannot convert .*broken\.yaml:\n {2}- line \d+, column \d+: /);

  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'job:\n  backoffLimit: three\n');
  t.match(
    (await convert([bad])).err,
    /job\.backoffLimit: Invalid value: "three": must be an integer, 0 to 100/,
  );

  const neither = join(dir, 'neither.yaml');
  writeFileSync(neither, 'replicas: 2\n');
  const told = await convert([neither]);
  t.equal(told.code, 1);
  t.match(told.err, /has no key of the seeds' files .*: give --from helm-values\|controller-config/);
  const forced = await convert([neither, '--from', 'helm-values']);
  t.equal(forced.code, 0, forced.err);
  t.match(forced.err, /replicas: 2 → dropped: not a key of seed 002's Helm values/);

  const missing = await convert([join(dir, 'absent.yaml')]);
  t.equal(missing.code, 1);
  t.match(missing.err, /cannot read .*absent\.yaml: ENOENT/);
});
