// An Owner creates an application (client id and secret shown once) and grants it to a
// Developer, who copies the client id, adds two return URLs, sees a refused javascript: URL
// with its reason, registers Google, and rotates the secret.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmEmail, hydrated, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

async function signUp(page, name, email, next = '') {
  await page.goto(`${live.server.base}/signup${next}`);
  await hydrated(page);
  await page.fill('#field-name', name);
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
}

test('set up an application: client id, return URLs, secret rotation', async () => {
  const owner = await (await live.browser.newContext()).newPage();
  const dev = await (await live.browser.newContext()).newPage();
  const devEmail = `dev-${Date.now()}@example.com`;

  const ownerEmail = `owner-${Date.now()}@example.com`;
  await signUp(owner, 'Olivia Owner', ownerEmail);
  await owner.waitForURL(`${live.server.base}/applications`);
  await confirmEmail(owner, live.server.base, ownerEmail);
  await hydrated(owner);
  await owner.fill('input[name=name]', 'Mail sync');
  await owner.click('button:has-text("Create application")');
  const secret = await (await owner.waitForSelector('.new-secret')).inputValue();
  const clientId = await owner.inputValue('.new-client-id');
  assert.match(secret, /^lg_secret_/);
  assert.match(clientId, /^lg_app_/);

  // The Owner invites the Developer and grants the application.
  await owner.click('nav >> text=Team');
  await owner.waitForSelector('table.members');
  await owner.fill('input[name=email]', devEmail);
  await owner.click('button:has-text("Create invite link")');
  const link = await (await owner.waitForSelector('.invite-link')).inputValue();
  // A copied link is accepted only from a confirmed address (the mailed one proves it).
  await signUp(dev, 'Dana Dev', devEmail, `?next=${new URL(link).pathname}`);
  await dev.waitForURL(link);
  await confirmEmail(dev, live.server.base, devEmail);
  await dev.goto(link);
  await dev.click('button:has-text("Join Olivia Owner")');
  await dev.waitForURL(`${live.server.base}/applications`);
  await owner.reload();
  await hydrated(owner);
  const row = `tr[data-email="${devEmail}"]`;
  await owner.click(`${row} button.chip:has-text("Mail sync")`);
  await owner.waitForSelector(`${row} button.chip.on`);

  // The Developer opens the application and copies its client id.
  await dev.reload();
  await hydrated(dev);
  await dev.click('.app-card a:has-text("Mail sync")');
  await dev.waitForSelector('.client-id');
  assert.equal(await dev.inputValue('.client-id'), clientId);
  assert.equal(await dev.$('text=Delete application'), null, 'Developers cannot delete');

  // A Google registration: the redirect URI to paste at Google, the secret written once.
  assert.equal(await dev.inputValue('.redirect-uri'), `${live.server.base}/v1/auth/callback`);
  assert.match(await dev.textContent('tr[data-service="Sandbox"]'), /Built in, no registration needed/);
  await dev.click('.service-tabs a:has-text("Google")');
  await dev.waitForSelector('form.registration-form[data-service="Google"]');
  assert.equal(await dev.$('#reg-tenant'), null, 'no Office 365 option on the Google form');
  await dev.fill('#reg-client-id', '1234.apps.googleusercontent.com');
  await dev.fill('#reg-secret', 'GOCSPX-browser-test-secret');
  await dev.fill('#reg-scopes', 'Mail.Read Calendar.Read');
  await dev.click('button:has-text("Save Google registration")');
  await dev.waitForSelector('tr[data-service="Google"]');
  assert.match(await dev.textContent('tr[data-service="Google"]'), /saved/);
  assert.equal((await dev.content()).includes('GOCSPX-browser-test-secret'), false, 'the provider secret is not shown again');
  // After saving, the form shows what is saved: the client id, never the secret.
  await dev.waitForFunction(() => document.querySelector('#reg-secret')?.value === '');
  assert.equal(await dev.inputValue('#reg-client-id'), '1234.apps.googleusercontent.com');
  // Another service starts from its own (empty) registration, with its own options only.
  await dev.click('.service-tabs a:has-text("Zoho")');
  await dev.waitForSelector('form.registration-form[data-service="Zoho"]');
  assert.equal(await dev.inputValue('#reg-client-id'), '');
  assert.equal(await dev.inputValue('#reg-scopes'), '');
  assert.ok(await dev.isVisible('#reg-dc'), 'Zoho asks for its data center');
  assert.equal(await dev.$('#reg-daemon'), null);
  // A refused save says why under the registration form, not under the password services.
  await dev.fill('#reg-client-id', 'zoho-client');
  await dev.fill('#reg-dc', 'not a data center');
  await dev.click('button:has-text("Save Zoho registration")');
  await dev.waitForSelector('form.registration-form + .form-error');
  assert.equal(await dev.$('.trust-form + .form-error'), null);
  // Back to Google: its saved values are loaded.
  await dev.click('.service-tabs a:has-text("Google")');
  await dev.waitForSelector('form.registration-form[data-service="Google"]');
  assert.equal(await dev.inputValue('#reg-client-id'), '1234.apps.googleusercontent.com');
  assert.equal(await dev.inputValue('#reg-scopes'), 'Mail.Read Calendar.Read');

  for (const url of ['https://app.example.com/callback', 'http://localhost:8080/cb']) {
    await dev.fill('input[name=url]', url);
    await dev.click('button:has-text("Add return URL")');
    await dev.waitForSelector(`code.return-url:has-text("${url}")`);
  }
  await dev.fill('input[name=url]', 'javascript:alert(1)');
  await dev.click('button:has-text("Add return URL")');
  await dev.waitForSelector('.form-error');
  assert.match(await dev.textContent('.form-error'), /Only https URLs are allowed/);
  assert.equal((await dev.$$('code.return-url')).length, 2, 'the refused URL was not saved');

  // Rotation: a new secret is shown once, both are listed, the old one with an expiry.
  await dev.click('button:has-text("Create new secret")');
  const rotated = await (await dev.waitForSelector('.new-secret')).inputValue();
  assert.match(rotated, /^lg_secret_/);
  assert.notEqual(rotated, secret);
  await dev.waitForFunction(() => document.querySelectorAll('table.secrets tbody tr').length === 2);
  assert.equal(await dev.locator('body').textContent().then((t) => t.includes(secret)), false, 'old secret never shown');

  // A secret asked for before the wasm takes over (a plain form post) is still shown, on
  // this application's page, once. (Two secrets are live now, so the signing secret.)
  await Promise.all([
    dev.waitForNavigation(),
    dev.evaluate(() => document.querySelector('form:has(button.reveal-signing-secret)').submit()),
  ]);
  await hydrated(dev);
  assert.match(await dev.inputValue('.signing-secret'), /^whsec_/);
  await dev.click('.page-head a:has-text("Applications")');
  await dev.click('.app-card a:has-text("Mail sync")');
  await dev.waitForSelector('.client-id');
  assert.equal(await dev.$('.signing-secret'), null, 'shown once');
});
