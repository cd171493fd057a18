/** An in-process gateway on loopback ports with a temp store, for the sync suites. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { GatewayConfigSchema } from '../../gateway/config/gateway-config.js';
import { Gateway } from '../../gateway/gateway.js';

export async function startInProcessGateway(logLines: string[] = [], mqtt: Record<string, unknown> = { port: 0 }, http: Record<string, unknown> = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-gw-'));
  const config = GatewayConfigSchema.parse({ dataDir: join(dir, 'data'), http: { port: 0, ...http }, mqtt, hall: { hallName: '测试大厅' } });
  // Capture the log so tests can check that each refusal was logged.
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  const gw = new Gateway(config, logger);
  await gw.start();
  gw.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '市场监管局' });
  gw.registry.upsertWindow({ windowId: 'w-02', number: '02', department: '税务局' });
  return gw;
}
