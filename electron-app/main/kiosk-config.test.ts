import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashPin, loadKioskConfig, pinMatches } from './kiosk-config.js';

describe('kiosk shell config and the hall-IT PIN', () => {
  const stored = hashPin('246810', '00112233445566778899aabbccddeeff');
  it('accepts the right PIN only', () => {
    expect(pinMatches('246810', stored)).toBe(true);
    expect(pinMatches('246811', stored)).toBe(false);
    expect(pinMatches('', stored)).toBe(false);
    expect(pinMatches('24681a', stored)).toBe(false);
  });
  it('refuses a config that would point the kiosk off the loopback API, naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-kiosk-cfg-'));
    const file = join(dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify({ localApi: 'http://evil.example:80', tokenFile: '/x', exitPinHash: stored }));
    expect(() => loadKioskConfig(file)).toThrow(/localApi/);
    writeFileSync(file, JSON.stringify({ localApi: 'http://127.0.0.1:8765', tokenFile: '/var/lib/hcp/local-api.token', exitPinHash: stored }));
    expect(loadKioskConfig(file).localApi).toBe('http://127.0.0.1:8765');
  });
});
