// Two-factor sign-in as a developer meets it: set it up in Settings by scanning (here: reading)
// the key, keep the recovery codes, sign out, sign in with a code from the app, then with a
// recovery code. The codes are computed here from the key (RFC 6238, HMAC-SHA-1), apart from
// Linkgate's own implementation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { axeViolations, confirmEmail, hydrated, scrollsSideways, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(key, unixSeconds) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

async function signInWith(page, base, email, second) {
  await page.goto(`${base}/signin`);
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/signin/two-factor`);
  await page.fill('#field-code', second);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL(`${base}/applications`);
}

test('turn on two-factor sign-in, then sign in with a code and with a recovery code', async () => {
  const base = live.server.base;
  const page = await (await live.browser.newContext()).newPage();
  const email = `otto-${Date.now()}@example.com`;
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', 'Otto Twofactor');
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/applications`);
  await confirmEmail(page, base, email);

  await page.goto(`${base}/settings`);
  await page.click('button:has-text("Set up two-factor sign-in")');
  await page.waitForSelector('.qr svg');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axeViolations(page), [], `settings with the QR code at ${width} px`);
    assert.equal(await scrollsSideways(page), false, `settings scroll sideways at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const key = (await page.textContent('.totp-secret')).trim();
  await page.fill('form:has(input[name=code]) input[name=code]', totp(key, Date.now() / 1000));
  await page.fill('form:has(input[name=code]) input[name=password]', 'correct horse battery');
  await page.click('button:has-text("Turn on")');
  const codes = (await (await page.waitForSelector('.recovery-codes')).inputValue()).split(' ');
  assert.equal(codes.length, 10);
  await page.reload();
  assert.equal(await page.locator('.recovery-codes').count(), 0, 'the codes are shown once');
  assert.match(await page.textContent('#two-factor'), /On: signing in asks for a code/);

  // Sign out; the password alone is not enough any more. The next step's code (the current
  // one was spent turning it on).
  await page.click('.user-menu-button');
  await page.click('button:has-text("Sign out")');
  await page.waitForURL(`${base}/signin`);
  await signInWith(page, base, email, totp(key, Date.now() / 1000 + 30));

  // A wrong code says so; a recovery code works.
  const other = await (await live.browser.newContext()).newPage();
  await other.goto(`${base}/signin`);
  await other.fill('#field-email', email);
  await other.fill('#field-password', 'correct horse battery');
  await other.click('button[type=submit]');
  await other.waitForURL(`${base}/signin/two-factor`);
  for (const width of [1280, 390]) {
    await other.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axeViolations(other), [], `the code step at ${width} px`);
  }
  await other.fill('#field-code', '000000');
  await other.click('button:has-text("Sign in")');
  await other.waitForSelector('text=That code is not right');
  await other.fill('#field-code', codes[0]);
  await other.click('button:has-text("Sign in")');
  await other.waitForURL(`${base}/applications`);
});
