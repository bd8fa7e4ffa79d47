import t from 'tap';
import type { BinaryOptions, GoComponent } from './binary.js';
import type { RealNodeImages } from './real-node-images.js';
import { type StartOptions, type StartTools, startCommand } from './start-command.js';

/** Tools that build nothing: each binary is /bin/<its name>, and the builds asked for are recorded. */
function recording(cached: string[] = []) {
  const built: string[] = [];
  const options: Record<string, BinaryOptions> = {};
  const image = (name: string) => ({ name, archive: `/images/${name}.tar` });
  const tools: StartTools = {
    build: async (c: GoComponent, opts: BinaryOptions) => {
      built.push(c.name);
      options[c.name] = opts;
      return `/bin/${c.name}`;
    },
    built: (c) => cached.includes(c.name),
    images: async () => ({ pause: image('pause'), busybox: image('busybox') }) as RealNodeImages,
    missing: () => [],
  };
  return { tools, built, options };
}

const flagsOf = (args: string[]) => args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]);

t.test('each mode builds and passes only the binaries it runs', async (t) => {
  const cases: { mode: string; opts: StartOptions; builds: string[]; flags: string[] }[] = [
    {
      mode: 'fake nodes (the default)',
      opts: {},
      builds: ['control-plane', 'control-plane-controllers', 'kwok'],
      flags: ['--controllers-binary', '--kwok', '--stages', '--nodes'],
    },
    {
      mode: 'no workloads',
      opts: { workloads: false },
      builds: ['control-plane', 'control-plane-controllers'],
      flags: ['--controllers-binary'],
    },
    {
      mode: 'no controller manager',
      opts: { controllerManager: false },
      builds: ['control-plane'],
      flags: [],
    },
    {
      mode: 'the real node',
      opts: { realNode: true },
      builds: ['control-plane', 'control-plane-controllers', 'control-plane-node'],
      flags: [
        '--controllers-binary',
        '--node-binary',
        '--real-node',
        '--sandbox-image',
        '--images',
        '--image-store',
      ],
    },
    {
      mode: 'the real node enforcing NetworkPolicies',
      opts: { realNode: true, networkPolicies: true, moduleDir: '/src/cp' },
      builds: ['control-plane', 'control-plane-controllers', 'control-plane-node', 'kube-router'],
      flags: [
        '--controllers-binary',
        '--node-binary',
        '--netpol-binary',
        '--real-node',
        '--sandbox-image',
        '--images',
        '--image-store',
      ],
    },
  ];
  for (const { mode, opts, builds, flags } of cases) {
    const { tools, built } = recording();
    const cmd = await startCommand(opts, tools);
    t.equal(cmd.binary, '/bin/control-plane', `${mode}: start is the control-plane binary's`);
    t.same(built, builds, `${mode}: builds`);
    t.same(flagsOf(cmd.args), ['--controller-manager', '--workloads', ...flags], `${mode}: flags`);
    for (const name of builds.slice(1)) {
      const flag = cmd.args.find((a) => a.endsWith(`=/bin/${name}`));
      t.ok(flag, `${mode}: ${name} is passed`);
    }
    t.notOk(cmd.late, `${mode}: everything starts at once`);
  }
});

t.test('workloadsLater builds the control plane first, the controllers and KWOK when asked', async (t) => {
  const { tools, built, options } = recording();
  const cmd = await startCommand({ workloadsLater: true, nodes: 3, moduleDir: '/src/cp' }, tools);
  t.same(built, ['control-plane'], 'only what admission needs before the start');
  t.same(cmd.args.slice(0, 3), ['--controller-manager=true', '--workloads=true', '--workloads-later']);
  t.match(cmd.args, [
    '--controller-manager=true',
    '--workloads=true',
    '--workloads-later',
    /^--stages=/,
    '--nodes=3',
  ]);
  t.notOk(
    cmd.args.some((a) => a.startsWith('--kwok') || a.startsWith('--controllers-binary')),
    'their binaries come on stdin',
  );
  t.equal(cmd.late?.building, true, 'neither is cached: the late stage builds');
  const aborted = new AbortController();
  t.same(await cmd.late?.line(aborted.signal), {
    controllersBinary: '/bin/control-plane-controllers',
    kwok: '/bin/kwok',
  });
  t.same(built.slice(1).sort(), ['control-plane-controllers', 'kwok']);
  t.equal(
    options['control-plane-controllers']?.moduleDir,
    '/src/cp',
    'the controllers are of the same module',
  );
  t.equal(options.kwok?.moduleDir, undefined, 'KWOK is a module of its own');
  t.equal(options.kwok?.signal, aborted.signal, 'a stop can abort the builds');

  const cached = await startCommand(
    { workloadsLater: true },
    recording(['control-plane-controllers', 'kwok']).tools,
  );
  t.equal(cached.late?.building, false, 'both cached: nothing to build');
  const half = await startCommand({ workloadsLater: true }, recording(['kwok']).tools);
  t.equal(half.late?.building, true, 'one missing: building');
});

t.test('kube-router is a module of its own, and enforces policies on the real node only', async (t) => {
  const { tools, options } = recording();
  await startCommand({ realNode: true, networkPolicies: true, moduleDir: '/src/cp' }, tools);
  t.equal(options['control-plane-node']?.moduleDir, '/src/cp', 'the node is of the control plane module');
  t.equal(options['kube-router']?.moduleDir, undefined, 'kube-router is built from cluster/kube-router');
  await t.rejects(
    startCommand({ networkPolicies: true }, recording().tools),
    /networkPolicies are enforced on the real node only: set realNode/,
  );
});

t.test('registry mirrors are one flag of HOST=URL pairs, for the real node only', async (t) => {
  const { tools } = recording();
  const mirrors = { 'ghcr.io': 'http://127.0.0.1:5000', 'registry.acme:5443': 'https://mirror.acme' };
  const cmd = await startCommand({ realNode: true, registryMirrors: mirrors }, tools);
  t.same(
    cmd.args.filter((a) => a.startsWith('--registry-mirrors')),
    ['--registry-mirrors=ghcr.io=http://127.0.0.1:5000,registry.acme:5443=https://mirror.acme'],
  );
  const none = await startCommand({ realNode: true }, recording().tools);
  t.notOk(
    none.args.some((a) => a.startsWith('--registry-mirrors')),
    'none asked: the flag is left out',
  );
  await t.rejects(
    startCommand({ registryMirrors: mirrors }, recording().tools),
    /registryMirrors are for the real node/,
  );
});

t.test('workloadsLater is for the fake nodes', async (t) => {
  const { tools } = recording();
  for (const opts of [{ realNode: true }, { workloads: false }, { controllerManager: false }])
    await t.rejects(
      startCommand({ workloadsLater: true, ...opts }, tools),
      /workloadsLater is for the fake nodes/,
      JSON.stringify(opts),
    );
});
