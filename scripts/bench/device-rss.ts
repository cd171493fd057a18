/** bench:device's memory part: the device program's RSS idle and with a full outbox, as shipped and under tsx. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { build } from 'esbuild';
import { v7 as uuidv7 } from 'uuid';
import { CURRENT_CATALOGUE_VERSION } from '../../device/contract/index.js';
import { ChainStore } from '../../device/store/chain-store.js';
import { openDeviceDatabase } from '../../device/store/database.js';
import { loadOrCreateDeviceKey } from '../../device/store/device-key.js';
import { residentMiB } from './smaps.js';

/** The device program as shipped: an esbuild bundle under the repo's dist/, so it resolves node_modules as an installed device would. */
export async function buildDeviceBundle(root: string): Promise<string> {
  const bundled = join(root, 'dist', 'bench', 'device.mjs');
  await build({
    entryPoints: [join(root, 'device/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundled,
    logLevel: 'silent',
  });
  return bundled;
}

/** A device data dir holding `count` unacknowledged ratings, made fast (1,000 per transaction). */
export function fillOutbox(dir: string, count: number): void {
  const db = openDeviceDatabase(join(dir, 'device.db'));
  const store = new ChainStore(db, 'dev-rss', loadOrCreateDeviceKey(dir).privateKey);
  const chunk = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) {
      const at = new Date().toISOString();
      store.append({
        kind: 'rating',
        id: uuidv7(),
        at,
        level: 5,
        channel: 'device-button',
        catalogueVersion: CURRENT_CATALOGUE_VERSION,
        windowId: 'w-01',
        staffId: 's-001',
        invitation: { id: uuidv7(), source: 'staff', invitedAt: at },
        facts: { msFromInvitation: 2300, staffLoggedIn: true, unarmedPressesBefore: 0, ratingsInLastMinute: 1, flags: [] },
      });
    }
  });
  for (let done = 0; done < count; done += 1000) chunk(Math.min(1000, count - done));
  db.close();
}

/** A minimal device config for a data dir (no gateway section: nothing is sent, the outbox stays as filled). */
export function configFor(dir: string, deviceId: string): string {
  const file = join(dir, 'device.json');
  writeFileSync(
    file,
    JSON.stringify({
      deviceId,
      dataDir: dir,
      localApi: { port: 0 },
      logLevel: 'warn',
      bootstrap: { hallName: 'H', window: { id: 'w-01', number: '01', department: 'D' }, roster: [] },
    }),
  );
  return file;
}

/** MiB resident of the device program started with `command`, once ready, asked for its status and left to settle. */
export async function rssOf(root: string, command: string[], configFile: string, settleMs: number): Promise<number> {
  const child = spawn(process.execPath, [...command, '--config', configFile], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await new Promise<{ localApi: string; token: string }>((res, rej) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const m = JSON.parse(l);
        if (m.event === 'ready') res(m);
      } catch {
        /* not ours */
      }
    });
    child.once('exit', (c) => rej(new Error(`device exited ${c}`)));
  });
  // Ask what hall IT's status screen asks (backlog over the whole outbox), then let it settle.
  await fetch(`${ready.localApi}/api/status`, { headers: { authorization: `Bearer ${ready.token}` } });
  await new Promise((r) => setTimeout(r, settleMs));
  const mib = residentMiB(child.pid!);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return mib;
}
