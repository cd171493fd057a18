/**
 * pg-backlog-probe.ts's PG_SOCKET=1 (docs/POSTGRES.md, the Unix-socket try): the gateway is given
 * the throw-away cluster's database over its Unix socket (socketUrl). The gateway's config takes
 * that url, and a store opened on it reaches the server over the socket, not over TCP.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { type PgCluster, socketUrl, startPgCluster } from '../support/pg-cluster.js';
import { createDatabase } from './workers-support.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
}, 60_000);
afterAll(() => cluster?.stop());

/** The server's address as the session sees it: null over a Unix socket. */
async function serverAddress(url: string): Promise<{ address: string | null; database: string }> {
  const store = await openPostgresStore({ connectionString: url, poolSize: 1 });
  try {
    const r = await sql<{ address: string | null; database: string }>`select host(inet_server_addr()) as address, current_database() as database`.execute(store.db);
    return r.rows[0]!;
  } finally {
    await store.close();
  }
}

it("opens the gateway's store over the cluster's Unix socket, with a url its config takes", async () => {
  const tcpUrl = await createDatabase(cluster.baseUrl, 'hcp_socket_url');
  const url = socketUrl(cluster, 'hcp_socket_url');
  const config = parseGatewayConfig({ dataDir: 'data', hall: { hallName: '测试大厅' }, store: { kind: 'postgres', url } }, GATEWAY_FEATURES, '/');
  expect(config.store).toMatchObject({ kind: 'postgres', url });
  expect(await serverAddress(url)).toEqual({ address: null, database: 'hcp_socket_url' });
  expect(await serverAddress(tcpUrl)).toEqual({ address: '127.0.0.1', database: 'hcp_socket_url' });
});
