import { describe, expect, it } from 'vitest';
import { syncsInTrace } from './strace-syncs.js';

describe('syncsInTrace', () => {
  it('counts the syncs after the marker, by thread, split by another thread or not', () => {
    // As strace -f -y writes them when two threads sync at once (taken from a run on a loaded machine).
    const trace = [
      '16500 fsync(20</tmp/d/gateway.db>) = 0',
      '16500 fsync(31</tmp/d/marker>) = 0',
      '16535 fsync(33</tmp/d/gateway.db> <unfinished ...>',
      '16520 fdatasync(30</tmp/d/gateway.db-wal>) = 0',
      '16535 <... fsync resumed>) = 0',
      '16521 fdatasync(30</tmp/d/gateway.db-wal> <unfinished ...>',
      '16535 fsync(33</tmp/d/gateway.db>) = 0',
      '16521 <... fdatasync resumed>) = 0',
      '',
    ].join('\n');
    const { markerAt, syncs } = syncsInTrace(trace, '/tmp/d/marker');
    expect(markerAt).toBe(1);
    expect(syncs).toEqual([
      { tid: 16535, call: 'fsync', path: '/tmp/d/gateway.db' },
      { tid: 16520, call: 'fdatasync', path: '/tmp/d/gateway.db-wal' },
      { tid: 16521, call: 'fdatasync', path: '/tmp/d/gateway.db-wal' },
      { tid: 16535, call: 'fsync', path: '/tmp/d/gateway.db' },
    ]);
  });
});
