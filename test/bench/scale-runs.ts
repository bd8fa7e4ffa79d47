// The runs of the scale benchmark (test/bench/scale.ts): a mix of kinds as a team would submit them —
// half CodeRuns (implementation, review, testing and security agents), four in ten TaskRuns, one in ten
// DocsRuns — spread evenly over the services, every kind in every service. Each run has a workspace
// volume of its own: runs sharing one run one at a time (docs/design.md §5.2), which would measure
// the queue of a service, not what a run costs. Runs chosen to fail once
// hold their agent running (sim.orchestrator.io/delay) until the benchmark's agent player
// (scale-agent.ts) makes the first attempt exit 1 and the retry exit 0; every other agent succeeds by
// itself after the simulated pod's default second.
import type { RunKindName } from '../../src/api/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { SIM } from '../harness/operator/operator.js';

export interface BenchRun {
  kind: RunKindName;
  name: string;
  body: KubeObject;
  /** Its first attempt fails; the retry succeeds. */
  failsOnce: boolean;
}

/** Kinds by `Math.floor(i / services) % 10`, so that each service gets each kind. */
const KIND_CYCLE: readonly RunKindName[] = [
  'CodeRun',
  'TaskRun',
  'CodeRun',
  'TaskRun',
  'CodeRun',
  'TaskRun',
  'CodeRun',
  'TaskRun',
  'CodeRun',
  'DocsRun',
];

/** The CodeRuns' agents (shipped config): two implementation runs to each review, test and security run. */
const CODE_APPS = ['5DLabs-Rex', '5DLabs-Cleo', '5DLabs-Blaze', '5DLabs-Tess', '5DLabs-Rex', '5DLabs-Cipher'];

const SHORT: Record<RunKindName, string> = { TaskRun: 'otr', CodeRun: 'ocr', DocsRun: 'odr' };

/** The i-th of `n` runs fails once when the share's running count steps up at it: exactly ⌊n·share⌋, spread evenly. */
export const failsOnce = (i: number, share: number): boolean =>
  Math.floor((i + 1) * share) > Math.floor(i * share);

function spec(kind: RunKindName, i: number, service: string): Record<string, unknown> {
  const repositoryUrl = `https://github.com/acme/${service}.git`;
  switch (kind) {
    case 'TaskRun':
      return {
        taskId: i + 1,
        serviceName: service,
        priority: i % 7 === 0 ? 'high' : 'standard',
        repository: { url: repositoryUrl },
        markdownFiles: [
          { filename: 'task.md', content: `# Task ${i + 1}\nImplement item ${i + 1} of ${service}.\n` },
          {
            filename: 'acceptance-criteria.md',
            fileType: 'acceptance-criteria',
            content: '- The tests pass.\n- The change is documented.\n',
          },
        ],
      };
    case 'CodeRun':
      return {
        taskId: i + 1,
        service,
        githubApp: CODE_APPS[i % CODE_APPS.length],
        repositoryUrl,
        docsRepositoryUrl: `https://github.com/acme/${service}-docs.git`,
        docsProjectDirectory: `projects/${service}`,
        workingDirectory: `services/${service}`,
      };
    case 'DocsRun':
      return {
        githubApp: '5DLabs-Morgan',
        repositoryUrl: `https://github.com/acme/${service}-docs.git`,
        workingDirectory: `projects/${service}`,
      };
  }
}

/** `n` runs over `services` services, `share` of them failing once. */
export function benchRuns(n: number, services: number, share: number): BenchRun[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = KIND_CYCLE[Math.floor(i / services) % KIND_CYCLE.length] as RunKindName;
    const service = `svc-${i % services}`;
    const fails = failsOnce(i, share);
    const name = `${SHORT[kind]}-${service}-${i}`;
    const body: KubeObject = {
      apiVersion: 'orchestrator.io/v1',
      kind,
      metadata: { name },
      spec: {
        ...spec(kind, i, service),
        workspace: { pvcName: `workspace-${name}` },
        ...(fails ? { podAnnotations: { [SIM.delay]: '24h' } } : {}),
      },
    };
    return { kind, name, body, failsOnce: fails };
  });
}
