// Mailed links, as a developer on a fresh machine meets them (no SMTP: the development
// mailbox lists the mail): sign up → confirmation mail → confirmed; forgotten password →
// mail → new password → every old session is gone. Each page at 1280 and 390 px, axe-clean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, hydrated, openMailedLink, scrollsSideways, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

async function looksRight(page, what) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axeViolations(page), [], `${what} at ${width} px`);
    assert.equal(await scrollsSideways(page), false, `${what} scrolls sideways at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function signUp(page, name, email) {
  await page.goto(`${live.server.base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', name);
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
}

test('sign up, read the confirmation mail, confirm the address', async () => {
  const base = live.server.base;
  const page = await (await live.browser.newContext()).newPage();
  const email = `cleo-${Date.now()}@example.com`;
  await signUp(page, 'Cleo Confirm', email);

  // The dashboard says what is held back and how to get a new link.
  const banner = await page.textContent('.verify-email');
  assert.match(banner, new RegExp(`we mailed a link to ${email}`));
  assert.match(banner, /cannot create applications/);
  await looksRight(page, 'the dashboard with the banner');
  await page.fill('input[name=name]', 'Too soon');
  await page.click('button:has-text("Create application")');
  await page.waitForSelector('text=Confirm your email address first');

  // A new link on request; the development mailbox lists both mails, newest first.
  await page.click('button:has-text("Send the link again")');
  await page.waitForSelector('.verify-email >> text=A new link is on its way');
  await page.click('.verify-email a:has-text("Open the development mailbox")');
  await page.waitForURL(`${base}/dev/mail`);
  await page.waitForSelector('li.mail');
  assert.ok(await page.locator('li.mail', { hasText: email }).count() >= 1);
  await looksRight(page, 'the development mailbox');

  await openMailedLink(page, base, email, '/verify-email/');
  assert.match(await page.textContent('main'), new RegExp(`Confirm that ${email} is your address`));
  await looksRight(page, 'the confirmation page');
  await page.click('button:has-text("Confirm my email address")');
  await page.waitForURL(`${base}/applications`);
  assert.equal(await page.locator('.verify-email').count(), 0, 'the banner is gone');
  await hydrated(page);
  await page.fill('input[name=name]', 'Now it works');
  await page.click('button:has-text("Create application")');
  await page.waitForSelector('.new-secret');
});

test('forgot the password: mail, new password, every old session signed out', async () => {
  const base = live.server.base;
  const laptop = await (await live.browser.newContext()).newPage();
  const email = `pia-${Date.now()}@example.com`;
  await signUp(laptop, 'Pia Password', email);
  // A second session of the same person, on another device.
  const phone = await (await live.browser.newContext()).newPage();
  await phone.goto(`${base}/signin`);
  await phone.fill('#field-email', email);
  await phone.fill('#field-password', 'correct horse battery');
  await phone.click('button[type=submit]');
  await phone.waitForURL(`${base}/applications`);

  // Signed out somewhere else, she asks for a link from the sign-in page.
  const page = await (await live.browser.newContext()).newPage();
  await page.goto(`${base}/signin`);
  await page.click('a:has-text("Forgot your password?")');
  await page.waitForURL(`${base}/forgot-password`);
  await looksRight(page, 'the forgotten-password form');
  await page.fill('#field-email', email);
  await page.click('button:has-text("Mail me a link")');
  await page.waitForSelector(`text=If an account uses ${email}`);
  await looksRight(page, 'the link-sent answer');

  await openMailedLink(page, base, email, '/reset-password/');
  assert.match(await page.textContent('main'), new RegExp(`For ${email}`));
  await looksRight(page, 'the new-password form');
  await page.fill('#field-password', 'short');
  await page.click('button:has-text("Save the new password")');
  await page.waitForSelector('.field-error, .form-error');
  await page.fill('#field-password', 'a brand new passphrase');
  await page.click('button:has-text("Save the new password")');
  await page.waitForURL(`${base}/signin?notice=password-reset`);
  assert.match(await page.textContent('[role=status]'), /every session was signed out/);

  // The old sessions are gone: their next click lands on sign-in.
  for (const old of [laptop, phone]) {
    await old.reload();
    await old.waitForURL(`${base}/signin`);
  }
  // The old password no longer works; the new one does.
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForSelector('text=The email or password is not correct');
  await page.fill('#field-password', 'a brand new passphrase');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/applications`);

  // The link worked once.
  const used = await openMailedLink(page, base, email, '/reset-password/');
  assert.ok(used);
  await page.waitForSelector('text=This link has already been used');
});
