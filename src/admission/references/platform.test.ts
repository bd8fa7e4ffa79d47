// The rows of what the platform chooses (platform.ts): which image or PriorityClass a run names for a
// check, which it does not (the profile's image, a pattern of the config, the config's class), and the
// SubjectAccessReviews asked (the reference, or its repository for every tag; a PriorityClass without a
// namespace), as the denial words them.
import t from 'tap';
import { defaulted } from '../../api/index.js';
import { configFrom, loadDefaultConfig } from '../../config/load.js';
import { accessAttributes, deniedMessage } from './check.js';
import { IMAGE_REFERENCE, imageMatches, imageRepository, PRIORITY_CLASS_REFERENCE } from './platform.js';
import { type RunView, referencesToCheck, specOf } from './table.js';

const base = loadDefaultConfig();
const rexImage = base.agents.rex?.image as string;
const config = configFrom({
  ...base,
  agents: {
    ...base.agents,
    rex: { ...base.agents.rex, allowedImages: ['ghcr.io/5dlabs/orchestrator-agent:*'], image: rexImage },
  },
  job: {
    ...base.job,
    allowedImages: ['registry.local/tools/agent:1.0'],
    podTemplate: { priorityClassName: 'agents' },
  },
});

const codeRun = (spec: Record<string, unknown>, within = config): RunView => ({
  kind: 'CodeRun',
  spec: specOf(
    defaulted(
      'CodeRun',
      {
        metadata: { name: 'x' },
        spec: { taskId: 3, service: 's', repositoryUrl: 'a/b', githubApp: '5DLabs-Rex', ...spec },
      },
      within,
    ),
  ),
  config: within,
});
/** The checks of this file's rows (the profile and repository rows ask about every App run too). */
const named = (run: RunView, stored?: RunView) =>
  referencesToCheck(run, stored)
    .filter((c) => c.reference === IMAGE_REFERENCE || c.reference === PRIORITY_CLASS_REFERENCE)
    .map((c) => `${c.path} ${c.reference.resource}/${c.name}`);

t.test("an image's repository: without tag and digest, a registry's port kept", async (t) => {
  t.equal(imageRepository('ghcr.io/acme/agent:1.2'), 'ghcr.io/acme/agent');
  t.equal(imageRepository('ghcr.io/acme/agent@sha256:abc'), 'ghcr.io/acme/agent');
  t.equal(imageRepository('ghcr.io/acme/agent:1.2@sha256:abc'), 'ghcr.io/acme/agent');
  t.equal(imageRepository('localhost:5000/agent'), 'localhost:5000/agent');
  t.equal(imageRepository('localhost:5000/agent:v1'), 'localhost:5000/agent');
  t.equal(imageRepository('busybox'), 'busybox');
});

t.test("patterns: exact, or a prefix with a trailing '*'", async (t) => {
  t.ok(imageMatches('ghcr.io/a/b:1', ['ghcr.io/a/b:*']));
  t.notOk(imageMatches('ghcr.io/a/bc:1', ['ghcr.io/a/b:*']), 'the prefix includes the colon');
  t.ok(imageMatches('ghcr.io/a/b:1', ['ghcr.io/a/b:1']));
  t.notOk(imageMatches('ghcr.io/a/b:10', ['ghcr.io/a/b:1']), 'no implicit prefix');
  t.notOk(imageMatches('x', []));
});

t.test('spec.image: the profile image and allowed patterns need nothing; any other is checked', async (t) => {
  t.same(named(codeRun({})), [], 'defaulted to the profile image');
  t.same(named(codeRun({ image: rexImage })), [], 'the profile image named explicitly');
  t.same(named(codeRun({ image: 'ghcr.io/5dlabs/orchestrator-agent:nightly' })), [], "the profile's pattern");
  t.same(
    named(codeRun({ image: 'registry.local/tools/agent:1.0' })),
    [],
    'job.allowedImages, for every agent',
  );
  t.same(named(codeRun({ image: 'docker.io/attacker/anything' })), [
    'spec.image images/docker.io/attacker/anything',
  ]);
  t.same(
    named(codeRun({ image: 'docker.io/attacker/anything' }, base)),
    ['spec.image images/docker.io/attacker/anything'],
    'no pattern by default',
  );
  const stored = codeRun({ image: 'docker.io/team/agent:1' });
  t.same(named(stored, stored), [], 'UPDATE: an image the stored run had was checked when it was set');
  t.same(named(codeRun({ image: 'docker.io/team/agent:2' }), stored), [
    'spec.image images/docker.io/team/agent:2',
  ]);
});

t.test('the image is asked as written, and as its repository (a grant of every tag)', async (t) => {
  const check = referencesToCheck(codeRun({ image: 'docker.io/team/agent:2' })).find(
    (c) => c.reference === IMAGE_REFERENCE,
  );
  if (!check) throw new Error('no check');
  t.same(
    check.reference.anyOf.map((p) => accessAttributes(check, p, 'ns')),
    [
      {
        verb: 'use',
        group: 'orchestrator.io',
        resource: 'images',
        namespace: 'ns',
        name: 'docker.io/team/agent:2',
      },
      {
        verb: 'use',
        group: 'orchestrator.io',
        resource: 'images',
        namespace: 'ns',
        name: 'docker.io/team/agent',
      },
    ],
  );
  const user = { username: 'system:serviceaccount:ns:ci' };
  const asked = check.reference.anyOf.map((p) => accessAttributes(check, p, 'ns'));
  t.equal(
    deniedMessage(check, user, asked),
    'images "docker.io/team/agent:2" is forbidden: User "system:serviceaccount:ns:ci" cannot use resource "images" in API group "orchestrator.io" in the namespace "ns", nor use resource "images" in API group "orchestrator.io" in the namespace "ns" named "docker.io/team/agent": ' +
      "the agent's pod would run this image instead of its agent profile's, with the run's GitHub token and Secrets; a pattern in the controller config's agents.<agent>.allowedImages or job.allowedImages would allow it for every submitter; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [images], resourceNames: [docker.io/team/agent:2], verbs: [use]} or {apiGroups: [orchestrator.io], resources: [images], resourceNames: [docker.io/team/agent], verbs: [use]}",
  );
});

t.test(
  "spec.podTemplate.priorityClassName: the config's class needs nothing, another a cluster-wide use",
  async (t) => {
    t.same(named(codeRun({ podTemplate: { priorityClassName: 'agents' } })), []);
    t.same(named(codeRun({ podTemplate: { priorityClassName: 'system-node-critical' } })), [
      'spec.podTemplate.priorityClassName priorityclasses/system-node-critical',
    ]);
    const check = referencesToCheck(codeRun({ podTemplate: { priorityClassName: 'batch' } })).find(
      (c) => c.reference === PRIORITY_CLASS_REFERENCE,
    );
    if (!check) throw new Error('no check');
    t.same(accessAttributes(check, { verb: 'use' }, 'ns'), {
      verb: 'use',
      group: 'scheduling.k8s.io',
      resource: 'priorityclasses',
      name: 'batch',
    });
  },
);
