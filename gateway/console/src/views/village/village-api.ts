/**
 * The village screen's types (from the generated schema) and the receipt file. The import's answer
 * carries the signed receipt; the console saves it as the file the gateway's CLI writes
 * (gateway/village/import-bundle-command.ts: the receipt's JSON and a newline, under
 * `receiptFileName`), so a download does not import the bundle a second time.
 */
import type { paths } from '../../api/client';

type Route = paths['/api/village/bundles']['post'];
export type VillageBundleBody = NonNullable<Route['requestBody']>['content']['application/json'];
export type ImportAnswer = Route['responses'][200]['content']['application/json'];

/** Save the receipt as a file the browser downloads (to the USB stick); answers the file name. */
export function saveReceiptFile(receipt: NonNullable<ImportAnswer['receipt']>, fileName: string): string {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(receipt)}\n`], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}
