/**
 * Screenshots of a report page's sections at the hall's two sizes (test-artifacts/console/
 * reports-<screen>-<width>.png: look at them), each with the suite's checks — axe-core with no
 * serious or critical violation, no i18n key or stray English on the Chinese screen. Unlike
 * console-browser.ts's `capture`, the section is scrolled into view at each size first, so a long
 * report is seen part by part.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axe, OUT, SIZES, settle, textProblems, toastsGone } from '../console-browser.js';

export async function shoot(page: Page, screen: string, section?: string): Promise<string[]> {
  const problems: string[] = [];
  // Toasts gone, so they hide nothing.
  await toastsGone(page);
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await settle(page);
    if (section)
      await page
        .getByTestId(section)
        .first()
        .evaluate((el) => el.scrollIntoView({ block: 'start' }));
    else
      await page.evaluate(() => {
        for (const el of document.querySelectorAll('*')) if (el.scrollTop > 0) el.scrollTop = 0;
      });
    await settle(page, 500);
    await page.screenshot({ path: join(OUT, `reports-${screen}-${size.width}.png`) });
    for (const v of await axe(page)) {
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${screen} ${size.width}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(' ')}`);
    }
    for (const p of await textProblems(page, true)) problems.push(`${screen} ${size.width}: ${p}`);
  }
  await page.setViewportSize(SIZES[0]);
  return problems;
}
