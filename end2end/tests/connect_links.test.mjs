// Connect links in headless Chromium: the developer makes one on the accounts page, an end
// user opens it (on a phone-sized screen), picks the Sandbox, consents, and lands on the
// app's return URL with a code; a password service from the picker opens the hosted form;
// used and expired links show a clear page. The picker works without the wasm (it has none)
// and is axe-clean at 1280 and 390 px.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { axeViolations, freePort, hydrated, scrollsSideways, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });
// A 1×1 PNG, the app's logo.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
let returnServer;
after(() => returnServer?.close());

/// The app's return URL: a page that shows what it received.
async function startReturnUrl() {
  const port = await freePort();
  returnServer = createServer((req, res) => {
    const q = new URL(req.url, 'http://x').searchParams;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Back at the app</title><main><h1>Back at the app</h1><p id="status">${q.get('status')}</p><p id="code">${q.get('code') ? 'has a code' : 'no code'}</p></main>`);
  });
  await new Promise((ok) => returnServer.listen(port, '127.0.0.1', ok));
  return `http://127.0.0.1:${port}/done`;
}

test('a connect link: picker, Sandbox consent, back with a code; used and expired links say so', async () => {
  const base = live.server.base;
  const dev = await signUpDeveloper(live, 'Picker App');
  const { teamId } = dev;
  const app = await dev.call('team/apps/create', { team_id: teamId, name: 'Picker App' });
  const returnUrl = await startReturnUrl();
  await dev.call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: returnUrl });
  await dev.call('apps/registrations/enable', { team_id: teamId, app_id: app.id, service_type: 'IMAP', trust_server: 'true', allowed_servers: '' });

  // The developer uploads the app's logo on its page (a plain form), then makes a link for a
  // test on the accounts page.
  await dev.page.setViewportSize({ width: 1280, height: 900 });
  await dev.page.goto(`${base}/applications/${app.id}`);
  await dev.page.setInputFiles('#logo-file', { name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await dev.page.click('button:has-text("Upload logo")');
  await dev.page.waitForURL(/logo=saved/);
  assert.match(await dev.page.textContent('#logo [role=status]'), /Logo saved/);
  assert.equal(await dev.page.evaluate(() => document.querySelector('.app-logo-preview').naturalWidth), 1);
  await dev.page.goto(`${base}/applications/${app.id}/accounts`);
  await hydrated(dev.page);
  await dev.page.click('button:has-text("Create a connect link")');
  const shown = dev.page.locator('.connect-link');
  await shown.waitFor();
  const link = (await shown.inputValue()).trim();
  assert.match(link, new RegExp(`^${base}/v1/auth/connect/lgc_`));

  // The end user, on a phone: the picker names the app and lists what it offers.
  const phone = await (await live.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await phone.goto(link);
  assert.equal(await phone.textContent('h1'), 'Connect your account to Picker App');
  assert.equal(await phone.evaluate(() => document.querySelector('img.app-logo').naturalWidth), 1, 'the logo shows');
  const services = await phone.locator('button.service .service-name').allTextContents();
  assert.deepEqual(services, ['Other mail (IMAP)', 'Sandbox (test provider)']);
  assert.deepEqual(await axeViolations(phone), []);
  assert.equal(await scrollsSideways(phone), false, 'no sideways scrolling at 390 px');
  // Keyboard: the first service is reachable with Tab and named by its text.
  await phone.keyboard.press('Tab');
  assert.match(await phone.evaluate(() => document.activeElement.querySelector('.service-name')?.textContent), /IMAP/);

  await phone.click('button.service:has-text("Sandbox")');
  await phone.waitForURL(`${base}/sandbox/authorize**`);
  await phone.fill('#email', 'ada@example.com');
  await phone.click('button:has-text("Allow")');
  await phone.waitForURL(`${returnUrl}**`);
  assert.equal(await phone.textContent('#status'), 'success');
  assert.equal(await phone.textContent('#code'), 'has a code');

  // Used: opening it again says so in plain words.
  const again = await phone.goto(link);
  assert.equal(again.status(), 410);
  assert.equal(await phone.textContent('h1'), 'Link already used');
  assert.deepEqual(await axeViolations(phone), []);

  // A password service from the picker: the hosted form, at 1280 px.
  const basic = 'Basic ' + Buffer.from(`${app.client_id}:${app.secret}`).toString('base64');
  const make = async (body) => {
    const r = await fetch(`${base}/v1/connect/sessions`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 201);
    return (await r.json()).url;
  };
  const desk = await (await live.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await desk.goto(await make({ returnUrl, services: ['IMAP'] }));
  assert.deepEqual(await axeViolations(desk), []);
  await desk.click('button.service:has-text("IMAP")');
  await desk.waitForURL(`${base}/v1/auth/password**`);
  assert.ok(await desk.locator('input[type=password]').count(), 'the hosted password form');

  // Expired: the link's time is up before it is opened.
  const expired = await make({ returnUrl, expiresIn: 60 });
  execFileSync('python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("UPDATE connect_sessions SET expires_at = 1 WHERE opened_by IS NULL AND used_at IS NULL"); c.commit()`, live.server.database]);
  const page = await desk.goto(expired);
  assert.equal(page.status(), 410);
  assert.equal(await desk.textContent('h1'), 'Link expired');
  assert.match(await desk.textContent('[role=alert]'), /expired\. Ask the application for a new one/);
});
