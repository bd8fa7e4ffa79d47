// The console's calls to the REST API, with the token the user logged in with. The token stays in this
// tab's sessionStorage: never in a URL, never in localStorage, gone when the tab closes.
const KEY = 'orchestrator.token';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  login: (token) => sessionStorage.setItem(KEY, token),
  logout: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Without a token of its own, the console sends none: a proxy in front (oauth2-proxy) may add the
// user's (docs/console.md "Single sign-on").
const headers = (json) => {
  const token = session.token();
  return {
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...(json ? { 'Content-Type': 'application/json' } : {}),
  };
};

async function failure(res) {
  let message = `${res.status} ${res.statusText}`;
  try {
    message = (await res.json()).message ?? message;
  } catch {
    // Not a Status: its status line says it.
  }
  if (res.status === 401) session.logout();
  return new ApiError(res.status, message);
}

/** The most times a call refused for the rate (429) is made again, after the wait the API names. */
const RATE_TRIES = 4;

/** fetch(), again after the API's Retry-After (at most 10 s) while it answers 429. */
async function fetchPaced(path, init) {
  for (let tries = 1; ; tries++) {
    const res = await fetch(path, init);
    if (res.status !== 429 || tries >= RATE_TRIES) return res;
    const seconds = Math.min(Number(res.headers.get('retry-after')) || 1, 10);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    if (init.signal?.aborted) return res;
  }
}

/** A call's answer: JSON, or text for a log. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const res = await fetchPaced(path, {
    method,
    headers: headers(body !== undefined),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal,
  });
  if (!res.ok) throw await failure(res);
  return (res.headers.get('content-type') ?? '').includes('json') ? res.json() : res.text();
}

/** A streamed answer (a followed log, server-sent events), chunk by chunk until it ends or `signal`. */
export async function stream(path, onText, signal) {
  const res = await fetchPaced(path, { headers: headers(false), signal });
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(value);
  }
}

/** A watch's server-sent events: `onEvent(type, data)` for each (EventSource cannot send a token). */
export function watch(path, onEvent, signal) {
  let buffer = '';
  return stream(
    `${path}${path.includes('?') ? '&' : '?'}watch=true`,
    (text) => {
      buffer += text;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (type && data) onEvent(type, JSON.parse(data));
        end = buffer.indexOf('\n\n');
      }
    },
    signal,
  );
}
