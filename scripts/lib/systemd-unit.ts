/** What a systemd unit of deploy/systemd gives its program: the `Environment=` assignments, as a process environment. */
import { readFileSync } from 'node:fs';

/** `Environment=K=V` lines (one assignment each, unquoted, as our units write them). */
export function serviceEnvironment(unitFile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(unitFile, 'utf8').split('\n')) {
    const m = /^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}
