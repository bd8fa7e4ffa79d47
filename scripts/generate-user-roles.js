// The users' ClusterRoles of every run kind, kubebuilder's convention: `{kind}-editor-role` and
// `{kind}-viewer-role` (here prefixed orchestrator-), aggregated into the built-in roles by label, so
// that whoever holds `edit` or `admin` in a namespace may create runs there and `view` may read them,
// with no extra binding. Derived from the kind table like the manager's rules (docs/design.md §1.1).

import YAML from 'yaml';

/**
 * @typedef {import('./generate.js').SourceSchema} SourceSchema
 * @typedef {import('./generate.js').CrdInfo} CrdInfo
 */

export const USER_ROLES_PATH = 'config/rbac/user-roles.yaml';

const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';

/** Who gets what: editors may change runs (and read their status), viewers only read. */
const ROLES = [
  {
    suffix: 'editor-role',
    to: ['edit', 'admin'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { suffix: 'viewer-role', to: ['view'], verbs: ['get', 'list', 'watch'] },
];

/** The ClusterRole name of a kind's role: `orchestrator-taskrun-editor-role`. */
export const userRoleName = (/** @type {string} */ singular, /** @type {string} */ suffix) =>
  `orchestrator-${singular}-${suffix}`;

/**
 * config/rbac/user-roles.yaml: an editor and a viewer ClusterRole per kind.
 * @param {SourceSchema[]} sources
 * @param {string} group
 * @param {string} header
 */
export function userRoles(sources, group, header) {
  const kinds = sources.flatMap((s) => (s.crd ? [s.crd] : []));
  const documents = kinds.flatMap((crd) =>
    ROLES.map((role) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: userRoleName(crd.singular, role.suffix),
        labels: Object.fromEntries(role.to.map((builtIn) => [`${AGGREGATE}${builtIn}`, 'true'])),
      },
      rules: [
        { apiGroups: [group], resources: [crd.plural], verbs: role.verbs },
        // Status is the controller's to write; both read it (kubectl get reads the whole object).
        { apiGroups: [group], resources: [`${crd.plural}/status`], verbs: ['get'] },
      ],
    })),
  );
  const comment = [
    `# ${header}.`,
    '# Users of the runs, per kind (kubebuilder convention): {kind}-editor-role is aggregated into the',
    '# built-in edit and admin ClusterRoles, {kind}-viewer-role into view. A RoleBinding of edit in a',
    '# namespace is enough to create runs there (docs/install.md, docs/rest-api.md); bind the roles',
    '# themselves for access to one kind only.',
  ];
  const body = documents
    .map((d) => {
      const doc = new YAML.Document(d);
      YAML.visit(doc, {
        Seq: (_key, seq) => {
          seq.flow = seq.items.every((i) => YAML.isScalar(i));
        },
      });
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
  return `${comment.join('\n')}\n${body}`;
}
