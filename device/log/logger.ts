/**
 * Structured logging (pino), one namespace per module (docs/STYLE.md §6). Nothing that identifies a
 * rater is ever logged: no phone numbers, no comments, no link between a rating and a person.
 *
 * Logs go to stderr: stdout carries the program's machine-readable lines (the "ready" line). Where
 * and how (docs/OPERATIONS.md "Logs"): JSON lines appended to HCP_LOG_FILE when set (SIGHUP reopens
 * it, for logrotate); otherwise readable lines when stderr is a terminal or HCP_LOG_PRETTY=1, and
 * JSON lines for machines (journald, a pipe) or with HCP_LOG_PRETTY=0. The gateway's logger
 * (gateway/log/logger.ts) follows the same rules.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

export function createRootLogger(opts: { level?: string; name?: string; destination?: number; pretty?: boolean; file?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'hcp-device', level: opts.level ?? process.env.HCP_LOG_LEVEL ?? 'info' }, logDestination(opts));
}

export function child(logger: Logger, ns: string): Logger {
  return logger.child({ ns });
}

/**
 * Writes out what the log still holds and closes it: await it before process.exit. The JSON
 * destinations write asynchronously, and pino's flush() does not wait for a write in flight, so
 * the lines just before an exit ("stopping", why a start failed) were lost at times (CI saw the
 * device's "stopping" missing from its HCP_LOG_FILE).
 */
export function endLog(logger: Logger, timeoutMs = 2000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { end?: () => void; once?: (event: string, f: () => void) => void; destroyed?: boolean }
    | undefined;
  if (!stream?.end || !stream.once || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once!('close', done);
    stream.once!('finish', done);
    stream.end!();
  });
}

function logDestination(opts: { destination?: number; pretty?: boolean; file?: string }): DestinationStream {
  const file = opts.file ?? (process.env.HCP_LOG_FILE || undefined);
  if (file) {
    const dest = pino.destination({ dest: file, mkdir: true, append: true, sync: false });
    // logrotate renames the file and sends SIGHUP: start a new one under the name.
    process.on('SIGHUP', () => dest.reopen());
    return dest;
  }
  const fd = opts.destination ?? 2;
  const env = process.env.HCP_LOG_PRETTY?.trim().toLowerCase();
  const envPretty = env === '1' || env === 'true' ? true : env === '0' || env === 'false' ? false : undefined;
  const terminal = fd === 2 ? process.stderr.isTTY === true : fd === 1 ? process.stdout.isTTY === true : false;
  if (opts.pretty ?? envPretty ?? terminal) {
    // Synchronous: a person reads these as they happen, and the last line before an exit must show.
    return pinoPretty({ destination: fd, sync: true, colorize: terminal, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname' });
  }
  return pino.destination({ dest: fd, sync: false });
}
