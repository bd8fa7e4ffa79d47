// Each kind's template context: what it checks out, where it works, how it resumes. The shared parts
// (agent, tools, paths, files) come from context.ts.

import type { ControllerConfig, MarkdownFile, ResolvedRun, TaskRun } from '../api/index.js';
import { dockerRefusal, taskFilesOf } from '../api/index.js';
import { taskDocsPaths } from '../config/index.js';
import { checkoutDirectory, runDirectory, taskMarkerPath } from '../naming/index.js';
import {
  applyAgentTools,
  type ContextInput,
  common,
  docsBranch,
  featureBranch,
  layout,
  session,
} from './context.js';
import type { TaskFileContext, TemplateContext } from './context-types.js';
import { RenderError } from './errors.js';
import { issueClosing } from './issue-link.js';
import { configMapKeyProblem, taskFileKey } from './keys.js';

/**
 * The task files with their keys. The schema already restricts file names; without the webhooks a
 * name that makes no valid key, or a duplicate that would silently replace another file, is refused
 * here rather than rendered.
 */
function taskFiles(spec: TaskRun['spec'], all: MarkdownFile[]): TaskFileContext[] {
  const seen = new Set<string>();
  // The prompt's file comes first (taskFilesOf): a markdown file's index is its place less that one.
  const offset = spec.prompt === undefined ? 0 : 1;
  return all.map((f, i) => {
    const key = taskFileKey(f.filename);
    const problem = configMapKeyProblem(key) ?? (seen.has(key) ? 'is a duplicate' : undefined);
    if (problem)
      throw new RenderError(
        `spec.markdownFiles[${i - offset}].filename ${JSON.stringify(f.filename)}: ${problem}`,
      );
    seen.add(key);
    return { filename: f.filename, fileType: f.fileType ?? 'task', key };
  });
}

const firstHeading = (markdown: string | undefined) =>
  /^#{1,3}[ \t]+(\S.*)$/m.exec(markdown ?? '')?.[1]?.trim();

export function taskRunContext(
  resolved: ResolvedRun<'TaskRun'>,
  config: ControllerConfig,
  attempt: number,
  input: ContextInput,
): TemplateContext {
  const { run } = resolved;
  const spec = run.spec;
  const c = common({ resolved, config, attempt, model: spec.model }, input);
  const base = `${c.workspace}/${spec.serviceName}`;
  // The attempt's directory (docs/design.md §2.3), under the mount point in use.
  const runDir = runDirectory({ service: spec.serviceName, taskId: spec.taskId }, attempt, c.workspace);
  const all = taskFilesOf(spec);
  const files = taskFiles(spec, all);
  const repoDir = spec.repository
    ? `${base}/${checkoutDirectory(spec.repository.url, config.github.host)}`
    : null;
  const main = all.find((f) => (f.fileType ?? 'task') === 'task') ?? all[0];
  const heading = firstHeading(main?.content);
  return {
    run: c.run,
    agent: c.agent,
    task: { id: spec.taskId, service: spec.serviceName, files, marker: null },
    session: session(run, attempt > 1),
    memory: { overwrite: true },
    repo: spec.repository
      ? {
          url: spec.repository.url,
          baseBranch: spec.repository.branch,
          branch: featureBranch(spec.taskId),
          sparseDir: null,
        }
      : null,
    docs: null,
    git: c.git,
    publish: c.publish,
    baseBranch: c.baseBranch,
    outputs: c.outputs,
    limits: c.limits,
    pullRequest: {
      title: (heading
        ? `Task ${spec.taskId}: ${heading}`
        : `Task ${spec.taskId} (${spec.serviceName})`
      ).slice(0, 200),
      closes: issueClosing(run, spec.repository?.url, config.github.host),
    },
    tools: c.tools,
    permissions: applyAgentTools(c.tools, spec.agentTools),
    ...layout(
      input,
      c,
      {
        base,
        run: runDir,
        importBase: runDir.slice(base.length + 1),
        repo: repoDir,
        work: repoDir ?? base,
        docs: null,
      },
      files,
    ),
    taskRun: { priority: spec.priority, dependsOn: spec.dependsOn ?? [] },
    codeRun: null,
    docsRun: null,
  };
}

export function codeRunContext(
  resolved: ResolvedRun<'CodeRun'>,
  config: ControllerConfig,
  attempt: number,
  input: ContextInput,
): TemplateContext {
  const { run } = resolved;
  const spec = run.spec;
  // Admission refuses it too; a run stored without the webhooks, or before the config changed, ends here.
  const docker = spec.enableDocker ? dockerRefusal(config, spec) : undefined;
  if (docker) throw new RenderError(`spec.enableDocker: ${docker}`);
  const c = common(
    {
      resolved,
      config,
      attempt,
      model: spec.model,
      preset: spec.toolConfig,
      extraLocal: spec.localTools,
      extraRemote: spec.remoteTools,
    },
    input,
  );
  const base = `${c.workspace}/${spec.service}`;
  const repoDir = `${base}/${checkoutDirectory(spec.repositoryUrl, config.github.host)}`;
  const projectDir = spec.docsProjectDirectory ?? '.';
  return {
    run: c.run,
    agent: c.agent,
    task: { id: spec.taskId, service: spec.service, files: [], marker: taskMarkerPath(spec.taskId) },
    // A remediation run continues another run's session until it has recorded its own.
    session: session(run, spec.continueSession || attempt > 1, spec.remediation?.sessionId),
    memory: { overwrite: spec.overwriteMemory },
    repo: {
      url: spec.repositoryUrl,
      baseBranch: spec.baseBranch ?? '',
      branch: featureBranch(spec.taskId),
      sparseDir: null,
    },
    docs: {
      url: spec.docsRepositoryUrl,
      branch: spec.docsBranch,
      projectDir,
      taskDir: taskDocsPaths(config, projectDir).directory(spec.taskId),
    },
    git: c.git,
    publish: c.publish,
    baseBranch: c.baseBranch,
    outputs: c.outputs,
    limits: c.limits,
    pullRequest: { title: `Task ${spec.taskId} (${spec.service})`, closes: null },
    tools: c.tools,
    permissions: applyAgentTools(c.tools),
    // A kept memory file outlives the run that wrote it, so it imports through .task/current, a link
    // the entry script points at this attempt's directory.
    ...layout(
      input,
      c,
      {
        base,
        run: runDirectory({ service: spec.service, taskId: spec.taskId }, attempt, c.workspace),
        importBase: '.task/current',
        repo: repoDir,
        work: spec.workingDirectory ? `${repoDir}/${spec.workingDirectory}` : repoDir,
        docs: `${base}/${checkoutDirectory(spec.docsRepositoryUrl, config.github.host, 'docs')}`,
      },
      [],
    ),
    taskRun: null,
    codeRun: {
      contextVersion: spec.contextVersion,
      continueSession: spec.continueSession,
      workingDirectory: spec.workingDirectory ?? null,
      enableDocker: spec.enableDocker,
      remediation: spec.remediation
        ? {
            trigger: spec.remediation.trigger,
            feedback: spec.remediation.feedback,
            author: spec.remediation.author ?? null,
            url: spec.remediation.url ?? null,
            pullRequestUrl: spec.remediation.pullRequestUrl ?? null,
          }
        : null,
    },
    docsRun: null,
  };
}

export function docsRunContext(
  resolved: ResolvedRun<'DocsRun'>,
  config: ControllerConfig,
  attempt: number,
  input: ContextInput,
): TemplateContext {
  const { run } = resolved;
  const spec = run.spec;
  const c = common({ resolved, config, attempt, model: spec.model }, input);
  const base = `${c.workspace}/docs`;
  const runDir = runDirectory('docs', attempt, c.workspace);
  const includeCodebase = spec.includeCodebase;
  const sourceBranch = spec.sourceBranch;
  const repoDir = `${base}/${checkoutDirectory(spec.repositoryUrl, config.github.host)}`;
  const taskDocs = taskDocsPaths(config, spec.workingDirectory);
  return {
    run: c.run,
    agent: c.agent,
    task: { id: null, service: null, files: [], marker: null },
    session: session(run, attempt > 1),
    memory: { overwrite: true },
    repo: {
      url: spec.repositoryUrl,
      baseBranch: sourceBranch,
      branch: docsBranch(spec.workingDirectory),
      // Without the codebase, only the documented directory is checked out.
      sparseDir: includeCodebase ? null : spec.workingDirectory,
    },
    docs: null,
    git: c.git,
    publish: c.publish,
    baseBranch: c.baseBranch,
    outputs: c.outputs,
    limits: c.limits,
    pullRequest: { title: `Task documentation for ${spec.workingDirectory}`, closes: null },
    tools: c.tools,
    permissions: applyAgentTools(c.tools),
    ...layout(
      input,
      c,
      {
        base,
        run: runDir,
        importBase: runDir.slice(base.length + 1),
        repo: repoDir,
        work: repoDir,
        docs: null,
      },
      [],
    ),
    taskRun: null,
    codeRun: null,
    docsRun: {
      workingDirectory: spec.workingDirectory,
      includeCodebase,
      sourceBranch,
      tasksFile: taskDocs.tasksFile,
      taskDocsDirectory: taskDocs.directoryPattern,
    },
  };
}
