/**
 * Structured logging (pino), one namespace per module (docs/STYLE.md §6). Nothing that identifies a
 * rater is ever logged: no phone numbers, no comments, no link between a rating and a person.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createRootLogger(opts: { level?: string; name?: string; destination?: number } = {}): Logger {
  return pino(
    { name: opts.name ?? 'hcp-device', level: opts.level ?? process.env.HCP_LOG_LEVEL ?? 'info' },
    // Logs go to stderr: stdout carries the program's machine-readable lines (the "ready" line).
    pino.destination({ dest: opts.destination ?? 2, sync: false }),
  );
}

export function child(logger: Logger, ns: string): Logger {
  return logger.child({ ns });
}
