/**
 * For the phone page behind a card's QR code (`…/w/<windowId>?card=<serial>`, gateway/phone): whether
 * the serial names a card this hall printed for that window and not yet entered from paper. Its
 * rating then uses assessId `card-<serial>` (card-serial.ts cardAssessId), the same id an entry
 * from paper would use, so the card counts once whichever comes first: the ledger refuses the
 * second (channel-ratings.ts `duplicate`), and the entry screen says the card was rated by phone.
 */
import type { Db } from '../store/database.js';
import { readSerial } from './card-serial.js';

export type CardForPhone = { ok: true; serial: string; windowId: string } | { ok: false; why: 'not-a-serial' | 'unknown-card' | 'other-window' | 'entered'; message: string };

export async function cardForPhone(db: Db, windowId: string, card: string): Promise<CardForPhone> {
  const read = readSerial(card);
  if (!read.ok) return { ok: false, why: 'not-a-serial', message: read.message };
  const row = await db.selectFrom('paper_cards').select(['serial', 'window_id', 'entered_at']).where('serial', '=', read.serial).executeTakeFirst();
  if (!row) return { ok: false, why: 'unknown-card', message: `no card ${read.serial} was printed by this hall` };
  if (row.window_id !== windowId) return { ok: false, why: 'other-window', message: `card ${read.serial} was printed for another window` };
  if (row.entered_at) return { ok: false, why: 'entered', message: `card ${read.serial} was entered from paper already; a card counts once` };
  return { ok: true, serial: row.serial, windowId: row.window_id };
}
