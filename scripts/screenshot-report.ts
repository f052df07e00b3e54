/**
 * Captures a cost report as the PNG the README shows (docs/cost-report.png), in headless Chromium (Debian's `chromium`, or
 * CHROMIUM_PATH), driven by playwright-core; nothing is downloaded.
 *
 *   npm start && npx tsx scripts/screenshot-report.ts demo-warehouse/cost-report.html docs/cost-report.png
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchSystemChromium } from '../test/support/system-chromium';

async function main([report = 'demo-warehouse/cost-report.html', image = 'docs/cost-report.png']: string[]): Promise<void> {
  const browser = await launchSystemChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1060, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(resolve(report)).href);
    await page.screenshot({ path: image, fullPage: true });
    console.log(`${image} ← ${report}`);
  } finally {
    await browser.close();
  }
}

void main(process.argv.slice(2));
