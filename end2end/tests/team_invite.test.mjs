// The Owner invites a Developer by mail; the Developer joins through the mailed link (which
// also confirms their address) and sees only the application granted to them; the Owner
// removes them and their next click is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmEmail, hydrated, openMailedLink, serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

async function signUp(page, name, email) {
  await page.goto(`${live.server.base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', name);
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${live.server.base}/applications`);
}

test('invite, join, see only the granted app, get removed', async () => {
  const owner = await (await live.browser.newContext()).newPage();
  const dev = await (await live.browser.newContext()).newPage();
  const devEmail = `dev-${Date.now()}@example.com`;

  // The Owner makes two applications.
  const ownerEmail = `owner-${Date.now()}@example.com`;
  await signUp(owner, 'Olivia Owner', ownerEmail);
  await confirmEmail(owner, live.server.base, ownerEmail);
  await hydrated(owner);
  for (const name of ['Alpha', 'Beta']) {
    await owner.fill('input[name=name]', name);
    await owner.click('button:has-text("Create application")');
    await owner.waitForSelector(`.app-card:has-text("${name}")`);
  }

  // The Owner invites the Developer and copies the link.
  await owner.click('nav >> text=Team');
  await owner.waitForSelector('table.members');
  await owner.fill('input[name=email]', devEmail);
  await owner.selectOption('select[aria-label=Role]', 'Developer');
  await owner.click('button:has-text("Create invite link")');
  const link = await (await owner.waitForSelector('.invite-link')).inputValue();
  assert.match(link, new RegExp(`^${live.server.base}/invite/lg_invite_`));
  await owner.waitForSelector(`table.invites >> text=${devEmail}`);

  // The invite is mailed too, with a link of its own; the Developer follows the mailed one,
  // creates an account and joins.
  const mailed = await openMailedLink(dev, live.server.base, devEmail, '/invite/');
  assert.notEqual(mailed, link, 'the mailed link is not the one shown to the Owner');
  await dev.waitForSelector('.invite-team');
  assert.equal(await dev.textContent('.invite-team'), 'Olivia Owner');
  await dev.click('a:has-text("Create an account")');
  await dev.waitForURL(/\/signup\?next=/);
  await hydrated(dev);
  assert.equal(await dev.inputValue('#field-email'), devEmail, 'the invited email is filled in');
  await dev.fill('#field-name', 'Dana Dev');
  await dev.fill('#field-password', 'correct horse battery');
  await dev.click('button[type=submit]');
  await dev.waitForURL(mailed);
  await dev.click('button:has-text("Join Olivia Owner")');
  await dev.waitForURL(`${live.server.base}/applications`);
  assert.equal(await dev.locator('.verify-email').count(), 0, 'joining from the mailed invite confirmed the address');
  assert.match(await dev.textContent('.team-switcher summary'), /Olivia Owner/);
  await dev.waitForSelector('.empty-state');

  // The Owner grants Alpha only.
  await owner.reload();
  await hydrated(owner);
  const row = `tr[data-email="${devEmail}"]`;
  await owner.click(`${row} button.chip:has-text("Alpha")`);
  await owner.waitForSelector(`${row} button.chip.on:has-text("Alpha")`);

  await dev.reload();
  await hydrated(dev);
  await dev.waitForSelector('.app-card');
  const apps = await dev.$$eval('.app-card', (cards) => cards.map((c) => c.textContent.trim()));
  assert.deepEqual(apps, ['Alpha']);

  // The Owner removes the Developer; the Developer's very next click is refused.
  await owner.click(`${row} summary:has-text("Remove")`);
  assert.match(await owner.textContent(`${row} details:has(summary:has-text("Remove")) .confirm-panel`), /Remove .+@.+ from the team\?/);
  await owner.click(`${row} button:has-text("Yes, remove")`);
  await owner.waitForSelector(row, { state: 'detached' });
  // (Every click is a page load: the server draws the page for the team she still has.)
  await dev.click('nav >> text=Team');
  await dev.waitForSelector('.team-lost');
  assert.match(await dev.textContent('.team-lost'), /no longer have access .* This is Dana Dev/);
  assert.equal(await dev.textContent('.team-name'), 'Dana Dev');
  assert.doesNotMatch(await dev.textContent('table.members'), /Olivia/);
  // Said once: the next page is just her own team's.
  await dev.reload();
  assert.equal(await dev.$('.team-lost'), null);
});
