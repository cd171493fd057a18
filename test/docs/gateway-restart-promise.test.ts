/**
 * docs/OPERATIONS.md, "The gateway exits with code 74": after the exit, systemd starts the gateway
 * again 2 s later. That is the unit's doing (Restart=always, RestartSec=2s); this keeps the unit
 * saying so. The exit itself, and the resent batch stored once after the restart, are shown on a
 * disk made to fail by test/gateway/wal-flush-failure.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/device-process.js';

it('the gateway unit restarts the gateway after any exit, 2 s later, as docs/OPERATIONS.md says', () => {
  const unit = readFileSync(join(REPO_ROOT, 'deploy/systemd/hcp-gateway.service'), 'utf8');
  const service = /^\[Service\]\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(unit)?.[1] ?? '';
  expect(service).toMatch(/^Restart=always$/m);
  expect(service).toMatch(/^RestartSec=2s$/m);
  const docs = readFileSync(join(REPO_ROOT, 'docs/OPERATIONS.md'), 'utf8').replace(/\s+/g, ' ');
  expect(docs).toContain('(`Restart=always` in `deploy/systemd/hcp-gateway.service`) starts it again 2 s later');
});
