// The sign-up → dashboard → sign-out → sign-in journey in headless Chromium, with the wasm
// (hydrated) and without JavaScript (plain form posts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hydrated, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

test('sign up, reload hydrated, sign out, sign in with a wrong then the right password', async () => {
  const context = await live.browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const email = `ada-${Date.now()}@example.com`;

  await page.goto(`${live.server.base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', 'Ada Lovelace');
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
  assert.equal(await page.textContent('.team-name'), 'Ada Lovelace');
  assert.equal(await page.textContent('.user-name'), 'Ada Lovelace');
  assert.equal(await page.textContent('h1'), 'Applications');

  // Still signed in after a reload, and the page comes alive: the menu opens client-side.
  await page.reload();
  await hydrated(page);
  assert.equal(new URL(page.url()).pathname, '/applications');
  assert.equal(await page.isVisible('.user-menu-panel'), false);
  await page.click('.user-menu-button');
  assert.equal(await page.getAttribute('.user-menu-button', 'aria-expanded'), 'true');
  assert.equal(await page.isVisible('.user-menu-panel'), true);
  assert.match(await page.textContent('.user-menu-identity'), /Owner/);

  // Client-side navigation keeps the shell and changes the page.
  await page.click('nav >> text=Team');
  await page.waitForURL(`${live.server.base}/team`);
  await page.waitForSelector('table.members');
  assert.equal(await page.title(), 'Team · Linkgate');
  assert.match(await page.textContent('table.members'), new RegExp(email));

  await page.click('.user-menu-button');
  await page.click('.menu-signout');
  await page.waitForURL(`${live.server.base}/signin`);

  await hydrated(page);
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'not my password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.form-error');
  assert.equal(await page.textContent('.form-error'), 'The email or password is not correct.');
  assert.equal(await page.inputValue('#field-email'), email, 'the email is kept');
  assert.equal(await page.inputValue('#field-password'), '', 'the password is not');

  await hydrated(page);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
  assert.equal(await page.textContent('.user-name'), 'Ada Lovelace');
  assert.deepEqual(pageErrors, [], 'no errors in the page');
  await context.close();
});

test('forms work without JavaScript and show errors next to their fields', async () => {
  const context = await live.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${live.server.base}/signup`);
  await page.fill('#field-name', 'No Script');
  await page.fill('#field-email', 'not-an-email');
  await page.fill('#field-password', 'short');
  await page.click('button[type=submit]');
  await page.waitForSelector('#email-error');
  assert.equal(await page.textContent('#email-error'), 'Enter an email address like name@example.com.');
  assert.equal(await page.textContent('#password-error'), 'Use at least 10 characters for your password.');
  assert.equal(await page.inputValue('#field-name'), 'No Script');

  await page.fill('#field-email', `noscript-${Date.now()}@example.com`);
  await page.fill('#field-password', 'long enough password');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
  assert.equal(await page.textContent('.team-name'), 'No Script');
  await context.close();
});

test('the dashboard is readable on a phone', async () => {
  const context = await live.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${live.server.base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', 'Phone User');
  await page.fill('#field-email', `phone-${Date.now()}@example.com`);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
  // Nothing overflows sideways, and every nav entry is on screen or scrollable in its strip.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  const nav = await page.$eval('nav', (n) => getComputedStyle(n).flexDirection);
  assert.equal(nav, 'row', 'the side nav becomes a strip under the header');
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS}/phone.png` });
  await context.close();
});

test('the bundle arrives compressed under hashed names, and a second page takes it from the cache', async () => {
  const context = await live.browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = [];
  const fromCache = new Set();
  cdp.on('Network.requestServedFromCache', ({ requestId }) => fromCache.add(requestId));
  cdp.on('Network.responseReceived', ({ requestId, response }) => {
    const path = new URL(response.url).pathname;
    if (path.startsWith('/pkg/')) seen.push({ requestId, path, response });
  });
  await page.goto(`${live.server.base}/signin`);
  await hydrated(page);
  const first = seen.splice(0);
  assert.deepEqual(first.map((b) => b.path.split('.').pop()).sort(), ['css', 'js', 'wasm'], JSON.stringify(first.map((b) => b.path)));
  for (const { path, response } of first) {
    assert.match(path, /^\/pkg\/linkgate\.[0-9a-f]{20}\.(css|js|wasm)$/);
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(headers['content-encoding'], 'br', path);
    assert.equal(headers['cache-control'], 'public, max-age=31536000, immutable', path);
  }
  // Another page of the same site: the browser's cache answers, the server is not asked.
  await page.goto(`${live.server.base}/signup`);
  await hydrated(page);
  assert.ok(seen.length > 0, 'the second page uses the bundle too');
  for (const { requestId, path, response } of seen) {
    // The disk cache says so on the response; the memory cache by its own event.
    assert.ok(response.fromDiskCache || fromCache.has(requestId), `${path} came from the cache`);
  }
  await context.close();
});
