// A run at its second attempt, its Job and its pod, as the log keeper's caches hold them
// (src/controllers/logs/*.test.ts), and an API whose pods' logs a test sets.
import type { RunKindName, RunOf } from '../../../src/api/index.js';
import {
  type CallOptions,
  type KubeObject,
  type Query,
  Store,
  type StreamOptions,
} from '../../../src/runtime/index.js';
import { FakeApi } from './fake-api.js';
import { JOB, taskRun } from './job-builder-runs.js';

export { JOB };
export const POD = `${JOB}-abcde`;
export const POD_PATH = `/api/v1/namespaces/ns/pods/${POD}`;

type States = Record<string, 'running' | 'terminated' | 'waiting'>;

export function keptLogWorld(states: States, opts: { deleting?: boolean; status?: object } = {}) {
  const run = taskRun();
  run.status = { attempt: 2, jobName: JOB, ...opts.status };
  const job: KubeObject = {
    metadata: {
      name: JOB,
      namespace: 'ns',
      uid: 'j-1',
      ownerReferences: [
        { apiVersion: 'orchestrator.io/v1', kind: 'TaskRun', name: 'pay-7', uid: 'u-1', controller: true },
      ],
    },
  };
  const state = (s: string) => ({ [s]: {} });
  const pod: KubeObject = {
    metadata: {
      name: POD,
      namespace: 'ns',
      uid: 'p-1',
      ...(opts.deleting ? { deletionTimestamp: '2026-12-01T10:00:00Z' } : {}),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: JOB, uid: 'j-1', controller: true }],
    },
    status: {
      initContainerStatuses: Object.entries(states).map(([name, s]) => ({ name, state: state(s) })),
    },
  };
  const runs = new Store<RunOf<RunKindName>>();
  runs.set(run);
  const jobs = new Store();
  jobs.set(job);
  const pods = new Store();
  pods.set(pod);
  return { run, job, pod, runs, jobs, pods };
}

/** The fake API, with each pod log's text (or the error its read fails with) by path and container. */
export class LogsApi extends FakeApi {
  /** A log, an error, or a log cut by an error after its text. */
  readonly logs = new Map<string, string | Error | { text: string; cut: Error }>();
  readonly reads: { path: string; query: Query }[] = [];

  constructor() {
    super(true);
  }

  setLog(container: string, log: string | Error | { text: string; cut: Error }): void {
    this.logs.set(`${POD_PATH}/log?${container}`, log);
  }

  async stream(
    path: string,
    query: Query,
    onData: (chunk: string) => void,
    _opts: StreamOptions,
  ): Promise<void> {
    this.reads.push({ path, query });
    const log = this.logs.get(`${path}?${query.container}`);
    if (log === undefined) throw new Error(`no log set for ${path} ${query.container}`);
    if (log instanceof Error) throw log;
    const text = typeof log === 'string' ? log : log.text;
    for (let i = 0; i < text.length; i += 100) onData(text.slice(i, i + 100));
    if (typeof log !== 'string') throw log.cut;
  }

  override async request<T = KubeObject>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const answer = await super.request<T>(method, path, opts);
    // A merge patch of status, applied as the apiserver would to the fields it names.
    if (method === 'PATCH' && path.endsWith('/status')) {
      const item = path.replace(/\/status$/, '');
      const stored = this.objects.get(item) as KubeObject;
      const status = (opts.body as { status: object }).status;
      this.objects.set(item, { ...stored, status: { ...(stored.status as object), ...status } });
    }
    return answer;
  }
}
