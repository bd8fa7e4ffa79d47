// The starts bench:start times (start.ts), each from its submission to the first request its agent
// (or bare pod) sends to the model stand-in, with the Job, pod and log marks that cut it into phases.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_CONTAINER, PREPARE_CONTAINER } from '../../src/naming/containers.js';
import { retryRun } from '../../src/runs/index.js';
import { JOBS, type KubeObject, PODS, resourcePath } from '../../src/runtime/index.js';
import type { agentWorld, Suite } from '../harness/agent/agent-world.js';
import { RESTRICTED_CONTAINER, RESTRICTED_POD, untilPodDone } from '../harness/cluster/real-node.js';
import { waitFor } from '../harness/util/wait.js';
import type { StartSample } from './start-phases.js';

type World = Awaited<ReturnType<typeof agentWorld>>;

const messages = (path: string) => path === '/v1/messages';

export class StartTimer {
  constructor(
    private readonly suite: Suite,
    private readonly world: World,
    /** The repository every run works on. */
    private readonly repo: string,
    /** Where each attempt's agent log is written, when set. */
    private readonly logDir?: string,
  ) {}

  /** A new TaskRun, prompted to say it is done. */
  async newRun(name: string): Promise<StartSample> {
    const submittedAt = Date.now();
    await this.world.create('TaskRun', {
      apiVersion: 'orchestrator.io/v1',
      kind: 'TaskRun',
      metadata: { name },
      spec: {
        prompt: 'Say that you are done.',
        repository: { url: this.repo, githubUser: this.suite.user.name },
      },
    } as Parameters<World['create']>[1]);
    const firstRequestAt = await this.firstRequest(`TaskRun ${name}`, submittedAt, messages);
    return { submittedAt, firstRequestAt, ...(await this.attemptObjects(name, 1)) };
  }

  /** The run's next attempt, as `orchestrator retry` starts it (spec.retryAttempt past every attempt). */
  async followUp(name: string): Promise<StartSample> {
    const submittedAt = Date.now();
    const { to } = await retryRun(this.suite.client, 'TaskRun', this.world.ns, name);
    const firstRequestAt = await this.firstRequest(`TaskRun ${name} attempt ${to}`, submittedAt, messages);
    return { submittedAt, firstRequestAt, ...(await this.attemptObjects(name, to)) };
  }

  /** A bare pod of the agent image that sends one request to the stand-in: the floor. */
  async floor(name: string): Promise<StartSample> {
    const { client, image } = this.suite;
    const submittedAt = Date.now();
    const url = `${this.world.config.gateway.upstream.url}/api/hello?floor=${name}`;
    await client.request('POST', resourcePath(PODS, this.world.ns), { body: floorPod(name, image, url) });
    const firstRequestAt = await this.firstRequest(
      `bare pod ${name}`,
      submittedAt,
      (_, q) => q === `?floor=${name}`,
    );
    return { submittedAt, firstRequestAt, pod: await untilPodDone(client, this.world.ns, name) };
  }

  /** When the stand-in first received a request matching `which` at or after `since`. */
  private firstRequest(what: string, since: number, which: (path: string, query: string) => boolean) {
    return waitFor(
      `${what}: its first request at the model stand-in`,
      async () =>
        this.world.model.requests.find((r) => r.receivedAt >= since && which(r.path, r.query))?.receivedAt,
      { timeoutMs: 600_000 },
    );
  }

  /** The attempt's Job, its pod and the CLI's start, once the attempt has finished. */
  private async attemptObjects(name: string, attempt: number) {
    const { client } = this.suite;
    const ns = this.world.ns;
    const status = await this.world.finished('TaskRun', name, attempt);
    if (status.phase !== 'Succeeded')
      throw new Error(`TaskRun ${name} attempt ${attempt}: ${status.phase}: ${status.message}`);
    const jobName = status.jobName ?? '';
    const job = await client.request<KubeObject>('GET', resourcePath(JOBS, ns, jobName));
    const pods = await client.request<{ items: KubeObject[] }>('GET', resourcePath(PODS, ns), {
      query: { labelSelector: `job-name=${jobName}` },
    });
    const pod = pods.items[0];
    if (!pod) throw new Error(`Job ${jobName} has no pod`);
    return { job, pod, marks: await this.cliMarks(pod.metadata?.name ?? '') };
  }

  /**
   * When the entry script started the CLI: the time containerd stamped (ns) on its line "running the
   * agent …" (templates/agent-shell/cli-*.sh, after lib.sh's `[run] ` prefix). With a log directory,
   * the prepare container's log is kept beside the agent's.
   */
  private async cliMarks(pod: string) {
    const log = await this.containerLog(pod, AGENT_CONTAINER);
    if (this.logDir) {
      mkdirSync(this.logDir, { recursive: true });
      writeFileSync(join(this.logDir, `${pod}.agent.log`), log);
      writeFileSync(join(this.logDir, `${pod}.prepare.log`), await this.containerLog(pod, PREPARE_CONTAINER));
    }
    const line = log.split('\n').find((l) => l.includes('] running the agent '));
    if (!line) throw new Error(`no "running the agent" line in pod ${pod}'s log:\n${log.slice(-2000)}`);
    return [{ name: 'CLI', at: Date.parse(line.slice(0, line.indexOf(' '))) }];
  }

  /** A container's log with containerd's timestamps. */
  private async containerLog(pod: string, container: string): Promise<string> {
    let log = '';
    await this.suite.client.stream(
      `${resourcePath(PODS, this.world.ns, pod)}/log`,
      { container, timestamps: true },
      (chunk) => {
        log += chunk;
      },
      { accept: '*/*', idleTimeoutMs: 30_000, signal: AbortSignal.timeout(60_000) },
    );
    return log;
  }
}

/** The floor's pod: restricted as the agents' are, curl calling `url` once. */
const floorPod = (name: string, image: string, url: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    securityContext: RESTRICTED_POD,
    containers: [
      {
        name: 'floor',
        image,
        imagePullPolicy: 'Never',
        command: ['curl', '-sS', '-o', '/dev/null', url],
        securityContext: RESTRICTED_CONTAINER,
      },
    ],
  },
});
