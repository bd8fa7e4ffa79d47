// The process's logger (docs/observability.md): its lines carry their trace, and are exported as log
// records when the environment asks for it.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import {
  logDestination,
  logExportSettings,
  traceLogOptions,
  tracingSettings,
  withLogExport,
} from '../observability/index.js';

/**
 * Not on a terminal (a pod, CI, a pipe): JSON lines on stdout in writes of 4 KiB
 * (observability/log-destination.ts). On a terminal (`npm start`): the same lines made readable by
 * pino-pretty.
 */
export const processLogger = (level: string | undefined): Logger => {
  // A line written inside a span carries its trace (docs/observability.md).
  const options = { level, ...traceLogOptions(tracingSettings().enabled) };
  // With OTEL_LOGS_EXPORTER, every line is a log record too (observability/log-export.ts).
  const exporting = logExportSettings().enabled;
  return process.stdout.isTTY
    ? pino(
        options,
        withLogExport(
          pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
          exporting,
        ),
      )
    : pino(options, withLogExport(logDestination(1), exporting));
};
