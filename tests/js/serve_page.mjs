// Drives the page of `zero_g serve` in headless Chromium (puppeteer-core, Debian's chromium):
// draws a 7 on the canvas, waits for the live prediction, presses "Prove", waits for the
// verdict, saves a screenshot, and prints one JSON line: the verdict, the predicted class and
// the class the verdict names.
//   usage: [SUBMIT=1] node tests/js/serve_page.mjs URL SCREENSHOT.png   (CHROMIUM: the browser)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [url, shot] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'zero_g-chromium-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage',
  ],
  protocolTimeout: 120000,
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 900, height: 1000 });
  page.on('console', (m) => console.error('page:', m.text()));
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(url, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  const box = await (await page.$('#canvas')).boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  // a 7: the top bar, then the stem down to the left
  const stroke = async (pts) => {
    await page.mouse.move(...at(...pts[0]));
    await page.mouse.down();
    for (const p of pts.slice(1)) await page.mouse.move(...at(...p), { steps: 12 });
    await page.mouse.up();
  };
  await stroke([[0.28, 0.25], [0.72, 0.25], [0.45, 0.8]]);
  await page.waitForFunction(() => document.getElementById('class').textContent !== '–', { timeout: 30000 });
  const predicted = await page.$eval('#class', (e) => e.textContent);
  // SUBMIT=1: also send the proof on chain (a server started with --rpc-url)
  const submit = process.env.SUBMIT === '1' && (await page.$eval('#submit-row', (e) => !e.hidden));
  if (submit) await page.click('#submit');
  await page.click('#prove');
  await page.waitForFunction(() => document.getElementById('verdict').textContent !== '', { timeout: 300000 });
  if (submit) await page.waitForFunction(() => document.getElementById('chain').textContent !== '', { timeout: 300000 });
  const chain = await page.$eval('#chain', (e) => e.textContent);
  const verdict = await page.$eval('#verdict', (e) => e.textContent);
  const status = await page.$eval('#status', (e) => e.textContent);
  await page.screenshot({ path: shot, fullPage: true });
  const m = /class (\S+?)[,( ]/.exec(verdict + ' ');
  console.log(JSON.stringify({ verdict, status, chain, predicted, verdict_class: m ? m[1] : null }));
} finally {
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
