/**
 * The policy-Chromium harness itself: stopping a shell leaves nothing of it running and removes its
 * directory. Chromium's crash handler runs in a session of its own (not the browser's child), so
 * it outlived the browser and wrote into the directory being removed: a CI run failed with
 * ENOTEMPTY in stop().
 */
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { launchUnderPolicy, processesNaming } from './policy-chromium.js';

it('stopping a shell leaves none of its processes running and removes its directory', async () => {
  for (let i = 0; i < 3; i++) {
    const shell = await launchUnderPolicy({ DeveloperToolsAvailability: 1 }, 'about:blank');
    await shell.stop();
    expect(processesNaming(shell.root)).toEqual([]);
    expect(existsSync(shell.root)).toBe(false);
  }
}, 60_000);
