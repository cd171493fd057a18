/** The receipts the golden files hold: a case invitation, a window's "please rate", a hall with no phone address. */
import type { DeviceConfig } from '../../../device/contract/index.js';
import type { RatingFacts } from '../../../device/receipt/receipt-content.js';

type ReceiptConfig = Pick<DeviceConfig, 'deviceId' | 'hallName' | 'window' | 'qrBaseUrl'>;

export const QR_BASE = 'https://zwfw.example.gov.cn/hcp';
export const INVITE_ID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

export const FIXTURES: Record<'case-invitation' | 'window-rating' | 'no-public-address', { rating: RatingFacts; config: ReceiptConfig }> = {
  'case-invitation': {
    rating: { at: '2026-11-30T05:52:31.000Z', windowId: 'w-07', invitation: { id: INVITE_ID, source: 'case', caseNo: 'LF2026-000123', invitedAt: '2026-11-30T05:50:00.000Z' } },
    config: { deviceId: 'dev-lf-07', hallName: '廊坊市政务服务中心', window: { id: 'w-07', number: '07', department: '不动产登记中心' }, qrBaseUrl: `${QR_BASE}/` },
  },
  'window-rating': {
    // 23:59 UTC is the next day in China.
    rating: {
      at: '2026-12-31T23:59:00.000Z',
      windowId: 'w-a07',
      invitation: { id: '0193a1b2-0000-7000-8000-000000000001', source: 'staff', invitedAt: '2026-12-31T23:58:00.000Z' },
    },
    config: { deviceId: 'dev-a07', hallName: '测试大厅', window: { id: 'w-a07', number: 'A07', department: '人力资源和社会保障局' }, qrBaseUrl: QR_BASE },
  },
  'no-public-address': {
    rating: { at: '2026-06-01T01:00:00.000Z', windowId: 'w-b1', invitation: { id: INVITE_ID, source: 'case', caseNo: 'SB-2026-42', invitedAt: '2026-06-01T00:59:00.000Z' } },
    config: { deviceId: 'dev-b1', hallName: '另一个政务服务中心', window: { id: 'w-b1', number: 'B1', department: '行政审批局, "综合"科' } },
  },
};
