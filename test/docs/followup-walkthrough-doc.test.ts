/**
 * docs/FOLLOWUP.md "Against the demo hall" is a script hall managers will paste: it is run here as
 * written, with bash and curl, against a gateway holding the demo's logins and one open 差评 — only
 * the `GW=` line is given the test gateway's address. Each step must be answered as the doc says.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHall, type Hall } from '../followup/followup-hall.js';
import { REPO_ROOT } from '../support/device-process.js';

let hall: Hall;

beforeAll(async () => {
  hall = await openHall({ startAt: '2025-11-17T09:00:00+08:00' });
  // The demo hall's logins (scripts/demo-hall.ts), which the doc's script uses.
  for (const [u, p, role] of [
    ['manager', 'demo-manager-2026', 'manager'],
    ['supervisor', 'demo-supervisor-2026', 'supervisor'],
    ['auditor', 'demo-auditor-2026', 'auditor'],
  ] as const)
    await hall.gw.auth.createUser(u, p, role);
  await hall.rate(2, { phone: '13598765432' });
});
afterAll(async () => hall?.stop());

function docScript(): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/FOLLOWUP.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Against the demo hall'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/FOLLOWUP.md: no sh block under "Against the demo hall"');
  return block;
}

describe('docs/FOLLOWUP.md, the walk-through against the demo hall', () => {
  it('runs as written: every step answered, the number refused once closed, the appeal written off', async () => {
    const script = docScript().replace(/^GW=.*$/m, `GW=${hall.gw.httpUrl}`);
    // Asynchronously: the gateway answering the script's curl calls runs in this process.
    const { stdout: out } = await promisify(execFile)('bash', ['-e', '-c', script], { encoding: 'utf8' });
    // Each `j` step prints the follow-up it answered: the last one is closed, with its root cause.
    expect(out).toMatch(/"step":"closed"[^\n]*"rootCause":"process"/);
    expect(out).toContain('"pendingExtension":{"days":2'); // the extension waits for an approver
    expect(out).toMatch(/"error":"closed"/); // the number is not opened once closed
    expect(out).toContain('"entries":['); // the auditor's query answered
    expect(out).toMatch(/"appealId":"ap-[^"]+","assessId"[^\n]*"state":"approved"/); // the appeal written off
    expect(out).not.toContain('13598765432');
  });
});
