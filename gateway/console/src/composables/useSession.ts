/**
 * Who is logged in. The session itself is the gateway's HttpOnly cookie; the console only knows
 * what GET /api/me says, and asks again after a login. What a role may see is decided by the API —
 * the menu only leaves out what the API would refuse anyway.
 */
import { computed, ref } from 'vue';
import { need } from '../api/call';
import { api } from '../api/client';
import type { Me, Role } from '../api/types';
import { forgetLiveAnswers, takeFirstMe } from '../first-answers';

const me = ref<Me | null>(null);
let pending: Promise<Me | null> | null = null;

/** The session's user, asked of the gateway once (again with `force`); null when nobody is logged in. */
export function loadSession(force = false): Promise<Me | null> {
  if (me.value && !force) return Promise.resolve(me.value);
  if (!pending || force) {
    // The answer main.ts asked for at start, the first time; a forced check (after a login) asks
    // anew and throws that early answer away, which no longer says who is logged in.
    const first = takeFirstMe();
    const asked = (!force && first) || api.GET('/api/me');
    pending = asked
      .then((r) => (me.value = r.data ?? null))
      .catch(() => (me.value = null))
      .finally(() => {
        pending = null;
        if (!me.value) forgetLiveAnswers();
      });
  }
  return pending;
}

/** Log in (the gateway sets the cookie) and answer who that is; throws ApiFailure with the gateway's message. */
export async function login(username: string, password: string): Promise<Me> {
  await need(api.POST('/api/login', { body: { username, password } }));
  const user = await loadSession(true);
  if (!user) throw new Error('logged in, but GET /api/me did not answer');
  return user;
}

export async function logout(): Promise<void> {
  // Ending an already-ended session answers 401: logged out either way.
  await api.POST('/api/logout').catch(() => undefined);
  me.value = null;
}

/** The session was refused (401 somewhere): forget the user. */
export function forgetSession(): void {
  me.value = null;
}

export function useSession() {
  const role = computed<Role | null>(() => me.value?.role ?? null);
  return {
    me,
    role,
    /** Whether the user's role is one of these (for showing controls; the API decides). */
    is: (...roles: Role[]) => role.value !== null && roles.includes(role.value),
  };
}
