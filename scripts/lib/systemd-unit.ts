/** What a systemd unit of deploy/systemd gives its program: the `Environment=` assignments, as a process environment. */
import { readFileSync } from 'node:fs';

/**
 * The words of one `Environment=` value, as systemd splits them (systemd.exec(5), "Environment="):
 * assignments separated by whitespace; quotes ("…" or '…') around a word keep its spaces
 * (`Environment="NODE_OPTIONS=--a --b"` is one assignment) and are removed; a backslash keeps the
 * character after it. Escapes such as \n, which systemd also reads, are not used by our units: refused.
 */
export function environmentWords(value: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const next = value[++i];
      if (next === undefined || !`\\"' `.includes(next)) throw new Error(`Environment=${value}: the escape \\${next ?? ''} is not one this reader knows`);
      word = (word ?? '') + next;
    } else if (quote) {
      if (c === quote) quote = null;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new Error(`Environment=${value}: a quote (${quote}) is not closed`);
  if (word !== null) words.push(word);
  return words;
}

/**
 * The PATH systemd gives a service it starts (systemd.exec(5), "Environment Variables in Spawned
 * Processes"). A bench's gateway run as the unit runs it gets this and the unit's `Environment=`
 * lines alone: systemd also sets the system's LANG, the `User=` account's HOME, USER, LOGNAME and
 * SHELL, and its own bookkeeping (INVOCATION_ID, JOURNAL_STREAM), which it leaves out.
 */
export const SYSTEMD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';

/** Every `Environment=` line's assignments, in order (a later one replaces an earlier). */
export function serviceEnvironment(unitFile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(unitFile, 'utf8').split('\n')) {
    const m = /^Environment=(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const word of environmentWords(m[1]!)) {
      const a = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
      if (!a) throw new Error(`${unitFile}: "${word}" in Environment= is not NAME=value`);
      env[a[1]!] = a[2]!;
    }
  }
  return env;
}

/**
 * A unit's environment with a setting applied, for comparing settings (scripts/bench/unit-env-ab.ts):
 * assignments joined by commas, each NAME=value (set), NAME+=value (append after a space) or -NAME
 * (remove); "unit" leaves the environment as it is. A comma starts a new assignment only where one
 * follows it, so a value may hold commas of its own (MALLOC_CONF=background_thread:true,dirty_decay_ms:1000).
 */
export function applySetting(base: Record<string, string>, s: string): Record<string, string> {
  const env = { ...base };
  if (s === 'unit') return env;
  for (const part of s.split(/,(?=\s*-?[A-Za-z_][A-Za-z0-9_]*(?:\+?=|\s*,|\s*$))/)) {
    const m = /^(-)?([A-Za-z_][A-Za-z0-9_]*)(?:(\+?=)(.*))?$/.exec(part.trim());
    if (!m || (m[1] ? m[3] !== undefined : m[3] === undefined)) throw new Error(`"${part}" in setting "${s}" is none of NAME=value, NAME+=value, -NAME or unit`);
    const [, remove, name, op, value] = m as unknown as [string, string | undefined, string, string | undefined, string];
    if (remove) delete env[name];
    else env[name] = op === '+=' && env[name] ? `${env[name]} ${value}` : value;
  }
  return env;
}
