/**
 * Issue 10, hole 11 (the gateway's part): the config is validated once, at start, before anything
 * listens. A bad field is named, a missing certificate file is named with its path (it used to be
 * a raw ENOENT crash), relative paths are taken from the config file's folder, and nothing is
 * printed as a stack trace.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

function serve(config: unknown): { status: number | null; stderr: string; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-gwcfg-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'serve', '--config', file], { cwd: REPO_ROOT, timeout: 30_000 });
  return { status: r.status, stderr: r.stderr.toString(), stdout: r.stdout.toString() };
}

const base = { dataDir: 'data', http: { port: 0 }, mqtt: { port: 0 }, hall: { hallName: '廊坊市政务服务中心' } };

describe('the gateway config', () => {
  for (const [what, config, field] of [
    ['a missing certificate file', { ...base, http: { port: 0, tls: { keyFile: 'gw.key', certFile: 'gw.pem' } } }, /http\.tls\.keyFile: .*gw\.key does not exist/],
    ['an unknown section', { ...base, provnice: {} }, /Unrecognized key.*provnice/],
    ['a port out of range', { ...base, http: { port: 70000 } }, /http\.port/],
    ['a bad province area code', { ...base, province: { url: 'http://127.0.0.1:9/p', appId: 'a', key: 'k'.repeat(16), areaCode: 'LF', deptCode: 'd' } }, /province\.areaCode/],
    ['not JSON', '{ "dataDir": ', /cannot read it as JSON/],
  ] as const) {
    it(`refuses ${what} with one line naming the field, before anything listens`, () => {
      const r = serve(config);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(field);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).not.toMatch(/"event":"ready"/);
    });
  }

  it("takes relative paths from the config file's folder", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-gwcfg-rel-'));
    mkdirSync(join(dir, 'tls'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'tls/gw.key',
        '-out',
        'tls/gw.pem',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const file = join(dir, 'gateway.json');
    writeFileSync(file, JSON.stringify({ ...base, http: { port: 0, tls: { keyFile: 'tls/gw.key', certFile: 'tls/gw.pem' } } }));
    // Started from another folder: the paths must still resolve beside the config file.
    const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const child = spawnSync(process.execPath, ['--import', tsx, join(REPO_ROOT, 'gateway/main.ts'), 'create-admin', '--config', file, '--user', 'it'], {
      cwd: tmpdir(),
      env: { ...process.env, HCP_ADMIN_PASSWORD: 'an-admin-password' },
      timeout: 30_000,
    });
    expect(child.stderr.toString()).toBe('');
    expect(child.status).toBe(0);
  });
});
