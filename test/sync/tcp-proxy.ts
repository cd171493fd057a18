/**
 * A loopback TCP proxy the drills put between devices and the broker: a stable address across
 * broker restarts, and a switch to cut the network (every connection dropped, new ones refused).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private target: () => number) {}

  async start(): Promise<number> {
    this.server = createServer((inbound) => {
      if (this.cut) return inbound.destroy();
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
      inbound.pipe(outbound).pipe(inbound);
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

  restore(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutNetwork();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
