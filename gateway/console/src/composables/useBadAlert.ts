/**
 * The 差评 alert (RULES.md R1: 不满意 and 非常不满意 are 差评, R12: every one is followed up): when
 * the stream brings a new bad rating, the console shows a notification naming the window and the
 * level, plays the chime and raises a desktop notification — within the 2 s the hall expects, as
 * the gateway streams it within a poll (300 ms). Details added later to the same rating do not
 * ring again. Never anything about who rated: the stream has no such thing.
 */
import { ElNotification } from 'element-plus';
import { h, onBeforeUnmount } from 'vue';
import { useI18n } from 'vue-i18n';
import type { FeedItem } from '../api/types';
import { desktopAlert, playAlarm } from './useAlarm';
import { useLiveStream } from './useLiveStream';

const LEVELS = [1, 2, 3, 4, 5] as const;
type LevelKey = (typeof LEVELS)[number];
const asLevel = (n: number): LevelKey => (LEVELS.includes(n as LevelKey) ? (n as LevelKey) : 1);

export function useBadAlert(): void {
  const { t } = useI18n();
  const stream = useLiveStream();
  const rung = new Set<string>();
  const stop = stream.onRating((item: FeedItem) => {
    if (!item.bad || item.change !== 'created' || rung.has(item.assessId)) return;
    rung.add(item.assessId);
    const level = t(`levels.${asLevel(item.level)}`);
    const body = item.windowNumber ? t('live.badBody', { window: item.windowNumber, department: item.department ?? '', level }) : t('live.badBodyNoWindow', { level });
    ElNotification({
      type: 'error',
      title: t('live.badTitle'),
      message: h('div', { 'data-testid': 'bad-alert', 'data-window': item.windowNumber ?? '', role: 'alert' }, body),
      duration: 30_000,
      position: 'top-right',
    });
    playAlarm();
    desktopAlert(t('live.badTitle'), body, `bad-${item.assessId}`);
  });
  onBeforeUnmount(stop);
}
