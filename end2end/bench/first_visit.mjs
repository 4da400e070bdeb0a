// The benchmark's first dashboard visit (docs/performance.md): a signed-in owner opens a
// dashboard page in a fresh Chromium profile (empty cache) over DevTools' "Slow 4G" with
// the CPU slowed 4x, and again with the cache the first visit filled. Prints one line:
// FIRST_VISIT {"bytes":..,"hydratedMs":..,"repeatBytes":..,"repeatHydratedMs":..}
// Usage: node first_visit.mjs <page URL> <session cookie "name=value">
import { chromium } from 'playwright-core';

// DevTools' Slow 4G preset: 562.5 ms round trip, 1.6 Mbit/s down and 750 kbit/s up, each
// at 90% (Chromium's front_end/core/sdk/NetworkManager.ts).
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};
const CPU_SLOWDOWN = 4;

const [url, cookie] = process.argv.slice(2);
if (!url || !cookie) {
  console.error('usage: first_visit.mjs <page URL> <session cookie name=value>');
  process.exit(2);
}
const [name, ...rest] = cookie.split('=');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const context = await browser.newContext();
  await context.addCookies([{ name, value: rest.join('='), url }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
  });

  // Until the page's buttons work: the app marks the body once hydrated.
  const visit = async () => {
    bytes = 0;
    const start = performance.now();
    await page.goto(url, { waitUntil: 'commit', timeout: 120000 });
    await page.waitForSelector('body[data-hydrated="true"]', { timeout: 120000 });
    const ms = performance.now() - start;
    // Whatever was still arriving when the page came alive counts toward the visit's bytes.
    await page.waitForLoadState('networkidle', { timeout: 120000 });
    return { ms, bytes };
  };
  const first = await visit();
  if (!(await page.title()) || page.url().includes('/signin')) {
    throw new Error(`the visit did not stay signed in (${page.url()})`);
  }
  const repeat = await visit();
  console.log(
    'FIRST_VISIT ' +
      JSON.stringify({
        bytes: first.bytes,
        hydratedMs: Math.round(first.ms),
        repeatBytes: repeat.bytes,
        repeatHydratedMs: Math.round(repeat.ms),
      }),
  );
} finally {
  await browser.close();
}
