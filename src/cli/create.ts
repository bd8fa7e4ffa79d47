// Creating runs on the server, reporting each as kubectl does: `coderun.orchestrator.io/<name> created`,
// or `Error from server (Forbidden): error when creating "f.yaml": admission webhook "…" denied the
// request: …`. Every object is tried; the exit code says whether all were created.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { runKindOf } from '../admission/index.js';
import { API_VERSION, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import { defaultGenerateName } from '../runs/index.js';
import { ApiError, type KubeObject } from '../runtime/index.js';
import { CliExit, type CliIO, fail } from './io.js';
import { qualifiedName, runPath } from './kinds.js';
import { type Connection, clusterError, serverErrorMessage } from './kube.js';

export interface RunDocument {
  kind: RunKindName;
  object: KubeObject;
  /** Where it came from, for messages (`file.yaml`, `file.yaml#2`, `-`). */
  source: string;
  /** Printed without spec.githubApp, which the cluster's config gives (task-defaults.ts taskGithubApp). */
  appLeftOut?: boolean;
}

export interface CreatedRun {
  kind: RunKindName;
  name: string;
  namespace: string;
}

/** The run documents of a YAML/JSON text (multi-document); anything else in it is an error. */
export function parseRunDocuments(text: string, source: string): RunDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = (Array.isArray(docs) ? docs : [docs]).filter((d) => d.contents !== null);
  return list.map((doc, i) => {
    const where = list.length > 1 ? `${source}#${i + 1}` : source;
    if (doc.errors.length) throw fail(`${where}: invalid YAML: ${doc.errors[0]?.message.split('\n')[0]}`);
    const object = doc.toJS() as KubeObject;
    const kind = runKindOf(object);
    if (!kind)
      throw fail(
        `${where}: ${String(object?.apiVersion)}/${String(object?.kind)} is not a run (${API_VERSION} ${RUN_KIND_NAMES.join(', ')})`,
      );
    return { kind, object, source };
  });
}

/** Reads `-f` files (`-` is standard input). */
export async function readRunFiles(files: readonly string[], io: CliIO): Promise<RunDocument[]> {
  const out: RunDocument[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
    } catch (err) {
      throw fail(`cannot read ${file}: ${(err as Error).message}`);
    }
    out.push(...parseRunDocuments(text, file));
  }
  return out;
}

/** Creates each run in turn; reports every result and fails at the end if any failed. */
export async function createRuns(
  conn: Connection,
  docs: readonly RunDocument[],
  io: CliIO,
  opts: { serverDryRun?: boolean } = {},
): Promise<CreatedRun[]> {
  const created: CreatedRun[] = [];
  let failed = 0;
  for (const { kind, object, source } of docs) {
    const metadata = { ...(object.metadata ?? {}) };
    const namespace = metadata.namespace ?? conn.namespace;
    if (!metadata.name && !metadata.generateName)
      metadata.generateName = defaultGenerateName(kind, (object.spec ?? {}) as Record<string, unknown>);
    try {
      // --dry-run=server: admitted (defaulted, validated) by the webhooks and the apiserver, not stored.
      const made = await conn.client.request<KubeObject>('POST', runPath(kind, namespace), {
        body: { ...object, metadata: { ...metadata, namespace } },
        ...(opts.serverDryRun ? { query: { dryRun: 'All' } } : {}),
      });
      const name = made.metadata?.name ?? '';
      if (!opts.serverDryRun) created.push({ kind, name, namespace });
      io.out(`${qualifiedName(kind)}/${name} created${opts.serverDryRun ? ' (server dry run)' : ''}\n`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw clusterError(conn, err);
      failed++;
      const where = source === 'flags' ? '' : `error when creating "${source}": `;
      io.err(`${serverErrorMessage(err).replace(/^(Error from server \([^)]*\): )/, `$1${where}`)}\n`);
    }
  }
  if (failed) throw new CliExit(1);
  return created;
}
