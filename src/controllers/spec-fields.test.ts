// Every accepted spec field does something. The table below names, for every spec field of every kind
// (read from schemas/, so a new field without an entry fails), what reads it, and each claim is proven:
// the field is changed on a fully set sample run and the output of that reader must change.
//   pod          the Job attemptJob builds (its pod template)
//   volume       the workspace PersistentVolumeClaim workspacePvc builds
//   rendering    the ConfigMap data renderRun renders
//   names/labels the Job and ConfigMap names and the labels of everything made for the run
//   dependencies when the run may start (strategy.dependencies, TaskRun dependsOn)
//   admission    validation (an UPDATE from the sample to the changed run) or the defaults injected
//   retries      the retry policy the reconciler applies to the run's failed attempts
import t from 'tap';
import { validateRun } from '../admission/validate-run.js';
import {
  defaulted,
  type JsonSchema,
  loadSchemas,
  RUN_KIND_NAMES,
  type RunKindName,
  type RunOf,
  specAttempt,
} from '../api/index.js';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { loadTemplateSet, RenderError, renderRun } from '../render/index.js';
import { attemptJob, workspacePvc } from './agent/manifests.js';
import { objectLabels, RUN_STRATEGIES } from './kind/strategy.js';
import { runRetryPolicy } from './reconcile/retry.js';

type Reader = 'pod' | 'volume' | 'rendering' | 'names/labels' | 'dependencies' | 'admission' | 'retries';
type Json = Record<string, unknown>;
/** A changed value for the field, and who reads it. */
type Entry = [change: unknown, readers: Reader[]];

const base = loadDefaultConfig();
// Docker allowed, so that enableDocker can show what it does to the pod, and the samples' pod
// annotation key, placement, resources and workspace allowed to runs (job.allowedPodAnnotations,
// job.runPodTemplate, job.maxResources, workspace.*); admission uses `base`, which allows none of them.
const config = configFrom({
  ...base,
  job: {
    ...base.job,
    docker: { allowed: true },
    allowedPodAnnotations: [...base.job.allowedPodAnnotations, 'team'],
    runPodTemplate: {
      nodeSelectorKeys: ['pool', 'extra'],
      tolerationKeys: ['dedicated', 'dedicated-2'],
      affinity: true,
      priorityClassNames: ['agents', 'agents-2'],
      runtimeClassNames: ['gvisor', 'gvisor-2'],
    },
    maxResources: { cpu: '3' },
  },
  workspace: { ...base.workspace, allowedStorageClasses: ['fast', 'slow'] },
});
const templates = loadTemplateSet();

const metadata = { name: 'sample', namespace: 'ns', uid: 'u-1' };
// Every field of spec.podTemplate (schemas/shared/pod-template.yaml), each read by the pod.
const selector = {
  matchLabels: { app: 'agent' },
  matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
};
const podTerm = {
  labelSelector: selector,
  namespaces: ['ns'],
  namespaceSelector: selector,
  topologyKey: 'kubernetes.io/hostname',
  matchLabelKeys: ['app'],
  mismatchLabelKeys: ['team'],
};
const nodeTerm = {
  matchExpressions: [{ key: 'pool', operator: 'In', values: ['agents'] }],
  matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }],
};
const podAffinity = {
  requiredDuringSchedulingIgnoredDuringExecution: [podTerm],
  preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: podTerm }],
};
// Through JSON, so that no part is shared: changing one leaf changes only that one.
const podTemplate = JSON.parse(
  JSON.stringify({
    nodeSelector: { pool: 'agents' },
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'agents', effect: 'NoExecute', tolerationSeconds: 60 },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [nodeTerm] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: nodeTerm }],
      },
      podAffinity,
      podAntiAffinity: podAffinity,
    },
    priorityClassName: 'agents',
    runtimeClassName: 'gvisor',
  }),
);
/** An entry per leaf of `value` (maps such as nodeSelector are leaves, as specFields counts them). */
function leafEntries(value: unknown, path: string): [string, Entry][] {
  if (Array.isArray(value) && typeof value[0] === 'object') return leafEntries(value[0], `${path}[]`);
  const isMap = /\.(nodeSelector|matchLabels)$/.test(path);
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isMap)
    return Object.entries(value).flatMap(([k, v]) => leafEntries(v, `${path}.${k}`));
  const change = Array.isArray(value)
    ? [...value, 'x']
    : isMap
      ? { ...(value as Json), extra: 'x' }
      : typeof value === 'number'
        ? value + 1
        : `${value}-2`;
  return [[path, [change, ['pod']]]];
}
const podFields = {
  podAnnotations: { team: 'payments' },
  podTemplate,
  image: 'registry.local/agent:1',
  serviceAccountName: 'agent',
  workspace: { pvcName: 'ws', size: '5Gi', storageClassName: 'fast' },
  resources: { requests: { cpu: '1' }, limits: { cpu: '2' } },
  limits: { maxTurns: 10, maxBudgetUsd: '2' },
};
const podEntries: Record<string, Entry> = {
  ...Object.fromEntries(leafEntries(podTemplate, 'spec.podTemplate')),
  'spec.podAnnotations': [{ team: 'billing' }, ['pod']],
  'spec.image': ['registry.local/agent:2', ['pod']],
  'spec.serviceAccountName': ['other', ['pod']],
  'spec.workspace.pvcName': ['ws2', ['pod', 'volume']],
  'spec.workspace.size': ['6Gi', ['volume']],
  'spec.workspace.storageClassName': ['slow', ['volume']],
  'spec.resources.requests': [{ cpu: '2' }, ['pod']],
  'spec.resources.limits': [{ cpu: '3' }, ['pod']],
  // The entry script's prelude passes them to the agent CLI (--max-turns, --max-budget-usd).
  'spec.limits.maxTurns': [20, ['rendering']],
  'spec.limits.maxBudgetUsd': ['3', ['rendering']],
};

const SAMPLES: { [K in RunKindName]: { run: RunOf<K>; fields: Record<string, Entry> } } = {
  TaskRun: {
    run: {
      metadata,
      spec: {
        // Cancelled, so that un-cancelling shows what reads the field: admission refuses it.
        cancelled: true,
        taskId: 7,
        serviceName: 'payments',
        priority: 'standard',
        agent: 'rex',
        model: 'claude-sonnet-4-20250514',
        prompt: 'Retry the captures.',
        markdownFiles: [{ filename: 'task.md', content: '# Pay\n', fileType: 'task' }],
        retryAttempt: 1,
        repository: { url: 'https://github.com/acme/payments', branch: 'main', githubUser: 'octocat' },
        agentTools: [{ name: 'Bash', enabled: true, restrictions: ['rm:*'] }],
        dependsOn: [5],
        ...podFields,
      },
    },
    fields: {
      'spec.cancelled': [false, ['admission']],
      'spec.taskId': [8, ['pod', 'rendering', 'names/labels', 'admission']],
      'spec.serviceName': ['billing', ['pod', 'rendering', 'names/labels', 'admission']],
      'spec.priority': ['high', ['rendering', 'admission']],
      'spec.agent': ['blaze', ['pod', 'rendering', 'names/labels']],
      'spec.model': ['claude-opus-4-20250514', ['rendering']],
      'spec.prompt': ['Retry the captures twice.', ['rendering']],
      'spec.markdownFiles[].filename': ['spec.md', ['rendering']],
      'spec.markdownFiles[].content': ['# Bill\n', ['rendering']],
      'spec.markdownFiles[].fileType': ['context', ['rendering']],
      'spec.retryAttempt': [2, ['pod', 'rendering', 'names/labels']],
      'spec.repository.url': ['https://github.com/acme/billing', ['rendering']],
      'spec.repository.branch': ['develop', ['rendering']],
      'spec.repository.githubUser': ['hubot', ['pod', 'rendering']],
      'spec.agentTools[].name': ['Edit', ['rendering']],
      'spec.agentTools[].enabled': [false, ['rendering']],
      'spec.agentTools[].restrictions': [['curl:*'], ['rendering']],
      'spec.dependsOn': [[4], ['rendering', 'dependencies']],
      ...podEntries,
    },
  },
  CodeRun: {
    run: {
      metadata,
      spec: {
        // Cancelled, so that un-cancelling shows what reads the field: admission refuses it.
        cancelled: true,
        taskId: 7,
        service: 'payments',
        repositoryUrl: 'https://github.com/acme/payments',
        docsRepositoryUrl: 'https://github.com/acme/docs',
        docsProjectDirectory: 'projects/payments',
        docsBranch: 'main',
        baseBranch: 'main',
        workingDirectory: 'services/payments',
        model: 'claude-sonnet-4-20250514',
        githubApp: '5DLabs-Rex',
        contextVersion: 1,
        continueSession: true,
        overwriteMemory: false,
        maxRetries: 1,
        remediation: {
          trigger: 'comment',
          feedback: 'Rename the handler.',
          author: 'octocat',
          url: 'https://github.com/acme/payments/pull/3#issuecomment-1',
          pullRequestUrl: 'https://github.com/acme/payments/pull/3',
          sessionId: 'session-1',
        },
        env: { LOG_LEVEL: 'debug' },
        envFromSecrets: [{ name: 'TOKEN', secretName: 'tokens', secretKey: 'token' }],
        toolConfig: 'default',
        localTools: ['sequential-thinking'],
        remoteTools: ['github_create_pull_request'],
        enableDocker: false,
        ...podFields,
      },
    },
    fields: {
      'spec.cancelled': [false, ['admission']],
      'spec.taskId': [8, ['pod', 'rendering', 'names/labels', 'admission']],
      'spec.service': ['billing', ['pod', 'rendering', 'names/labels', 'admission']],
      'spec.repositoryUrl': ['https://github.com/acme/billing', ['rendering']],
      'spec.docsRepositoryUrl': ['https://github.com/acme/docs2', ['rendering']],
      'spec.docsProjectDirectory': ['projects/billing', ['rendering']],
      'spec.docsBranch': ['develop', ['rendering']],
      'spec.baseBranch': ['release/2', ['rendering']],
      'spec.workingDirectory': ['services/billing', ['rendering']],
      'spec.model': ['claude-opus-4-20250514', ['rendering']],
      'spec.githubApp': ['5DLabs-Blaze', ['pod', 'rendering', 'names/labels']],
      // Beside githubApp it is refused; instead of it, it decides the pod's credentials, the rendered
      // identity and the names (github-credentials.test.ts, entry-script-github.test.ts).
      'spec.githubUser': ['swe-1-5dlabs', ['admission']],
      'spec.contextVersion': [2, ['pod', 'rendering', 'names/labels']],
      'spec.continueSession': [false, ['rendering']],
      'spec.overwriteMemory': [true, ['rendering']],
      'spec.maxRetries': [5, ['retries']],
      'spec.remediation.trigger': ['review', ['rendering']],
      'spec.remediation.feedback': ['Add a test.', ['rendering']],
      'spec.remediation.author': ['hubot', ['rendering']],
      'spec.remediation.url': ['https://github.com/acme/payments/pull/3#issuecomment-2', ['rendering']],
      'spec.remediation.pullRequestUrl': ['https://github.com/acme/payments/pull/4', ['rendering']],
      'spec.remediation.sessionId': ['session-2', ['rendering']],
      'spec.env': [{ LOG_LEVEL: 'info' }, ['pod']],
      'spec.envFromSecrets[].name': ['GH_PAT', ['pod']],
      'spec.envFromSecrets[].secretName': ['tokens2', ['pod']],
      'spec.envFromSecrets[].secretKey': ['pat', ['pod']],
      'spec.toolConfig': ['advanced', ['rendering']],
      'spec.localTools': [['filesystem'], ['rendering']],
      'spec.remoteTools': [['brave_web_search'], ['rendering']],
      // Admission under the shipped config (refused: Docker is not allowed); pod and rendering under one
      // that allows it (rendering still refuses it: egress is on, the sample an App run).
      'spec.enableDocker': [true, ['pod', 'rendering', 'admission']],
      ...podEntries,
    },
  },
  DocsRun: {
    run: {
      metadata,
      spec: {
        // Cancelled, so that un-cancelling shows what reads the field: admission refuses it.
        cancelled: true,
        repositoryUrl: 'https://github.com/acme/docs',
        workingDirectory: 'projects/payments',
        sourceBranch: 'main',
        model: 'claude-opus-4-1-20250805',
        githubApp: '5DLabs-Morgan',
        includeCodebase: false,
        ...podFields,
      },
    },
    fields: {
      'spec.cancelled': [false, ['admission']],
      'spec.repositoryUrl': ['https://github.com/acme/docs2', ['rendering']],
      'spec.workingDirectory': ['projects/billing', ['rendering', 'admission']],
      'spec.sourceBranch': ['develop', ['rendering']],
      'spec.model': ['claude-sonnet-4-20250514', ['rendering']],
      'spec.githubApp': ['5DLabs-Cleo', ['pod', 'rendering', 'names/labels']],
      'spec.githubUser': ['swe-1-5dlabs', ['admission']],
      'spec.includeCodebase': [true, ['rendering']],
      ...podEntries,
    },
  },
};

/** Every settable spec field of a schema: leaves, maps and lists of scalars; `[]` steps into list items. */
function specFields(schema: JsonSchema, path = 'spec'): string[] {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.entries(props).flatMap(([name, child]) => {
    const at = `${path}.${name}`;
    const items = child.items as JsonSchema | undefined;
    if (items?.properties) return specFields(items, `${at}[]`);
    return child.properties ? specFields(child, at) : [at];
  });
}

/** A copy of the run with the field at `path` set to `value` (in the first item of a list). */
function changed<T>(run: T, path: string, value: unknown): T {
  const copy = structuredClone(run) as Json;
  const steps = path.split('.');
  let node: Json = copy;
  for (const step of steps.slice(0, -1)) {
    const list = step.endsWith('[]');
    const next = node[list ? step.slice(0, -2) : step];
    node = (list ? (next as Json[])[0] : next) as Json;
  }
  node[steps.at(-1) as string] = value;
  return copy as T;
}

/** Fields admission injects when absent: left out, so that what defaulting reads shows. */
const INJECTED = ['image', 'serviceAccountName', 'workspace', 'resources', 'model'];

/** What rendering makes of a run, or its refusal (a run rendering refuses is read by it too). */
function renderedOrRefused(render: () => unknown): unknown {
  try {
    return render();
  } catch (err) {
    if (err instanceof RenderError) return { refused: err.message };
    throw err;
  }
}

function readers<K extends RunKindName>(kind: K, sample: RunOf<K>, run: RunOf<K>): Record<Reader, unknown> {
  const strategy = RUN_STRATEGIES[kind];
  const attempt = specAttempt(kind, run.spec);
  // The Job and volume are made from the run as it will run, as the reconciler makes them.
  const input = { strategy, run: defaulted(kind, run, config), config, attempt };
  const job = attemptJob(input) as { spec: { template: unknown } };
  const bare = {
    ...run,
    spec: Object.fromEntries(Object.entries(run.spec).filter(([k]) => !INJECTED.includes(k))),
  };
  return {
    pod: job.spec.template,
    volume: workspacePvc(input),
    rendering: renderedOrRefused(() => renderRun(templates, kind, run, config, attempt).data),
    'names/labels': [
      strategy.jobName(run, attempt),
      strategy.configMapName(run, attempt),
      objectLabels(kind, run, config),
    ],
    dependencies: strategy.dependencies?.(run, () => []),
    retries: runRetryPolicy(config.retries, run.spec as { maxRetries?: number }),
    admission: [
      validateRun({ kind, object: run, oldObject: sample, operation: 'UPDATE', config: base }),
      defaulted(kind, bare as RunOf<K>, base),
    ],
  };
}

for (const kind of RUN_KIND_NAMES) {
  const { run: sample, fields } = SAMPLES[kind] as { run: RunOf<RunKindName>; fields: Record<string, Entry> };
  const schemaFields = specFields(loadSchemas()[kind].properties?.spec as JsonSchema);

  t.test(`${kind}: every spec field has an entry, and the sample sets every one`, async (t) => {
    t.same(Object.keys(fields).sort(), [...schemaFields].sort());
    t.same(
      validateRun({ kind, object: sample, operation: 'CREATE', config }).filter(
        (f) => f.severity === 'error',
      ),
      [],
      'the sample is valid',
    );
  });

  t.test(`${kind}: each field changes what the table says reads it`, async (t) => {
    const before = readers(kind, sample, sample);
    for (const [path, [value, claimed]] of Object.entries(fields)) {
      t.ok(claimed.length > 0, `${path}: something reads it`);
      const after = readers(kind, sample, changed(sample, path, value));
      for (const reader of claimed) t.notSame(after[reader], before[reader], `${path} → ${reader}`);
    }
  });
}
