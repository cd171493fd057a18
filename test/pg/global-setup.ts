/** One PostgreSQL cluster for the whole run: the test processes inherit its url. */
import { startPgCluster } from '../support/pg-cluster.js';

export default async function setup(): Promise<() => void> {
  const cluster = await startPgCluster();
  process.env.HCP_TEST_PG_URL = cluster.baseUrl;
  return () => cluster.stop();
}
