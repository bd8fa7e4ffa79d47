// The users' roles of config/rbac (generated per kind, scripts/generate-user-roles.js) are aggregated
// into the built-in ClusterRoles by the controller manager's clusterrole-aggregation controller, so a
// namespace's `edit` RoleBinding is all a user needs to create runs there, and `view` to read them;
// `retry` and `cancel` on another's run are admin's (run-controls.test.ts proves admin holds them).
// Proven on the real apiserver with kubectl --as: the users hold nothing but those RoleBindings. The
// editor may use the unrestricted agent profiles, not tess nor any repository; neither holds the
// verb of restricted profiles (`use-restricted`) nor the use of a claim (persistentvolumeclaims of
// orchestrator.io), which the admission checks ask for.
import { join } from 'node:path';
import t from 'tap';
import { kindFacts, RUN_KIND_NAMES } from '../../src/api/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { allowedTo } from '../harness/cluster/access-review.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects, kustomize, ofKind } from '../harness/deploy/kustomize.js';
import { sampleTaskRun } from '../harness/operator/operator.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster({ workloads: false });
await ensureCrds(cluster);

const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';

t.test(
  'edit in a namespace may create runs of every kind there; view may read them, not create',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const userRoles = ofKind(
      await kustomize(cluster, join(packageRoot(), 'config', 'rbac')),
      'ClusterRole',
    ).filter((role) => Object.keys(role.metadata?.labels ?? {}).some((label) => label.startsWith(AGGREGATE)));
    t.equal(
      userRoles.length,
      RUN_KIND_NAMES.length * 3,
      'config/rbac ships an editor, an admin and a viewer role per kind',
    );
    const applied = await applyObjects(cluster, userRoles);
    t.equal(applied.code, 0, applied.stderr);
    const editor = `editor-${ns}`;
    const viewer = `viewer-${ns}`;
    for (const [user, role] of [
      [editor, 'edit'],
      [viewer, 'view'],
    ]) {
      const bound = await kubectl(cluster, [
        'create',
        'rolebinding',
        `${role}-${user}`,
        `--clusterrole=${role}`,
        `--user=${user}`,
        '-n',
        ns,
      ]);
      t.equal(bound.code, 0, bound.stderr);
    }
    const canI = async (user: string, ...args: string[]) =>
      (await kubectl(cluster, ['auth', 'can-i', ...args, '-n', ns, `--as=${user}`])).stdout.trim();
    const resources = RUN_KIND_NAMES.map((kind) => `${kindFacts(kind).plural}.orchestrator.io`);
    // The aggregation controller copies the rules into edit/view a moment after the roles are written,
    // and the authorizer's cache learns them after that.
    await waitFor(
      'the editor and viewer roles to be aggregated into edit and view',
      async (note) => {
        const answers = await Promise.all(
          resources.flatMap((r) => [canI(editor, 'create', r), canI(viewer, 'list', r)]),
        );
        note(answers);
        return answers.every((a) => a === 'yes');
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    for (const resource of resources) {
      t.equal(await canI(editor, 'delete', resource), 'yes', `edit deletes ${resource}`);
      t.equal(
        await canI(editor, 'get', resource, '--subresource=status'),
        'yes',
        `edit reads ${resource} status`,
      );
      t.equal(
        await canI(viewer, 'get', resource, '--subresource=status'),
        'yes',
        `view reads ${resource} status`,
      );
      t.equal(await canI(viewer, 'create', resource), 'no', `view does not create ${resource}`);
      t.equal(
        await canI(viewer, 'update', resource, '--subresource=status'),
        'no',
        `view does not write ${resource} status`,
      );
      t.equal(
        await canI(editor, 'update', resource, '--subresource=status'),
        'no',
        `status is the controller's`,
      );
    }

    // The agent profiles of the shipped config that are not restricted, not tess (cluster access) and
    // no repository: those are an admin's to grant (docs/security.md).
    const use = (user: string, resource: string, name: string) =>
      allowedTo(cluster, user, { namespace: ns, verb: 'use', group: 'orchestrator.io', resource, name });
    for (const profile of ['rex', 'blaze', 'cleo', 'cipher', 'deploy', 'acceptance', 'morgan'])
      t.equal(await use(editor, 'agentprofiles', profile), true, `edit uses ${profile}`);
    t.equal(await use(editor, 'agentprofiles', 'tess'), false, 'tess needs a grant');
    t.equal(await use(viewer, 'agentprofiles', 'rex'), false, 'view uses no profile');
    // A restricted profile's own verb, and the use of another's claim, are in no built-in role.
    const may = (user: string, verb: string, resource: string, name: string) =>
      allowedTo(cluster, user, { namespace: ns, verb, group: 'orchestrator.io', resource, name });
    for (const profile of ['rex', 'cipher', 'tess'])
      t.equal(
        await may(editor, 'use-restricted', 'agentprofiles', profile),
        false,
        `edit: no use-restricted ${profile}`,
      );
    // Another's run is retried and cancelled by admin only (docs/security.md "Who may change what").
    for (const resource of RUN_KIND_NAMES.map((kind) => kindFacts(kind).plural))
      for (const verb of ['retry', 'cancel'])
        t.equal(await may(editor, verb, resource, 'someone-elses'), false, `edit: no ${verb} ${resource}`);
    for (const user of [editor, viewer])
      t.equal(
        await may(user, 'use', 'persistentvolumeclaims', 'workspace-payments'),
        false,
        `${user}: no claim use`,
      );
    t.equal(
      await use(editor, 'repositories', 'github.com/acme/payments'),
      false,
      'no repository is granted by the shipped roles',
    );

    const run = JSON.stringify(sampleTaskRun('by-an-editor'));
    const created = await kubectl(cluster, ['create', '-n', ns, `--as=${editor}`, '-f', '-'], run);
    t.equal(created.code, 0, `the editor creates a TaskRun: ${created.stderr}`);
    const listed = await kubectl(cluster, ['get', 'agenttaskruns', '-n', ns, `--as=${viewer}`, '-o', 'name']);
    t.equal(listed.code, 0, listed.stderr);
    t.equal(listed.stdout.trim(), 'taskrun.orchestrator.io/by-an-editor', 'the viewer reads it');
    const refused = await kubectl(
      cluster,
      ['create', '-n', ns, `--as=${viewer}`, '-f', '-'],
      JSON.stringify(sampleTaskRun('by-a-viewer')),
    );
    t.not(refused.code, 0, 'the viewer cannot create one');
    t.match(refused.stderr, /forbidden/i, refused.stderr);
    t.match(refused.stderr, new RegExp(`User "${viewer}" cannot create resource "agenttaskruns"`));
  },
);
