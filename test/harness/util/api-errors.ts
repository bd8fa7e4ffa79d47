// Small error filters for test requests against the API.
import { isNotFound } from '../../../src/runtime/index.js';

/** A `.catch` for requests whose object may already be gone: rethrows anything but a 404. */
export function ignore404(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
