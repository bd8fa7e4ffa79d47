// A container's log the operator kept after the attempt's pod (docs/logs.md): status.logs names the
// ConfigMap that holds it, gzipped with the kubelet's timestamp on each line, and that ConfigMap's uid.
// The status is the operator's alone to write, so a ConfigMap of the name with another uid (anyone with
// `edit` may make one) is not the log. The CLI reads it as its user, the REST API as the manager for
// its caller; both cut the same window out of it (--tail, --since, limitBytes) as the kubelet would.
import { gunzipSync } from 'node:zlib';
import type { RunStatus } from '../api/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER } from '../naming/index.js';
import {
  type ApiRequester,
  CONFIGMAPS,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';
import type { NoLogs } from './log-target.js';

/** The ConfigMap's binaryData key of the gzipped log. */
export const KEPT_LOG_KEY = 'log.gz';
/** The most text a kept log is read back to: twice the largest logs.keptBytes, timestamps and all. */
const MAX_KEPT_TEXT = 16 * 1024 * 1024;

export type KeptLogEntry = NonNullable<RunStatus['logs']>[number];

/** What part of a kept log to give: as the kubelet's log endpoint takes it. */
export interface KeptWindow {
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** The entry status.logs has for the attempt's container, kept or lost. */
export function keptEntry(run: KubeObject, attempt: number, container: string): KeptLogEntry | undefined {
  const logs = (run.status as RunStatus | undefined)?.logs;
  return logs?.find((e) => e.attempt === attempt && e.container === container);
}

/** The kept log's text (timestamped lines), or why there is none. */
export async function readKeptLog(
  client: ApiRequester,
  namespace: string,
  entry: KeptLogEntry,
  signal?: AbortSignal,
): Promise<{ text: string; none?: undefined } | { text?: undefined; none: string }> {
  const what = `the kept log of attempt ${entry.attempt}'s ${entry.container} container`;
  if (!entry.configMap) return { none: `${what} was not kept: ${entry.lost ?? 'no reason recorded'}` };
  let cm: KubeObject & { binaryData?: Record<string, string> };
  try {
    cm = await client.request('GET', resourcePath(CONFIGMAPS, namespace, entry.configMap), {
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (isNotFound(err)) return { none: `${what} is gone: ConfigMap ${entry.configMap} was deleted` };
    throw err;
  }
  const data = cm.binaryData?.[KEPT_LOG_KEY];
  const forged = { none: `${what} is gone: ConfigMap ${entry.configMap} is not the one the operator wrote` };
  if (cm.metadata?.uid !== entry.uid || data === undefined) return forged;
  try {
    // Bounded: what the operator writes is at most logs.keptBytes (8 MiB) and a line.
    return {
      text: gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_KEPT_TEXT }).toString('utf8'),
    };
  } catch {
    return forged;
  }
}

/**
 * Where locate found no pod to read (`none`): the attempt's kept log instead, or why there is none
 * (locate's reason, and the kept log's when status names one).
 */
export async function keptInstead(
  client: ApiRequester,
  run: KubeObject,
  opts: { attempt?: number; init?: boolean },
  none: NoLogs,
  signal?: AbortSignal,
): Promise<{ text: string; none?: undefined } | { text?: undefined; none: NoLogs }> {
  const attempt = opts.attempt ?? (run.status as RunStatus | undefined)?.attempt;
  const entry = attempt && keptEntry(run, attempt, opts.init ? PREPARE_CONTAINER : AGENT_CONTAINER);
  if (!entry) return { none };
  const kept = await readKeptLog(client, run.metadata?.namespace ?? '', entry, signal);
  return kept.text !== undefined
    ? kept
    : { none: { wait: none.wait, message: `${none.message}; ${kept.none}` } };
}

/** A kubelet timestamp's milliseconds, or NaN (the fraction's digits past the third do not matter here). */
const stampMs = (line: string) => Date.parse(line.slice(0, line.indexOf(' ')));

/**
 * The window of a kept log, its timestamps cut off unless `timestamps`: the lines of the last
 * `sinceSeconds` before `now`, then the last `tailLines` of them, then at most `limitBytes`.
 */
export function keptWindow(text: string, window: KeptWindow, now: Date, timestamps = false): string {
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const { sinceSeconds, tailLines, limitBytes } = window;
  if (sinceSeconds !== undefined) {
    const from = now.getTime() - sinceSeconds * 1000;
    lines = lines.filter((l) => !(stampMs(l) < from));
  }
  if (tailLines !== undefined) lines = tailLines === 0 ? [] : lines.slice(-tailLines);
  const shown = timestamps ? lines : lines.map((l) => l.slice(l.indexOf(' ') + 1));
  const out = shown.map((l) => `${l}\n`).join('');
  if (limitBytes === undefined) return out;
  const bytes = Buffer.from(out, 'utf8');
  return bytes.length <= limitBytes ? out : bytes.subarray(0, limitBytes).toString('utf8');
}
