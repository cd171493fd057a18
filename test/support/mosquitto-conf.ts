/**
 * A Mosquitto config for a test broker on 127.0.0.1 whose users and ACL the gateway writes (its
 * external-broker link): empty password and ACL files to start from, and the conf naming them.
 * `user root`: started as root, mosquitto would drop to its own user, which cannot read the test's
 * 0700 temp dir nor the gateway's 0600 password file (a real site gives the two a shared group).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MosquittoConfOptions {
  port: number;
  /** Devices log in with their id as username: force it as client id too (a site's device listener does). */
  usernameAsClientId: boolean;
  maxPacketSize?: number;
}

export function writeMosquittoConf(dir: string, o: MosquittoConfOptions): { conf: string; passwordFile: string; aclFile: string } {
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(passwordFile, '');
  writeFileSync(aclFile, '');
  writeFileSync(
    conf,
    [
      `listener ${o.port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      ...(o.usernameAsClientId ? ['use_username_as_clientid true'] : []),
      'persistence false',
      // Acks follow the PUBACK of their batch at once: without it they wait out Nagle (docs/POSTGRES.md).
      'set_tcp_nodelay true',
      // The workers' shared subscription queues batches while they commit: past the default 1,000
      // queued messages a QoS 1 batch is dropped and waits out its device's ack timeout (docs/POSTGRES.md).
      'max_queued_messages 100000',
      ...(o.maxPacketSize ? [`max_packet_size ${o.maxPacketSize}`] : []),
      'log_dest none',
      'user root',
      '',
    ].join('\n'),
  );
  return { conf, passwordFile, aclFile };
}
