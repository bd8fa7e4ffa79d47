// The ConfigMap a container's log is kept in (docs/logs.md): the log held (bounded-log.ts), credentials
// cut out as from status (src/util/redact.ts), gzipped to fit in a ConfigMap, owned by the run (it goes
// with the run, and the run's finalizer deletes it) and sealed as the operator's, immutable.
import { gzipSync } from 'node:zlib';
import type { ControllerConfig, RunKindName, RunOf } from '../../api/index.js';
import { keptLogName } from '../../naming/index.js';
import { KEPT_LOG_KEY } from '../../runs/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { REDACTED, redactSecrets } from '../../util/index.js';
import { controllerReference } from '../agent/index.js';
import { objectLabels } from '../kind/strategy.js';
import { type HeldLog, lastLinesWithin, linesWithin, unstampedBytes } from './bounded-log.js';

/** The most gzipped bytes one ConfigMap holds: its limit is 1 MiB, with room for its metadata. */
export const MAX_KEPT_GZIP = 960 * 1024;

/** The kept text of a held log and its gzip, with how many of the log's bytes it keeps (without timestamps). */
export interface KeptText {
  gzip: Buffer;
  keptBytes: number;
}

const stampOf = (line: string | undefined) => line?.slice(0, Math.max(0, line.indexOf(' '))) ?? '';

/**
 * A tail that starts inside a private key (its BEGIN line was left out) would keep the key's end:
 * cut from its start to the key's END line.
 */
function keyEndCut(tail: string): string {
  const end = /-----END [A-Z0-9 ]*PRIVATE KEY-----/.exec(tail);
  if (!end || /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(tail.slice(0, end.index))) return tail;
  return `${stampOf(tail)} ${REDACTED}${tail.slice(end.index + end[0].length)}`;
}

/** The log as kept: its head, a line saying what is left out (stamped as the tail's first), its tail. */
export function keptText(held: HeldLog): string {
  if (!held.cut) return redactSecrets(held.head + held.tail);
  const left = held.bytes - unstampedBytes(held.head + held.tail);
  const stamp = stampOf(held.tail) || stampOf(held.head.split('\n').at(-2));
  const marker = `${stamp} [orchestrator: ${left} bytes of this log were not kept (logs.keptBytes)]\n`;
  return redactSecrets(held.head + marker + keyEndCut(held.tail));
}

/** The held log gzipped within MAX_KEPT_GZIP: a log that compresses poorly keeps less of each end. */
export function fitGzip(held: HeldLog, maxGzip = MAX_KEPT_GZIP): KeptText {
  let h = held;
  for (;;) {
    const text = keptText(h);
    const gzip = gzipSync(text);
    const keptBytes = unstampedBytes(h.head + h.tail);
    if (gzip.length <= maxGzip || keptBytes === 0) return { gzip, keptBytes };
    const scale = (maxGzip / gzip.length) * 0.9;
    const bytes = (s: string) => Math.floor(Buffer.byteLength(s, 'utf8') * scale);
    h = {
      bytes: h.bytes,
      head: linesWithin(h.head, bytes(h.head)),
      tail: lastLinesWithin(h.tail, bytes(h.tail)),
      cut: true,
    };
  }
}

export interface KeptLogInput {
  kind: RunKindName;
  run: RunOf<RunKindName>;
  config: ControllerConfig;
  jobName: string;
  container: string;
  pod: string;
  gzip: Buffer;
}

/** The kept log's ConfigMap (unsealed: the caller seals it for the run). */
export function keptLogConfigMap(input: KeptLogInput): KubeObject {
  const { kind, run, config, jobName, container, pod } = input;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: keptLogName(jobName, container),
      namespace: run.metadata?.namespace,
      labels: objectLabels(kind, run, config),
      annotations: { 'orchestrator.io/log-of': `pod ${pod}, container ${container}` },
      ownerReferences: [controllerReference(kind, run)],
    },
    immutable: true,
    binaryData: { [KEPT_LOG_KEY]: input.gzip.toString('base64') },
  };
}
