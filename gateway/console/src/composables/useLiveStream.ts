/**
 * The gateway's live stream (GET /api/live/events, Server-Sent Events with the session cookie): one
 * EventSource for the whole console, shared by the live hall, the 差评 alert and the alerts board.
 * EventSource reconnects by itself after a network error (and resends the last event id, so the
 * gateway replays what was missed); when the gateway refuses the stream outright (the session
 * ended) it stops, so we ask GET /api/me — a 401 there sends the user to the login page — and
 * otherwise open it again after a pause.
 */
import { readonly, ref } from 'vue';
import { gatewayBase } from '../api/client';
import type { AlertView, FeedItem } from '../api/types';
import { loadSession } from './useSession';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'closed';

const state = ref<StreamState>('closed');
const ratingListeners = new Set<(item: FeedItem) => void>();
const alertListeners = new Set<(alert: AlertView) => void>();
const openListeners = new Set<() => void>();
let source: EventSource | null = null;
let retry: ReturnType<typeof setTimeout> | null = null;
let wanted = false;

const REOPEN_MS = 3000;

function dispatch<T>(listeners: Set<(v: T) => void>, data: string): void {
  let value: T;
  try {
    value = JSON.parse(data) as T;
  } catch {
    return;
  }
  for (const fn of listeners) {
    // One failing listener must not keep the others (the 差评 alert) from hearing the event.
    try {
      fn(value);
    } catch (err) {
      console.error('live stream listener failed', err);
    }
  }
}

function open(): void {
  retry = null;
  if (!wanted) return;
  const es = new EventSource(`${gatewayBase}/api/live/events`);
  source = es;
  es.onopen = () => {
    state.value = 'open';
    for (const fn of openListeners) fn();
  };
  es.onerror = () => {
    if (source !== es) return;
    state.value = 'reconnecting';
    if (es.readyState !== EventSource.CLOSED) return; // EventSource is reconnecting by itself.
    es.close();
    source = null;
    void loadSession(true).then((me) => {
      if (!wanted) return;
      if (!me) {
        state.value = 'closed';
        return;
      }
      retry = setTimeout(open, REOPEN_MS);
    });
  };
  es.addEventListener('rating', (e) => dispatch(ratingListeners, (e as MessageEvent<string>).data));
  es.addEventListener('alert', (e) => dispatch(alertListeners, (e as MessageEvent<string>).data));
}

/** Open the stream (the layout does, for the roles that may read it). */
export function startLiveStream(): void {
  if (wanted) return;
  wanted = true;
  state.value = 'connecting';
  open();
}

/** Close it (logout, a role without the stream). */
export function stopLiveStream(): void {
  wanted = false;
  if (retry) clearTimeout(retry);
  retry = null;
  source?.close();
  source = null;
  state.value = 'closed';
}

/** Listen to the stream; each `on…` answers a function that stops listening (call it on unmount). */
export function useLiveStream() {
  return {
    state: readonly(state),
    onRating(fn: (item: FeedItem) => void): () => void {
      ratingListeners.add(fn);
      return () => ratingListeners.delete(fn);
    },
    onAlert(fn: (alert: AlertView) => void): () => void {
      alertListeners.add(fn);
      return () => alertListeners.delete(fn);
    },
    /** Each (re)connection: a page refetches what it may have missed meanwhile. */
    onOpen(fn: () => void): () => void {
      openListeners.add(fn);
      return () => openListeners.delete(fn);
    },
  };
}
