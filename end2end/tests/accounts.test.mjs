// The team's Accounts page and an account's page, as a developer uses them in Chromium:
// accounts connected through the Sandbox are listed across applications, searched, opened,
// checked with the provider, deleted; both pages read at 1280 and 390 px with no sideways
// scrolling and no serious axe-core violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { axeViolations, freePort, hydrated, scrollsSideways, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });
const cleanups = [];
after(() => cleanups.forEach((c) => c()));

/// An end user connects `email` through the Sandbox; returns when back at the app.
async function connect(base, app, returnUrl, email) {
  const user = await (await live.browser.newContext()).newPage();
  await user.goto(`${base}/v1/auth/authorize?clientId=${app.client_id}&serviceType=Sandbox&returnUrl=${encodeURIComponent(returnUrl)}`);
  await user.waitForURL(`${base}/sandbox/authorize**`);
  await user.fill('#email', email);
  await user.click('button:has-text("Allow")');
  await user.waitForURL(`${returnUrl}**`);
  assert.equal(new URL(user.url()).searchParams.get('status'), 'success');
  await user.context().close();
}

test('accounts across applications: search, open, check, delete; readable at 1280 and 390 px', async () => {
  const base = live.server.base;
  const port = await freePort();
  const back = createServer((_, res) => res.end('back at the app')).listen(port, '127.0.0.1');
  cleanups.push(() => back.close());
  const returnUrl = `http://127.0.0.1:${port}/done`;
  const dev = await signUpDeveloper(live, 'Avery Accounts');
  const { teamId, page } = dev;
  const crm = await dev.call('team/apps/create', { team_id: teamId, name: 'CRM Sync' });
  const desk = await dev.call('team/apps/create', { team_id: teamId, name: 'Help Desk' });
  for (const app of [crm, desk]) {
    await dev.call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: returnUrl });
  }
  await connect(base, crm, returnUrl, 'ada@example.com');
  await connect(base, desk, returnUrl, 'grace@example.com');

  // Both applications' accounts, newest first.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/accounts`);
  await hydrated(page);
  const emails = await page.locator('table.accounts tbody tr td:first-child').allTextContents();
  assert.deepEqual(emails, ['grace@example.com', 'ada@example.com']);
  assert.equal(await scrollsSideways(page), false, '1280: nothing scrolls sideways');
  assert.deepEqual(await axeViolations(page), [], '1280: axe on the accounts page');

  // Search by email, in any case; an empty result offers to clear the filters.
  await page.fill('input[name=email]', 'GRACE');
  await page.click('form.filters button:has-text("Filter")');
  await page.waitForURL(`${base}/accounts?email=GRACE**`);
  await page.waitForSelector('table.accounts');
  assert.deepEqual(await page.locator('table.accounts tbody tr td:first-child').allTextContents(), ['grace@example.com']);
  await page.goto(`${base}/accounts?email=nobody`);
  await page.waitForSelector('text=No accounts match');
  await page.click('.filters a:has-text("Clear filters")');
  await page.waitForSelector('table.accounts tbody tr >> nth=1');

  // Open one: its health, its history, and Check now.
  await page.click('table.accounts a:has-text("ada@example.com")');
  await page.waitForURL(`${base}/accounts/*`);
  await hydrated(page);
  assert.match(await page.textContent('h1'), /ada@example\.com/);
  assert.equal(await page.getAttribute('[data-status]', 'data-status'), 'active');
  assert.match(await page.textContent('table.events'), /account\.created/);
  await page.click('button:has-text("Check now")');
  await page.waitForSelector('.notice');
  assert.match(await page.textContent('.notice'), /accepted the token/);
  assert.equal(await scrollsSideways(page), false, '1280: the account page');
  assert.deepEqual(await axeViolations(page), [], '1280: axe on the account page');
  const accountUrl = page.url();

  // On a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const url of [`${base}/accounts`, accountUrl]) {
    await page.goto(url);
    await hydrated(page);
    assert.equal(await scrollsSideways(page), false, `390: ${url} does not scroll sideways`);
    assert.deepEqual(await axeViolations(page), [], `390: axe on ${url}`);
  }

  // Delete it from its page: back on the list, without it.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click('summary:has-text("Delete account")');
  assert.match(await page.textContent('.confirm-panel'), /Delete ada@example\.com\?/);
  await page.click('button:has-text("Yes, delete")');
  await page.waitForURL(`${base}/accounts`);
  await page.waitForSelector('table.accounts');
  assert.deepEqual(await page.locator('table.accounts tbody tr td:first-child').allTextContents(), ['grace@example.com']);
});
