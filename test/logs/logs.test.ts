/**
 * Issue 15, "Logs": readable lines for a person at a terminal, JSON lines for machines, a log file
 * that logrotate can rotate (rename, SIGHUP, nothing lost), and the demo's helpers writing each
 * process's log to a file. The gateway and the device are real processes; the terminal is a real
 * pty (util-linux `script`).
 */
import { existsSync, mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevice } from '../../scripts/lib/device-process.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { jsonLines, READABLE_LINE, runGateway } from './log-run.js';

describe("the gateway's log", () => {
  it('is readable at a terminal, JSON on a pipe, and either when asked by name', async () => {
    const [terminal, terminalJson, pipe, pipePretty, pipeEnvPretty] = await Promise.all([
      runGateway({ terminal: true }),
      runGateway({ terminal: true, env: { HCP_LOG_PRETTY: '0' } }),
      runGateway(),
      runGateway({ args: ['--pretty'] }),
      runGateway({ env: { HCP_LOG_PRETTY: '1' } }),
    ]);
    for (const person of [terminal, pipePretty, pipeEnvPretty]) {
      expect(person.log).toMatch(READABLE_LINE);
      expect(person.log).not.toMatch(/^\{"level"/m);
    }
    // Colour only where there is a terminal to show it.
    expect(terminal.log).toMatch(/\u001b\[32mINFO/);
    expect(pipePretty.log).not.toMatch(/\u001b\[/);
    for (const machine of [terminalJson, pipe]) {
      const lines = jsonLines(machine.log);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['gateway started', 'stopping']));
      for (const l of lines) expect(l).toMatchObject({ level: expect.any(Number), time: expect.any(Number), name: 'hcp-gateway' });
    }
  }, 180_000);

  it('goes to a file as JSON lines with --log-file; logrotate renames it and sends SIGHUP, and no line is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-logfile-'));
    const file = join(dir, 'logs/gateway.log');
    const run = await runGateway({
      args: ['--log-file', file],
      whileReady: async (pid) => {
        await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('gateway started'), { what: 'the start in the log file' });
        renameSync(file, `${file}.1`);
        process.kill(pid, 'SIGHUP');
        await waitFor(() => existsSync(file), { what: 'a new log file after SIGHUP' });
      },
    });
    expect(run.log).toBe('');
    const rotated = jsonLines(readFileSync(`${file}.1`, 'utf8')).map((l) => l.msg);
    const current = jsonLines(readFileSync(file, 'utf8')).map((l) => l.msg);
    expect(rotated).toContain('gateway started');
    expect(rotated).not.toContain('stopping');
    // What the gateway writes after SIGHUP goes to the new file and ends with its stop. Work started
    // before the rotation (the first report, say) may finish on either side of it, so the new file
    // is not required to hold the stop alone: only to hold nothing from before the rotation.
    expect(current.at(-1)).toBe('stopping');
    expect(current).not.toContain('gateway started');
  }, 120_000);
});

describe("the device's log", () => {
  it('is JSON on a pipe (what the demo writes to its file), readable with HCP_LOG_PRETTY=1, in a file with HCP_LOG_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-devlog-'));
    const config = { logLevel: 'info' };
    const demoLog = join(dir, 'logs/dev-json.log');
    const ownFile = join(dir, 'own/dev-file.log');
    const [json, pretty, filed] = await Promise.all([
      startDevice({ deviceId: 'dev-json', dir: join(dir, 'a'), config, logFile: demoLog }),
      startDevice({ deviceId: 'dev-pretty', dir: join(dir, 'b'), config, env: { HCP_LOG_PRETTY: '1' } }),
      startDevice({ deviceId: 'dev-file', dir: join(dir, 'c'), config, env: { HCP_LOG_FILE: ownFile } }),
    ]);
    await Promise.all([json.stop(), pretty.stop(), filed.stop()]);

    const demoLines = jsonLines(readFileSync(demoLog, 'utf8'));
    expect(demoLines.map((l) => l.msg)).toContain('stopping');
    for (const l of demoLines) expect(l.name).toBe('hcp-device:dev-json');
    expect(pretty.stderr()).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO \(hcp-device:dev-pretty\): stopping$/m);
    expect(filed.stderr()).toBe('');
    expect(jsonLines(readFileSync(ownFile, 'utf8')).map((l) => l.msg)).toContain('stopping');
  }, 180_000);
});
