/**
 * Refuses an MQTT packet by its declared size, before its body arrives. aedes reads a whole packet
 * before any hook sees it, so without this an unauthenticated client could send a 100 MiB CONNECT
 * and the gateway would buffer it. The guard reads the same bytes as aedes (a second 'data'
 * listener) and follows only the fixed headers [MQTT-2.2.3]: type byte, remaining length as a
 * variable-length integer of up to 4 bytes, then that many bytes to skip.
 */
import type { Socket } from 'node:net';

export function guardPacketSize(socket: Socket, maxBytes: number, onTooBig: (declared: number) => void): void {
  let skip = 0; // body bytes of the current packet still to pass
  let inHeader = false; // after the type byte, inside the remaining-length bytes
  let length = 0;
  let multiplier = 1;
  socket.on('data', (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const byte = chunk[i++]!;
      if (!inHeader) {
        inHeader = true;
        length = 0;
        multiplier = 1;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte & 0x80) {
        if (multiplier > 128 ** 4) return void socket.destroy(); // malformed length [MQTT-1.5.5]
        continue;
      }
      inHeader = false;
      if (length > maxBytes) {
        onTooBig(length);
        socket.destroy();
        return;
      }
      skip = length;
    }
  });
}
