/**
 * The policy-Chromium harness itself: stopping a shell leaves nothing of it running and removes its
 * directory. Chromium's crash handler runs in a session of its own (not the browser's child), so
 * it outlived the browser and wrote into the directory being removed: a CI run failed with
 * ENOTEMPTY in stop(). And a launch reads the DevTools port only once Chromium has written it: a
 * CI run read the file while it was still empty and connected to ws://127.0.0.1:undefined.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { devToolsActivePort, launchUnderPolicy, processesNaming } from './policy-chromium.js';

it('reads the DevTools port once it is written, not when the file first appears empty', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hcp-devtools-port-')), 'DevToolsActivePort');
  writeFileSync(file, '');
  setTimeout(() => writeFileSync(file, '9'), 100);
  setTimeout(() => writeFileSync(file, '9222\n/devtools/browser/0b1c2d3e\n'), 200);
  expect(await devToolsActivePort(file)).toEqual({ port: 9222, path: '/devtools/browser/0b1c2d3e' });
  await expect(devToolsActivePort(join(file, '..', 'none'), 300)).rejects.toThrow(/wrote no DevTools port to .*none within 300 ms/);
});

it('stopping a shell leaves none of its processes running and removes its directory', async () => {
  for (let i = 0; i < 3; i++) {
    const shell = await launchUnderPolicy({ DeveloperToolsAvailability: 1 }, 'about:blank');
    await shell.stop();
    expect(processesNaming(shell.root)).toEqual([]);
    expect(existsSync(shell.root)).toBe(false);
  }
}, 60_000);
