/**
 * A loopback TCP proxy the drills put between devices and the broker: a stable address across
 * broker restarts, and a switch to cut the network (every connection dropped, new ones refused).
 * `slowUp` makes it a slow link from the devices up (a village point's), and it counts what went up.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  /** Bytes a second from the devices to the broker: unlimited unless `slowUp` says. */
  private upBytesPerSecond = Number.POSITIVE_INFINITY;
  /** Bytes that went from the devices to the broker. */
  upBytes = 0;
  /** Connections made through the proxy. */
  connections = 0;
  port = 0;

  constructor(private target: () => number) {}

  async start(): Promise<number> {
    this.server = createServer((inbound) => {
      if (this.cut) return inbound.destroy();
      this.connections++;
      const outbound = connect(this.target(), '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          inbound.destroy();
          outbound.destroy();
        });
      }
      outbound.pipe(inbound);
      // When this connection's link is free again (monotonic ms): bytes cross it one after another.
      let linkFreeAt = 0;
      inbound.on('data', (chunk: Buffer) => {
        this.upBytes += chunk.length;
        if (!Number.isFinite(this.upBytesPerSecond)) {
          outbound.write(chunk);
          return;
        }
        // A slow link delivers bytes as they cross it, a kilobyte at a time, not a socket read at once.
        inbound.pause();
        const cross = (from: number): void => {
          if (from >= chunk.length) {
            inbound.resume();
            return;
          }
          const piece = chunk.subarray(from, from + 1024);
          linkFreeAt = Math.max(linkFreeAt, performance.now()) + (piece.length / this.upBytesPerSecond) * 1000;
          setTimeout(() => {
            outbound.write(piece);
            cross(from + piece.length);
          }, linkFreeAt - performance.now());
        };
        cross(0);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Drop every connection and refuse new ones until `restore()`. */
  cutNetwork(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  /** From now on the devices' bytes go up at `bytesPerSecond` at most. */
  slowUp(bytesPerSecond: number): void {
    this.upBytesPerSecond = bytesPerSecond;
  }

  restore(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutNetwork();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
