// A new developer's way to a first connected account: the checklist on a new team's
// Applications page, then Try with Sandbox on the app page, a whole hosted flow that comes
// back to the dashboard with the connected account and the next call to make.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, hydrated, scrollsSideways, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

test('from a new team to a connected account without a sample app', async () => {
  const base = live.server.base;
  const { page, call, teamId } = await signUpDeveloper(live, 'Finn First');
  await hydrated(page);
  const steps = () => page.locator('.first-steps li').evaluateAll((lis) => lis.map((li) => li.classList.contains('done')));
  assert.deepEqual(await steps(), [false, false, false], 'nothing done yet');
  assert.equal(await page.getAttribute('.first-steps li >> nth=0 >> a', 'href'), '#create-app');

  await page.fill('input[name=name]', 'First app');
  await page.click('button:has-text("Create application")');
  await page.waitForSelector('.new-secret');
  await page.waitForFunction(() => document.querySelector('.first-steps li')?.classList.contains('done'));
  assert.deepEqual(await steps(), [true, false, false]);

  // The app page: sections one click away, the real client id in the snippet.
  await page.click('.first-steps li >> nth=1 >> a');
  await page.waitForSelector('#try');
  await hydrated(page);
  const appId = new URL(page.url()).pathname.split('/').pop();
  const clientId = await page.inputValue('.client-id');
  assert.ok((await page.inputValue('.authorize-link')).includes(`clientId=${clientId}`));
  assert.ok((await page.inputValue('.exchange-command')).includes(`-u '${clientId}:`));
  assert.deepEqual(
    await page.locator('.section-nav a').allTextContents(),
    ['Client id', 'Try it', 'Secrets', 'Providers', 'Return URLs', 'Logo', 'Trusted domains', 'Webhooks', 'Settings'],
  );

  // Try with Sandbox: consent at the Sandbox, back on the dashboard with the account.
  await page.click('a.try-sandbox');
  await page.waitForSelector('text=Sandbox sign-in');
  assert.deepEqual(await axeViolations(page), [], 'axe on the Sandbox consent page');
  await page.fill('#email', 'finn.tries@example.com');
  await page.click('button[value=approve]');
  await page.waitForURL(/\/applications\/[^/]+\/try\?/);
  await hydrated(page);
  assert.equal(await page.textContent('.tried-email'), 'finn.tries@example.com');
  assert.match(await page.inputValue('.exchange-command'), /\/v1\/auth\/token\/\S+$/);
  assert.equal(await scrollsSideways(page), false);
  assert.deepEqual(await axeViolations(page), [], 'axe on the try page');
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await scrollsSideways(page), false, '390: the try page');
  assert.deepEqual(await axeViolations(page), [], '390: axe on the try page');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.click('a:has-text("Open the account")');
  await page.waitForURL(/\/accounts\/\d+$/);
  assert.match(await page.textContent('h1'), /finn\.tries@example\.com/);

  // A return URL makes the checklist complete, and it goes away.
  await call('apps/return_urls/add', { team_id: teamId, app_id: appId, url: 'https://first.example.com/back' });
  await page.goto(`${base}/applications`);
  await hydrated(page);
  assert.equal(await page.$('.first-steps'), null, 'done: no checklist');

  // A bad authorize link opened in a browser is a page that says what is wrong, and passes axe.
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width, height });
    const r = await page.goto(`${base}/v1/auth/authorize?clientId=lg_app_nope&serviceType=Sandbox&returnUrl=https://x.example/cb`);
    assert.equal(r.status(), 400);
    assert.match(await page.textContent('body'), /clientId/);
    assert.equal(await scrollsSideways(page), false, `${width}: the error page`);
    assert.deepEqual(await axeViolations(page), [], `${width}: axe on the error page`);
  }
});

