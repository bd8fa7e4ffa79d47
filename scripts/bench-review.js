// The review `npm run bench:webhook` sends: a TaskRun CREATE as the apiserver sends it, with three
// markdown files of a few KiB. The run acts as the GitHub user acme-bot, as config/samples/taskrun.yaml
// does: the shipped controller config names no GitHub App, so a TaskRun naming no user is refused. So
// the validating webhook asks RBAC about its agent profile (rex) and the user's token Secret. With
// `references`, the run also names another ServiceAccount and another workspace claim, which the
// submitter must be allowed to use too (docs/security.md), each with two alternatives asked at once.

export function admissionReview({ references = false } = {}) {
  const paragraph = (topic, i) =>
    `The ${topic} step ${i} must be idempotent: a retry after a timeout observes the state left by the ` +
    'previous attempt and converges without creating a duplicate record. Log the outcome with the request ' +
    'identifier, and expose a counter so that operators can alert on a rising failure rate.\n';
  const doc = (title, topic, sections, paragraphs) =>
    `# ${title}\n\n` +
    Array.from(
      { length: sections },
      (_, s) =>
        `## ${topic} ${s + 1}\n\n${Array.from({ length: paragraphs }, (_, i) => paragraph(topic, i + 1)).join('\n')}\n` +
        `- [ ] handle the ${topic} ${s + 1} error path\n- [ ] cover it with a test\n\n` +
        '```ts\nawait retry(() => capture(payment), { attempts: 3, backoff: exponential(200) });\n```\n\n',
    ).join('');
  const object = {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: {
      name: 'payments-task-7',
      namespace: 'agents',
      uid: '6f1c1f9e-4f7e-4a53-9d35-0d2f1b1f2a11',
      creationTimestamp: null,
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration':
          '{"apiVersion":"orchestrator.io/v1","kind":"TaskRun"}',
      },
    },
    spec: {
      taskId: 7,
      serviceName: 'payments',
      priority: 'high',
      repository: {
        url: 'https://github.com/acme/payments.git',
        branch: 'main',
        githubUser: 'acme-bot',
      },
      ...(references ? { serviceAccountName: 'deployer', workspace: { pvcName: 'shared-cache' } } : {}),
      dependsOn: [3, 5],
      agentTools: [{ name: 'github', enabled: true, restrictions: ['read-only'] }],
      markdownFiles: [
        {
          filename: 'task.md',
          fileType: 'task',
          content: doc('Task 7: retry failed card captures', 'capture', 4, 3),
        },
        { filename: 'design-spec.md', fileType: 'design-spec', content: doc('Design', 'component', 6, 3) },
        {
          filename: 'acceptance-criteria.md',
          fileType: 'acceptance-criteria',
          content: doc('Acceptance criteria', 'criterion', 3, 2),
        },
      ],
    },
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
      resource: { group: 'orchestrator.io', version: 'v1', resource: 'agenttaskruns' },
      requestKind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
      requestResource: { group: 'orchestrator.io', version: 'v1', resource: 'agenttaskruns' },
      name: 'payments-task-7',
      namespace: 'agents',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: {
        apiVersion: 'meta.k8s.io/v1',
        kind: 'CreateOptions',
        fieldManager: 'kubectl-client-side-apply',
      },
    },
  };
}
