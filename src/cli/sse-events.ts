// The REST API's watch stream (server-sent events, src/rest/watch.ts) read back into the apiserver's
// watch events, so that the CLI's informers and waits follow runs through the API as through the
// cluster: `event: ADDED|MODIFIED|DELETED` with the run as `data`, and the API's `event: error` with a
// Status as the apiserver's ERROR event (a 410 then makes them list again). Comment lines (`:`, the
// heartbeat) are skipped.
import type { KubeObject, WatchEvent } from '../runtime/index.js';

/** The most one event may hold: a run is far smaller (the apiserver's own limit on an object is 1.5 MiB). */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** A parser fed the stream's text as it arrives; `onEvent` gets each complete event. */
export function sseEvents(onEvent: (event: WatchEvent) => void): (chunk: string) => void {
  let buffered = '';
  const dispatch = (block: string) => {
    let type = '';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (!type || data.length === 0) return;
    const object = JSON.parse(data.join('\n')) as KubeObject;
    onEvent({ type: (type === 'error' ? 'ERROR' : type) as WatchEvent['type'], object });
  };
  return (chunk) => {
    // Joined before CRLF is read as LF: a chunk may end between the two.
    buffered = (buffered + chunk).replaceAll('\r\n', '\n');
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      dispatch(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
    }
    if (buffered.length > MAX_EVENT_CHARS) throw new Error('the watch sent an event of over 16 MiB');
  };
}
