// With JavaScript off (or a click before the wasm arrives), the dashboard still works: lists
// render with their data, forms post, and each show-once value is on the page the post
// returns to, with a Copy button that is visibly disabled because it needs the wasm.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmEmail, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

async function submit(page, form, button) {
  await Promise.all([page.waitForNavigation(), page.click(`${form} button:has-text("${button}")`)]);
}

test('create an app, a secret, an API key and an invite with JavaScript off', async () => {
  const base = live.server.base;
  const page = await (await live.browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto(`${base}/signup`);
  await page.fill('#field-name', 'Nora Noscript');
  const email = `nora-${Date.now()}@example.com`;
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await Promise.all([page.waitForURL(`${base}/applications`), page.click('button[type=submit]')]);
  // The mailed confirmation link works without scripts too (development mailbox, plain form).
  await confirmEmail(page, base, email);

  // A new application: the secret is on the page the form returns to.
  await page.fill('input[name=name]', 'Plain forms');
  await submit(page, 'form', 'Create application');
  assert.equal(new URL(page.url()).pathname, '/applications');
  const secret = await page.inputValue('.new-secret');
  const clientId = await page.inputValue('.new-client-id');
  assert.match(secret, /^lg_secret_/);
  assert.match(clientId, /^lg_app_/);
  assert.equal(await page.isDisabled('.secret-once .copy-button'), true, 'Copy needs the wasm');
  // The list is rendered by the server, with the new app in it.
  assert.match(await page.textContent('.app-list'), /Plain forms/);
  assert.doesNotMatch(await page.textContent('main'), /Loading/);

  // The value was shown once: a reload does not show it again.
  await page.reload();
  assert.equal(await page.$('.new-secret'), null);

  // The app page: a return URL refused with its reason, one accepted, a new secret.
  await page.click('.app-card a:has-text("Plain forms")');
  await page.waitForSelector('.client-id');
  assert.equal(await page.inputValue('.client-id'), clientId);
  await page.fill('input[name=url]', 'javascript:alert(1)');
  await submit(page, 'form:has(input[name=url])', 'Add return URL');
  assert.match(await page.textContent('main'), /https/);
  await page.fill('input[name=url]', 'https://plain.example.com/back');
  await submit(page, 'form:has(input[name=url])', 'Add return URL');
  assert.match(await page.textContent('.url-list'), /https:\/\/plain\.example\.com\/back/);
  await submit(page, 'form:has(select[name=old_valid_for_secs])', 'Create new secret');
  const rotated = await page.inputValue('.new-secret');
  assert.match(rotated, /^lg_secret_/);
  assert.notEqual(rotated, secret);

  // Removing asks first, naming the URL, with no script at all.
  await page.click('.url-list summary:has-text("Remove")');
  assert.match(await page.textContent('.url-list .confirm-panel'), /Remove https:\/\/plain\.example\.com\/back\?/);
  await submit(page, '.url-list', 'Yes, remove');
  assert.equal(await page.$('.url-list li'), null);

  // The team page: an API key and an invite link, each shown on the returned page.
  await page.goto(`${base}/team`);
  assert.doesNotMatch(await page.textContent('main'), /Loading/);
  await page.fill('input[placeholder="What uses this key"]', 'deploy script');
  await submit(page, 'form:has(input[placeholder="What uses this key"])', 'Create key');
  assert.match(await page.inputValue('.api-key-secret'), /^lg_key_/);
  assert.match(await page.textContent('table:has-text("deploy script")'), /Developer/);
  await page.fill('input[name=email]', 'sam@example.com');
  await submit(page, 'form:has(input[name=email])', 'Create invite link');
  assert.match(await page.inputValue('.invite-link'), new RegExp(`^${base}/invite/`));
  assert.match(await page.textContent('table.invites'), /sam@example\.com/);
});
