/**
 * How the report screens say things: a period in words, the report's own bilingual texts in the
 * console's language (definitions, rules and reasons come with the snapshot, so a report read years
 * later says how it was computed), rates as the report's rules print them, short hashes, times.
 */
import { useI18n } from 'vue-i18n';
import type { ReportContent, ReportKind, ReportMeasure, ReportMeasureKey } from '../../api/types';
import { formatTime } from '../../format';

/** The measures in the order the scheme lists them (docs/REPORTS.md). */
export const MEASURE_KEYS: readonly ReportMeasureKey[] = [
  'goodRate',
  'activeGoodRate',
  'unratedRate',
  'replyRate',
  'replyOnTimeRate',
  'callbackRectifyRate',
  'rectifySatisfactionRate',
];

export const LEVEL_KEYS = ['5', '4', '3', '2', '1'] as const;

/** The first 12 hex digits: enough to tell snapshots apart by eye; the full hash is in the title. */
export const shortHash = (hash: string) => `${hash.slice(0, 12)}…`;

export function useReportWords() {
  const { t, locale } = useI18n();
  const en = () => locale.value === 'en';

  /** The zh or en text of something the report carries. */
  const pick = (x: { zh: string; en: string }) => (en() ? x.en : x.zh);

  function period(kind: ReportKind, p: string): string {
    const [year = '', part = ''] = p.split('-');
    return kind === 'quarterly' ? t('reports.periodQuarter', { year, quarter: part.replace('Q', '') }) : t('reports.periodMonth', { year, month: part });
  }

  /** "2026年11月 月度报告". */
  const reportName = (kind: ReportKind, p: string) => `${period(kind, p)} ${t(`reports.kinds.${kind}`)}`;

  /** A rate as the report prints it: "70.0%", "—" when there is nothing to divide (see `why`). */
  function rate(m: ReportMeasure | null): string {
    if (m === null || m.value === null) return '—';
    return `${(m.value * 100).toFixed(1)}%`;
  }

  /** Why a rate shows "—", or null when it has a value. */
  function why(m: ReportMeasure | null): { short: string; long: string } | null {
    if (m === null) return { short: t('reports.cell.notApplicable'), long: t('reports.cell.notApplicableWhy') };
    if (m.value === null) return { short: t('reports.cell.zeroDen'), long: t('reports.cell.zeroDenWhy') };
    return null;
  }

  /** A measure's name and definition, from the report itself. */
  function definition(content: ReportContent, key: string): { name: string; text: string } {
    const d = content.definitions.find((x) => x.key === key);
    if (!d) return { name: key, text: '' };
    return en() ? { name: d.en, text: d.definitionEn } : { name: d.zh, text: d.definitionZh };
  }

  const time = (iso: string | null | undefined) => formatTime(iso, locale.value);

  /** Who made a snapshot: a person's name, or the gateway's schedule or recheck in words. */
  function maker(by: string): string {
    if (by === 'schedule') return t('reports.list.bySchedule');
    if (by === 'recheck') return t('reports.list.byRecheck');
    return by;
  }

  return { t, locale, en, pick, period, reportName, rate, why, definition, time, maker };
}
