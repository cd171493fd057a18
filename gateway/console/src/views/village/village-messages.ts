/**
 * The 村级数据导入 screen's words, Chinese first; they join the console's messages as `village`
 * (i18n/zh-CN.ts, i18n/en.ts), as paper's do.
 */
export const villageZh = {
  title: '村级数据导入',
  intro: '村级评价器没有网络：把它导出到 U 盘的数据包导入网关，再把回执文件带回设备导入，设备便知道哪些评价已送达。同一数据包重复导入不会重复入库。',
  pick: '数据包文件（hcp-bundle-….json）',
  submit: '导入',
  notJson: '这个文件不是评价器导出的数据包（无法按 JSON 读取）',
  result: '导入结果',
  device: '设备',
  bundle: '数据包',
  records: '包内评价',
  stored: '本次入库',
  alreadyStored: '此前已入库',
  rejected: '被拒收',
  rejectedNone: '无',
  through: '已确认到序号',
  receipt: '下载回执文件',
  receiptHint: '把回执文件保存到 U 盘，带回设备导入',
  receiptSaved: '已下载 {file}',
  noReceipt: '网关没有配置签发回执的证书（village.certFile / keyFile），无法生成回执',
};

export type VillageMessages = typeof villageZh;

export const villageEn: VillageMessages = {
  title: 'Village bundles',
  intro:
    'A village device has no network: import the bundle it exported to the USB stick, then carry the receipt file back to the device, so it knows which ratings arrived. Importing the same bundle twice stores nothing twice.',
  pick: 'Bundle file (hcp-bundle-….json)',
  submit: 'Import',
  notJson: 'This file is not a bundle a device exported (it does not read as JSON)',
  result: 'Import result',
  device: 'Device',
  bundle: 'Bundle',
  records: 'Ratings in the bundle',
  stored: 'Stored now',
  alreadyStored: 'Stored before',
  rejected: 'Rejected',
  rejectedNone: 'None',
  through: 'Confirmed through seq',
  receipt: 'Download the receipt file',
  receiptHint: 'Save the receipt file on the USB stick and import it on the device',
  receiptSaved: '{file} downloaded',
  noReceipt: 'The gateway has no certificate to sign receipts with (village.certFile / keyFile): no receipt',
};
