// `orchestrator get -w`: the runs as `get` shows them, then one more line (or document) for each change,
// as `kubectl get -w` prints them. One informer per kind (src/runtime/informer.ts, the controllers' own:
// list, then watch from the list's version, resumed after a break and relisted after 410 Gone, with
// backoff), so a dropped connection neither ends the command nor repeats or loses a change. What it holds
// is bounded as `get`'s list is: one copy of each run selected. It ends on Ctrl-C or SIGTERM, exit 0.
import { pino } from 'pino';
import { type RunKindName, runResource } from '../api/index.js';
import { Informer, type KubeClient, type KubeObject, objectKey, type Query } from '../runtime/index.js';
import type { CliIO } from './io.js';
import { qualifiedName, runPath } from './kinds.js';
import type { Connection } from './kube.js';
import { columnWidths, formatTable, tableRows } from './table.js';

export interface WatchOptions {
  kinds: readonly RunKindName[];
  /** One run: the watch selects it by name. */
  name?: string;
  /** Undefined: every namespace. */
  namespace?: string;
  selector?: string;
  /** `wide`, or undefined for the table. */
  table?: 'wide' | 'plain';
  /** For any other output: one object's text (json, yaml, name, jsonpath). */
  document?: (kind: RunKindName, object: KubeObject) => string;
}

/** The lines of the table of one kind: its header and widths fixed by the first rows, as kubectl's are. */
class KindTable {
  private widths: number[] | undefined;

  constructor(
    private readonly kind: RunKindName,
    private readonly opts: { wide: boolean; allNamespaces: boolean; qualify?: string },
  ) {}

  /** The rows of `items`, with the header before the first rows this table prints. */
  lines(items: readonly KubeObject[]): string {
    const [header, ...rows] = tableRows(this.kind, items, this.opts);
    const shown = this.widths ? rows : [header as string[], ...rows];
    this.widths ??= columnWidths(shown);
    return formatTable(shown, this.widths);
  }
}

/**
 * The informer's own log, reduced to what a user needs: a watch that fails says why on standard error
 * (the informer retries with backoff); routine restarts say nothing.
 */
function warnings(io: CliIO, kind: RunKindName) {
  return pino(
    { level: 'info', base: undefined, timestamp: false },
    {
      write(line: string) {
        const entry = JSON.parse(line) as { err?: { message?: string } };
        if (entry.err?.message)
          io.err(`warning: watching ${qualifiedName(kind)}: ${entry.err.message}; retrying\n`);
      },
    },
  );
}

/** Opens a watch of `path` and closes it once accepted; a refusal rejects with its ApiError. */
async function watchOpens(conn: Connection, path: string, query: Query): Promise<void> {
  const accepted = new AbortController();
  await conn.client
    .watch(path, query, () => {}, { signal: accepted.signal, onOpen: () => accepted.abort() })
    .catch((err: unknown) => {
      if (!accepted.signal.aborted) throw err;
    });
}

/** Watches until `stop` aborts (Ctrl-C, SIGTERM). */
export async function watchRuns(
  conn: Connection,
  io: CliIO,
  opts: WatchOptions,
  stop: AbortSignal,
): Promise<void> {
  // One page of one run per kind first, as `get` lists: a refusal (Forbidden, a missing CRD) ends the
  // command with the apiserver's error, where the informer would retry it for ever.
  const selected = {
    labelSelector: opts.selector,
    ...(opts.name ? { fieldSelector: `metadata.name=${opts.name}` } : {}),
  };
  await Promise.all(
    opts.kinds.map((kind) =>
      conn.client.request('GET', runPath(kind, opts.namespace), { query: { limit: 1, ...selected } }),
    ),
  );
  // The REST API authorises watch apart from list: a refusal of it said once, before anything is printed.
  if (conn.viaApi)
    await Promise.all(opts.kinds.map((kind) => watchOpens(conn, runPath(kind, opts.namespace), selected)));
  const several = opts.kinds.length > 1;
  let live = false;
  const informers = opts.kinds.map((kind) => {
    const informer = new Informer({
      // The CLI's client is a KubeClient, or the REST API's client with the same list and watch.
      client: conn.client as KubeClient,
      resource: runResource(kind),
      logger: warnings(io, kind),
      ...(opts.namespace ? { namespace: opts.namespace } : {}),
      ...(opts.selector ? { labelSelector: opts.selector } : {}),
      ...(opts.name ? { fieldSelector: `metadata.name=${opts.name}` } : {}),
      // Kept whole: what is printed is the caller's choice (get.ts forDisplay, as `get` prints).
      transform: (object) => object,
    });
    const table = opts.table
      ? new KindTable(kind, {
          wide: opts.table === 'wide',
          allNamespaces: opts.namespace === undefined,
          ...(several ? { qualify: qualifiedName(kind) } : {}),
        })
      : undefined;
    const print = (items: readonly KubeObject[]) => {
      if (items.length === 0) return;
      items = [...items].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
      if (table) io.out(table.lines(items));
      else if (opts.document) for (const item of items) io.out(opts.document(kind, item));
    };
    // Before every kind is listed, the store holds what happened: the first table shows it.
    const seen = (object: KubeObject) => live && print([object]);
    informer.addHandler({ onAdd: seen, onUpdate: (_old, object) => seen(object), onDelete: seen });
    return { informer, print };
  });
  for (const { informer } of informers) informer.start();
  const stopped = new Promise((resolve) => {
    if (stop.aborted) resolve(undefined);
    else stop.addEventListener('abort', resolve, { once: true });
  });
  try {
    await Promise.race([Promise.all(informers.map((i) => i.informer.synced)), stopped]);
    if (stop.aborted) return;
    for (const { informer, print } of informers) print(informer.list());
    live = true;
    await stopped;
  } finally {
    await Promise.all(informers.map((i) => i.informer.stop()));
  }
}
