/** Every config example of docs/RECEIPTS.md is accepted as a device config's `receipt` section. */
import { describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../../device/config/device-config.js';
import { REPO_ROOT } from '../support/device-process.js';
import { jsonBlocks, parseBlock } from '../docs/markdown-json-blocks.js';

const blocks = jsonBlocks(REPO_ROOT, 'docs/RECEIPTS.md');
const minimal = { deviceId: 'dev-doc', dataDir: '/var/lib/hcp', bootstrap: { hallName: '廊坊市政务服务中心', window: { id: 'w-07', number: '07', department: '不动产登记中心' } } };

describe('docs/RECEIPTS.md config examples', () => {
  it('shows one example per adapter', () => {
    const adapters = blocks.map((b) => (parseBlock(b) as { receipt: { adapter: string } }).receipt.adapter);
    expect(adapters.sort()).toEqual(['capture', 'network', 'serial', 'usb']);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('the block at line %i is a valid receipt section', (_line, block) => {
    const config = parseDeviceConfig({ ...minimal, ...(parseBlock(block) as object) }, {}, `docs/RECEIPTS.md line ${block.line}`);
    expect(config.receipt?.enabled).toBe(true);
  });
});
