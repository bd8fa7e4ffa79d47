// One call to the provider's API, streamed both ways: the request goes with the platform's key, the
// answer comes back as an IncomingMessage read as it arrives. Ended by `signal` (the client went away,
// or the call's time is up): the connection to the provider is destroyed, so it stops generating.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface UpstreamCall {
  /** The provider's base URL joined with the call's path and query. */
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  signal: AbortSignal;
}

/** No answer came; `sent`: the request had been written whole, so the provider may be generating it. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
  ) {
    super(message);
  }
}

/** The answer's status and headers, its body still to be read; rejects (UpstreamError) when no answer came. */
export function callUpstream(call: UpstreamCall): Promise<IncomingMessage> {
  const send = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(call.url, {
      method: call.method,
      headers: {
        ...call.headers,
        // Usage is read from the bytes as they pass: they must not be compressed.
        'accept-encoding': 'identity',
        ...(call.body ? { 'content-length': String(call.body.length) } : {}),
      },
      signal: call.signal,
    });
    // 'finish': the body was handed to the connection whole (a request that never connected never finishes).
    let sent = false;
    req.once('finish', () => {
      sent = true;
    });
    req.once('response', resolve);
    req.once('error', (err) => reject(new UpstreamError(err.message, sent)));
    req.end(call.body);
  });
}

/** The base URL with the request's path and query: a base with a path prefix keeps it. */
export function upstreamUrl(base: string, target: string): URL {
  const url = new URL(base);
  const [path = '', query] = target.split('?', 2);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
  url.search = query === undefined ? '' : `?${query}`;
  return url;
}
