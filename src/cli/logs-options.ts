// What `orchestrator logs` reads (a run) and how (an attempt, -f, the container, a window), whether from
// the cluster (logs.ts) or through the REST API (logs-api.ts).
import type { RunKindName } from '../api/index.js';
import type { LogWindow } from './log-window.js';

export interface LogsTarget {
  kind: RunKindName;
  name: string;
  namespace: string;
}

export interface LogsOptions {
  /** A former attempt (default: the current one); -f then follows that attempt only. */
  attempt?: number;
  follow?: boolean;
  /** The init container (prepare-workspace) instead of the agent. */
  init?: boolean;
  /** Without -f: the limit on a log read that receives nothing (the --request-timeout). Default 30 s. */
  idleTimeoutMs?: number;
  /** How often -f re-reads the run while it waits for a pod or the next attempt. Default 2 s. */
  pollMs?: number;
  /** --tail / --since: only that part of the first pod's log (-f: then what comes). */
  window?: LogWindow;
}
