// The last words of a log the REST API (src/rest/logs.ts) streamed and the apiserver broke off: written in the log's own
// stream (its status line is long sent), and recognised by the CLI, which says them on standard error
// and opens the log again.

/** What the farewell line begins with. */
export const LOG_FAREWELL = '\n[orchestrator: the log ended early: ';

export const logFarewell = (message: string) => `${LOG_FAREWELL}${message}]\n`;
