/**
 * Two writes that bump the same two cursor rows in opposite orders, each holding its first row
 * until the other holds its own: PostgreSQL aborts one as a deadlock (40P01), and the store runs it
 * again. Resolves once both have committed (each row then stands at 2). READ COMMITTED, so the
 * collision is the row locks' alone.
 */
import type { GatewayStore } from '../../gateway/store/database.js';

export async function deadlockingWrites(store: GatewayStore, [a, b]: [string, string], onAttempt: () => void = () => undefined): Promise<void> {
  await store.db
    .insertInto('cursors')
    .values([
      { name: a, position: 0 },
      { name: b, position: 0 },
    ])
    .execute();
  let firstHalves = 0;
  let bothHold: () => void;
  const holding = new Promise<void>((r) => (bothHold = r));
  const bump = (first: string, second: string) =>
    store.write(
      async (trx) => {
        onAttempt();
        const inc = (name: string) =>
          trx
            .updateTable('cursors')
            .set((eb) => ({ position: eb('position', '+', 1) }))
            .where('name', '=', name)
            .execute();
        await inc(first);
        if (++firstHalves === 2) bothHold();
        await holding;
        await inc(second);
      },
      { isolation: 'read committed' },
    );
  await Promise.all([bump(a, b), bump(b, a)]);
}
