/** The adapter the config names (STYLE.md §3: a factory picks the implementation). */
import type { SmsNotifier } from '../notifier.js';
import type { SmsProviderConfig } from '../sms-config.js';
import { AliyunSms } from './aliyun.js';
import { CmccMasSms } from './cmcc-mas.js';
import { TencentSms } from './tencent.js';

export function createSmsNotifier(c: SmsProviderConfig, timeoutMs: number): SmsNotifier {
  switch (c.kind) {
    case 'aliyun':
      return new AliyunSms(c, timeoutMs);
    case 'tencent':
      return new TencentSms(c, timeoutMs);
    case 'cmcc-mas':
      return new CmccMasSms(c, timeoutMs);
  }
}
