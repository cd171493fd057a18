/**
 * The gateway's structured log (pino), one namespace per module (docs/STYLE.md §6), to stderr:
 * stdout carries the program's machine-readable lines. Nothing that identifies a rater is logged.
 *
 * Where the lines go (docs/OPERATIONS.md "Logs"):
 *   - a file, as JSON lines, with `--log-file` or HCP_LOG_FILE; SIGHUP reopens it, so logrotate can
 *     move it away and signal (no copytruncate, no lost lines);
 *   - otherwise stderr: readable lines for a person when stderr is a terminal (or `--pretty`,
 *     HCP_LOG_PRETTY=1), JSON lines for machines (journald, a pipe) otherwise, or with HCP_LOG_PRETTY=0.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

export interface RootLoggerOptions {
  level?: string;
  name?: string;
  /** Readable lines instead of JSON; default: HCP_LOG_PRETTY, else whether stderr is a terminal. */
  pretty?: boolean;
  /** Append JSON lines to this file instead of stderr; default: HCP_LOG_FILE. */
  file?: string;
}

export function createRootLogger(opts: RootLoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.HCP_LOG_LEVEL ?? 'info';
  return pino({ name: opts.name ?? 'hcp-gateway', level }, logDestination(opts));
}

/** HCP_LOG_PRETTY=1|true asks for readable lines, 0|false for JSON; anything else leaves it to the terminal. */
export function prettyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const v = env.HCP_LOG_PRETTY?.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return undefined;
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

function logDestination(opts: RootLoggerOptions): DestinationStream {
  const file = opts.file ?? (process.env.HCP_LOG_FILE || undefined);
  if (file) {
    const dest = pino.destination({ dest: file, mkdir: true, append: true, sync: false });
    // logrotate renames the file and sends SIGHUP (docs/OPERATIONS.md): start a new one under the name.
    process.on('SIGHUP', () => dest.reopen());
    return dest;
  }
  if (opts.pretty ?? prettyFromEnv() ?? process.stderr.isTTY === true) {
    return pinoPretty({
      destination: 2,
      // Synchronous: a person reads these as they happen, and the last line before an exit must show.
      sync: true,
      colorize: process.stderr.isTTY === true,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
  }
  return pino.destination({ dest: 2, sync: false });
}
