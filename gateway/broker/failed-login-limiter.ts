/**
 * Refused logins per remote address (issue 10, hole 15): past a few a minute, an address is
 * refused without a database read or a password hash, so a flood of bad logins costs little and
 * cannot starve real devices. Memory stays bounded: old entries are dropped as the window moves.
 */
export class FailedLoginLimiter {
  private readonly hits = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly maxPerWindow = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  failed(remote: string | null): void {
    if (!remote) return;
    const t = this.now();
    const h = this.hits.get(remote);
    if (!h || t - h.since > this.windowMs) this.hits.set(remote, { count: 1, since: t });
    else h.count += 1;
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (t - v.since > this.windowMs) this.hits.delete(k);
  }

  blocked(remote: string | null): boolean {
    if (!remote) return false;
    const h = this.hits.get(remote);
    return !!h && this.now() - h.since <= this.windowMs && h.count >= this.maxPerWindow;
  }
}
