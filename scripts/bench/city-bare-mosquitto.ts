/**
 * A bare Mosquitto for the city bench's baseline: the same build and settings as the workers' broker
 * (test/support/mosquitto-conf.ts: no persistence, TCP_NODELAY, the same packet limit) but nobody
 * subscribed and no password file, so its QoS 1 PUBACK is the broker's own floor for the traffic.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../lib/free-port.js';
import { sleep } from './sim-devices.js';

export interface BareMosquitto {
  url: string;
  stop(): void;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

export async function startBareMosquitto(dir: string): Promise<BareMosquitto> {
  const port = await freePort();
  const conf = join(dir, 'bare-mosquitto.conf');
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'set_tcp_nodelay true', 'max_packet_size 1100000', 'log_dest none', 'user root', ''].join('\n'),
  );
  const proc = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await listening(port)); i++) await sleep(100);
  return { url: `mqtt://127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') };
}
