/**
 * Issue 3, "Must show" 3: the same exactly-once drill with Debian's mosquitto as the broker. The
 * gateway writes mosquitto's password and pattern-ACL files and reloads it (SIGHUP); devices speak
 * plain MQTT to mosquitto; gateway ingest takes batches from a shared subscription.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { freePort } from '../../scripts/lib/free-port.js';
import { runDrill } from './drill-run.js';
import { writeMosquittoConf } from '../support/mosquitto-conf.js';

describe('exactly once with Debian mosquitto as the broker', () => {
  it('12 devices, gateway and device kill -9s, a broker restart, a network cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-mosq-'));
    const port = await freePort();
    const { conf, passwordFile, aclFile } = writeMosquittoConf(dir, { port, usernameAsClientId: true, maxPacketSize: 1100000 });
    const pidFile = join(dir, 'pid');
    let proc: ChildProcess;
    const startMosquitto = async () => {
      proc = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
      writeFileSync(pidFile, String(proc.pid));
      await new Promise((r) => setTimeout(r, 300));
    };
    await startMosquitto();
    try {
      await runDrill({
        devices: 12,
        runMs: 25_000,
        label: 'mosquitto',
        broker: {
          port,
          gatewayMqtt: {
            // Mosquitto checks passwords itself; a key proof cannot pass through it.
            requireKeyProof: false,
            external: {
              url: `mqtt://127.0.0.1:${port}`,
              username: 'hcp-gateway',
              password: 'gateway-secret-2026',
              passwordFile,
              aclFile,
              reloadCommand: ['sh', '-c', `kill -HUP "$(cat ${pidFile})"`],
            },
          },
          restart: async () => {
            proc.kill('SIGKILL');
            await new Promise((r) => setTimeout(r, 1500));
            await startMosquitto();
          },
        },
      });
    } finally {
      proc!.kill('SIGTERM');
    }
  }, 300_000);
});
