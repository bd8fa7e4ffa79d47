// The users' ClusterRoles of every run kind, kubebuilder's convention: `{kind}-editor-role` and
// `{kind}-viewer-role` (here prefixed orchestrator-), aggregated into the built-in roles by label, so
// that whoever holds `edit` or `admin` in a namespace may create runs there and `view` may read them,
// with no extra binding. Derived from the kind table like the manager's rules (docs/design.md §1.1).
// An editor role also grants `use` of the shipped controller config's agent profiles that are not
// restricted (docs/security.md "Agent profiles"): a run's submitter needs it for the profile its run
// uses, and the restricted ones (clusterAccess, or `restricted: true`) need a grant of their own.

import YAML from 'yaml';

/**
 * @typedef {import('./generate.js').SourceSchema} SourceSchema
 * @typedef {import('./generate.js').CrdInfo} CrdInfo
 */

export const USER_ROLES_PATH = 'config/rbac/user-roles.yaml';

const AGGREGATE = 'rbac.authorization.k8s.io/aggregate-to-';

/**
 * The verbs that let someone other than a run's submitter retry or cancel it (src/admission/run-controls.ts,
 * the field table's inert rows; src/api/generate.test.ts holds the two together).
 */
export const CONTROL_VERBS = ['cancel', 'retry'];

/**
 * Who gets what: editors may change runs (and read their status), viewers only read; admins may also
 * retry and cancel anyone's run (an editor only their own: docs/security.md "Who may change what").
 */
const ROLES = [
  {
    suffix: 'editor-role',
    to: ['edit', 'admin'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { suffix: 'admin-role', to: ['admin'], verbs: CONTROL_VERBS },
  { suffix: 'viewer-role', to: ['view'], verbs: ['get', 'list', 'watch'] },
];

/** The shipped controller config, whose profiles the editor roles may use. */
export const SHIPPED_CONFIG_PATH = 'config/manager/controller-config.yaml';

/**
 * The profiles of `configText` anyone who may create runs may use: not restricted and without
 * clusterAccess (the rule of src/api/restricted-profiles.ts; src/api/generate.test.ts
 * holds the two together).
 * @param {string} configText
 * @returns {string[]}
 */
export function unrestrictedProfiles(configText) {
  const agents = /** @type {Record<string, {restricted?: boolean, clusterAccess?: boolean}>} */ (
    YAML.parse(configText).agents ?? {}
  );
  return Object.entries(agents)
    .filter(([, profile]) => profile.restricted !== true && profile.clusterAccess !== true)
    .map(([name]) => name);
}

/** The ClusterRole name of a kind's role: `orchestrator-taskrun-editor-role` (the kind in lower case). */
export const userRoleName = (/** @type {string} */ kind, /** @type {string} */ suffix) =>
  `orchestrator-${kind.toLowerCase()}-${suffix}`;

/**
 * config/rbac/user-roles.yaml: an editor and a viewer ClusterRole per kind.
 * @param {SourceSchema[]} sources
 * @param {string} group
 * @param {string} header
 * @param {string} shippedConfig the text of SHIPPED_CONFIG_PATH
 */
export function userRoles(sources, group, header, shippedConfig) {
  const kinds = sources.flatMap((s) => (s.crd ? [s.crd] : []));
  const profiles = unrestrictedProfiles(shippedConfig);
  /** @type {Record<string, unknown>[]} */
  const useProfiles = [
    { apiGroups: [group], resources: ['agentprofiles'], resourceNames: profiles, verbs: ['use'] },
  ];
  const documents = kinds.flatMap((crd) =>
    ROLES.map((role) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: userRoleName(crd.kind, role.suffix),
        labels: Object.fromEntries(role.to.map((builtIn) => [`${AGGREGATE}${builtIn}`, 'true'])),
      },
      rules: [
        { apiGroups: [group], resources: [crd.plural], verbs: role.verbs },
        // Status is the controller's to write; editors and viewers read it (kubectl get reads the whole
        // object); the admin role adds verbs to edit's, which admin holds too.
        ...(role.suffix === 'admin-role'
          ? []
          : [{ apiGroups: [group], resources: [`${crd.plural}/status`], verbs: ['get'] }]),
        // Creating a run uses an agent profile: the shipped ones that are not restricted.
        ...(role.suffix === 'editor-role' ? useProfiles : []),
      ],
    })),
  );
  const comment = [
    `# ${header}.`,
    '# Users of the runs, per kind (kubebuilder convention): {kind}-editor-role is aggregated into the',
    '# built-in edit and admin ClusterRoles, {kind}-viewer-role into view, and {kind}-admin-role into admin:',
    "# `retry` and `cancel` on anyone's run (an editor may retry and cancel only the runs it submitted,",
    '# docs/security.md "Who may change what"). A RoleBinding of edit in a',
    '# namespace is enough to create runs there (docs/install.md, docs/rest-api.md); bind the roles',
    '# themselves for access to one kind only. An editor role may use the agent profiles of the shipped',
    `# controller config (${SHIPPED_CONFIG_PATH}) that are not restricted;`,
    '# a restricted profile (one with clusterAccess, as tess) and the repositories of GitHub App runs need',
    '# grants of their own (docs/security.md).',
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
