/**
 * The words of a follow-up in the user's language: steps, actions, marks and what each event of the
 * record says (the gateway keeps the facts of an event in `data`; here they become a short line).
 * One place, so the list, the page and the forms say the same thing the same way.
 */
import { useI18n } from 'vue-i18n';
import type { FollowupEvent, FollowupView } from '../../api/types';
import { formatTime } from '../../format';
import type { MessageSchema } from '../../i18n';
import { isLevel, reasonText } from '../../levels';

type F = MessageSchema['followups'];
export type StepKey = keyof F['steps'];
export type ActionKey = keyof F['actions'];
type EventKey = keyof F['events'];

export function useFollowupWords() {
  const { t, te, locale } = useI18n();
  /** A label from a group by a code the gateway gives; an unknown code shows as itself. */
  const word = <G extends keyof F>(group: G, code: string | null | undefined): string => {
    if (code === null || code === undefined) return '—';
    const key = `followups.${group}.${code}`;
    return te(key) ? t(key as never) : code;
  };
  const level = (n: number | null | undefined) => (n !== null && n !== undefined && isLevel(n) ? t(`levels.${n}`) : '—');
  const time = (iso: string | null | undefined) => formatTime(iso, locale.value);
  const windowOf = (f: Pick<FollowupView, 'windowNumber' | 'windowId'>) => (f.windowNumber ? t('followups.marks.windowNumber', { n: f.windowNumber }) : (f.windowId ?? '—'));
  const departmentOf = (f: Pick<FollowupView, 'department' | 'departmentId'>) => f.department ?? (f.departmentId ? f.departmentId : t('followups.marks.hallManagers'));
  const escalatedTo = (f: FollowupView) => (f.escalatedTo ? t('followups.marks.escalatedTo', { to: f.escalatedTo.department ?? t('followups.marks.hallManagers') }) : '');
  const reasons = (codes: readonly number[] | null | undefined) => (codes?.length ? codes.map((c) => reasonText(c, locale.value)) : []);

  /** What an event's facts say, as one line ('' when nothing more than its kind and note). */
  function facts(e: FollowupEvent): string {
    const d = (e.data ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
    const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : null);
    const parts: string[] = [];
    const due = (k = 'dueDate') => str(k) && parts.push(t('followups.eventFacts.due', { date: str(k)! }));
    switch (e.kind) {
      case 'received':
        due();
        break;
      case 'assigned':
        if (str('handler')) parts.push(t('followups.eventFacts.handler', { user: str('handler')! }));
        break;
      case 'verified':
        parts.push(word('findings', str('finding')));
        parts.push(d.raterReached ? t('followups.eventFacts.reached') : t('followups.eventFacts.notReached'));
        break;
      case 'resolved':
        parts.push(word('resolutions', str('resolution')));
        if (str('category')) parts.push(word('categories', str('category')));
        due();
        break;
      case 'extension-requested':
      case 'extension-refused':
        if (num('days') !== null) parts.push(t('followups.eventFacts.days', { n: num('days')! }));
        break;
      case 'extension-approved':
        if (num('days') !== null) parts.push(t('followups.eventFacts.days', { n: num('days')! }));
        if (str('dueDate')) parts.push(t('followups.eventFacts.newDue', { date: str('dueDate')! }));
        break;
      case 'rectified':
        parts.push(word('resolutions', str('resolution')));
        if (typeof d.onTime === 'boolean') parts.push(d.onTime ? t('followups.eventFacts.onTime') : t('followups.eventFacts.late'));
        break;
      case 'replied':
        parts.push(word('methods', str('method')));
        break;
      case 'called-back':
        parts.push(word('outcomes', str('outcome')));
        if (num('rerating') !== null) parts.push(t('followups.eventFacts.rerating', { level: level(num('rerating')) }));
        break;
      case 'reopened':
        if (num('rerating') !== null) parts.push(t('followups.eventFacts.rerating', { level: level(num('rerating')) }));
        due();
        break;
      case 'closed':
        parts.push(t('followups.eventFacts.rootCause', { cause: word('rootCauses', str('rootCause')) }));
        if (str('actionTaken')) parts.push(t('followups.eventFacts.action', { text: str('actionTaken')! }));
        break;
      case 'escalated':
        parts.push(t('followups.eventFacts.escalatedLevel', { n: num('level') ?? 1, to: str('toName') ?? departmentName(str('to')) }));
        break;
      case 'written-off':
        parts.push(word('writeOffKinds', str('kind')));
        break;
      case 'reminder':
        due();
        break;
    }
    return parts.filter((p) => p && p !== '—').join(' · ');
  }
  /** Escalation events name a department id; the names come from the page (setDepartmentNames). */
  let names = new Map<string, string>();
  const departmentName = (id: string | null) => (id ? (names.get(id) ?? id) : t('followups.marks.hallManagers'));
  const setDepartmentNames = (m: Map<string, string>) => (names = m);

  const eventLabel = (kind: string) => (te(`followups.events.${kind}`) ? t(`followups.events.${kind as EventKey}`) : kind);

  return { t, locale, word, level, time, windowOf, departmentOf, escalatedTo, reasons, facts, eventLabel, setDepartmentNames };
}
