/**
 * The reader repeats a held card's frame every ~100–500 ms; staff mean one tap. A card counts as
 * removed after `removeAfterMs` without a valid frame of it, and only then can it tap again, so a
 * badge held on the reader logs in (or out) exactly once (issue 5).
 */
export class CardPresence {
  private current: { uid: string; lastSeen: number } | null = null;

  constructor(
    private readonly removeAfterMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Note a valid read; true when it is a new tap (a different card, or the same one after removal). */
  seen(uid: string): boolean {
    const t = this.now();
    const held = this.current !== null && this.current.uid === uid && t - this.current.lastSeen <= this.removeAfterMs;
    this.current = { uid, lastSeen: t };
    return !held;
  }

  /** Forget the held card (the reader went away: whatever is read after it comes back is a new tap). */
  reset(): void {
    this.current = null;
  }
}
