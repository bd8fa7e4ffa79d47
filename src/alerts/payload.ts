// A notification as Alertmanager's webhook_config sends it (payload "version": "4") and as Grafana's
// webhook contact point sends it (the same shape, "version": "1", with orgId, title, state, message and
// per alert silenceURL, dashboardURL, panelURL, values). Read pure and total: what the receiver uses is
// checked and bounded, anything else (Grafana's extras among it) is ignored; a body that breaks the
// contract is a problem naming the field and the rule, answered 400.
import { createHash } from 'node:crypto';
import { isPlainObject } from '../util/index.js';

export type AlertStatus = 'firing' | 'resolved';

export interface Alert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** As sent (RFC 3339): with the fingerprint, it names one firing of the alert. */
  startsAt: string;
  /** The sender's, or (a sender without one) a hash of the labels, as Alertmanager derives its own. */
  fingerprint: string;
  generatorURL?: string;
}

export interface Notification {
  /** alertmanager ("4") or grafana ("1"). */
  sender: 'alertmanager' | 'grafana';
  receiver: string;
  /** The first `maxAlerts` alerts; the rest are counted in `skipped`. */
  alerts: Alert[];
  skipped: number;
}

/** The most labels (or annotations) one alert may carry, and the longest name and value read. */
export const MAX_PAIRS = 64;
const MAX_NAME = 256;
const MAX_VALUE = 8192;
/** Alertmanager's fingerprint is 16 hex digits; Grafana's too. Bounded so it fits a label value. */
const FINGERPRINT = /^[0-9A-Za-z]{1,63}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

class Problem extends Error {}
const fail = (field: string, rule: string): never => {
  throw new Problem(`${field}: ${rule}`);
};

function stringMap(value: unknown, field: string, required: boolean): Record<string, string> {
  if (value === undefined || value === null) {
    if (required) fail(field, 'required (an object of strings)');
    return {};
  }
  if (!isPlainObject(value)) return fail(field, 'must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > MAX_PAIRS) fail(field, `must have at most ${MAX_PAIRS} entries`);
  const out: Record<string, string> = {};
  for (const [name, v] of entries) {
    const at = `${field}[${JSON.stringify(name.slice(0, MAX_NAME))}]`;
    if (name.length === 0 || name.length > MAX_NAME) fail(at, `a name must be 1 to ${MAX_NAME} characters`);
    if (typeof v !== 'string') fail(at, 'must be a string');
    if ((v as string).length > MAX_VALUE) fail(at, `must be at most ${MAX_VALUE} characters`);
    Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Alertmanager's own derivation, in spirit: the labels, sorted, hashed. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(labels).sort()) hash.update(`${name}\u0000${labels[name]}\u0000`);
  return hash.digest('hex').slice(0, 16);
}

function readAlert(value: unknown, at: string): Alert {
  if (!isPlainObject(value)) return fail(at, 'must be an object');
  const { status } = value;
  if (status !== 'firing' && status !== 'resolved') fail(`${at}.status`, 'must be "firing" or "resolved"');
  const labels = stringMap(value.labels, `${at}.labels`, true);
  if (Object.keys(labels).length === 0) fail(`${at}.labels`, 'must have at least one label');
  const annotations = stringMap(value.annotations, `${at}.annotations`, false);
  const startsAt = value.startsAt;
  if (typeof startsAt !== 'string' || !RFC3339.test(startsAt) || Number.isNaN(Date.parse(startsAt)))
    fail(`${at}.startsAt`, 'required, an RFC 3339 time');
  let fingerprint = value.fingerprint;
  if (fingerprint === undefined || fingerprint === '') fingerprint = labelsFingerprint(labels);
  else if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint))
    fail(`${at}.fingerprint`, 'must be 1 to 63 letters and digits');
  const url = value.generatorURL;
  const generatorURL =
    typeof url === 'string' && /^https?:\/\//.test(url) && url.length <= 2048 ? url : undefined;
  return {
    status: status as AlertStatus,
    labels,
    annotations,
    startsAt: startsAt as string,
    fingerprint: fingerprint as string,
    ...(generatorURL ? { generatorURL } : {}),
  };
}

/** The notification in `body` (parsed JSON), its first `maxAlerts` alerts read; or the problem. */
export function readNotification(body: unknown, maxAlerts: number): Notification | { problem: string } {
  try {
    if (!isPlainObject(body))
      return fail('body', 'must be a JSON object (an Alertmanager or Grafana notification)');
    const { version } = body;
    if (version !== '4' && version !== '1')
      fail('version', 'must be "4" (Alertmanager webhook_config) or "1" (Grafana webhook contact point)');
    const receiver = typeof body.receiver === 'string' ? body.receiver.slice(0, 256) : '';
    if (!Array.isArray(body.alerts)) return fail('alerts', 'required, an array');
    const considered = body.alerts.slice(0, maxAlerts);
    const alerts = considered.map((a, i) => readAlert(a, `alerts[${i}]`));
    return {
      sender: version === '4' ? 'alertmanager' : 'grafana',
      receiver,
      alerts,
      skipped: body.alerts.length - considered.length,
    };
  } catch (err) {
    if (err instanceof Problem) return { problem: err.message };
    throw err;
  }
}
