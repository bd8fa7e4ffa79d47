// One POST to a sink, bounded in time, its answer never read beyond the status: a sink's URL and key
// come from the config or from files (mounted Secrets) read at each send, and appear in no log, Event or
// error. A sink that fails for a while (a refused connection, a timeout, 408, 429, 5xx) is tried again;
// another answer is final.
import { readFile } from 'node:fs/promises';
import type { ControllerConfig } from '../../api/index.js';
import { type Notification, SIGNATURE_HEADER, signature, slackBody } from './message.js';

type Sink = ControllerConfig['notifications']['sinks'][number];

/** How long one POST may take, connection and answer. */
export const SEND_TIMEOUT_MS = 10_000;

export type Outcome = { sent: true } | { sent: false; again: boolean; why: string };

const fileText = async (path: string, what: string): Promise<string> => {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    throw new Error(`cannot read its ${what} file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
};

const again = (status: number) => status === 408 || status === 429 || status >= 500;

/** The request a sink gets for `n`: Slack's text, or the signed JSON of a webhook. */
async function request(sink: Sink, n: Notification): Promise<{ url: string; init: RequestInit }> {
  const url = sink.url ?? (await fileText(sink.urlFile ?? '', 'urlFile'));
  if (sink.type === 'slack')
    return { url, init: { body: slackBody(n), headers: { 'content-type': 'application/json' } } };
  const body = JSON.stringify(n);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-orchestrator-event': n.event,
    // The same for every try: a receiver drops what it has had.
    'x-orchestrator-delivery': `${n.run.uid}.${n.event}`,
  };
  if (sink.signingKeyFile)
    headers[SIGNATURE_HEADER] = signature(await fileText(sink.signingKeyFile, 'signingKeyFile'), body);
  return { url, init: { body, headers } };
}

/** POSTs `n` to `sink`; what happened, in words that name neither its URL nor its key. */
export async function deliver(sink: Sink, n: Notification, signal: AbortSignal): Promise<Outcome> {
  let req: Awaited<ReturnType<typeof request>>;
  try {
    req = await request(sink, n);
  } catch (err) {
    return { sent: false, again: true, why: (err as Error).message };
  }
  try {
    const res = await fetch(req.url, {
      ...req.init,
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { sent: true };
    return { sent: false, again: again(res.status), why: `it answered ${res.status}` };
  } catch (err) {
    if (signal.aborted) throw err;
    const timeout = (err as Error).name === 'TimeoutError';
    // fetch's errors can quote the URL: only their kind is said.
    const code = ((err as { cause?: { code?: string } }).cause?.code ?? '') || 'no answer';
    return { sent: false, again: true, why: timeout ? `no answer within ${SEND_TIMEOUT_MS / 1000} s` : code };
  }
}
