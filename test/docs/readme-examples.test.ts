/**
 * Every ```json block of the READMEs is an example someone will copy: each must be accepted by the
 * program it is for (issue 10, hole 11: the README's device config lacked gateway.mqttUrl and was
 * refused). The table says which schema checks which block; a block the table does not name fails
 * the suite, so a new example gets a check (or an explicit "not yet") when it is written.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../../device/config/device-config.js';
import { KioskConfigSchema } from '../../electron-app/main/kiosk-config.js';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { REPO_ROOT } from '../support/device-process.js';
import { jsonBlocks, parseBlock, type JsonBlock } from './markdown-json-blocks.js';

/** Throws with the config error (naming the field) if the example is refused. */
type Check = (example: unknown, block: JsonBlock) => void;

const where = (b: JsonBlock) => `${b.file} block ${b.block} (line ${b.line})`;

/** A whole device config file, as `device/main.ts --config` loads it (no environment overrides). */
const deviceConfig: Check = (example, b) => void parseDeviceConfig(example, {}, where(b));

/** Sections of a device config shown alone: checked inside the smallest device config that holds them. */
const deviceConfigSections: Check = (example, b) =>
  void parseDeviceConfig(
    {
      deviceId: 'dev-example',
      dataDir: '/var/lib/hcp',
      bootstrap: { hallName: '廊坊市政务服务中心', window: { id: 'w-01', number: '01', department: '市场监管局' } },
      ...(example as object),
    },
    {},
    where(b),
  );

/**
 * A whole gateway config, as `gateway/main.ts --config` loads it: written to a folder of its own
 * with every file it names (`…File`) present there, as they would be beside a real config.
 */
const gatewayConfig: Check = (example) => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-readme-gw-'));
  const files = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k.endsWith('File') && typeof v === 'string' && !v.startsWith('/')) {
        mkdirSync(dirname(join(dir, v)), { recursive: true });
        writeFileSync(join(dir, v), '');
      } else files(v);
    }
  };
  files(example);
  parseGatewayConfig(example, GATEWAY_FEATURES, dir, 'README example');
};

const kioskConfig: Check = (example, b) => {
  const r = KioskConfigSchema.safeParse(example);
  if (!r.success) throw new Error(`${where(b)}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
};

/** Which check for which block. */
const EXAMPLES: Array<{ file: string; block: number; what: string; check: Check | null }> = [
  { file: 'README.md', block: 1, what: 'device config', check: deviceConfig },
  { file: 'README.md', block: 2, what: 'gateway config', check: gatewayConfig },
  { file: 'electron-app/README.md', block: 1, what: 'kiosk config', check: kioskConfig },
  { file: 'hardware/README.md', block: 1, what: "device config's hardware section", check: deviceConfigSections },
];

/** Every README of the repository (not dependencies', not build output). */
function readmes(dir = REPO_ROOT, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return ['node_modules', '.git', 'dist', '.demo', '.scratch', 'test-artifacts', 'build'].includes(e.name) ? [] : readmes(dir, join(rel, e.name));
    return e.name === 'README.md' ? [join(rel, e.name)] : [];
  });
}
const FILES = readmes();

describe('README examples', () => {
  it('every ```json block of the READMEs has an entry in the table, and every entry a block', () => {
    const found = FILES.flatMap((f) => jsonBlocks(REPO_ROOT, f)).map((b) => `${b.file}#${b.block}`);
    expect(found.sort()).toEqual(EXAMPLES.map((e) => `${e.file}#${e.block}`).sort());
  });

  for (const e of EXAMPLES) {
    const name = `${e.file} block ${e.block} is a valid ${e.what}`;
    if (!e.check) {
      it.todo(name);
      continue;
    }
    it(name, () => {
      const block = jsonBlocks(REPO_ROOT, e.file)[e.block - 1]!;
      e.check!(parseBlock(block), block);
    });
  }
});
