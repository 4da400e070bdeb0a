// The user-session flow in headless Chromium through the sample app: sign in with a
// primary account (session cookie), add a secondary account by cookie and another by a
// server-side signature, read them through the user API from the app's page (CORS, trusted
// domain), then delete the primary (logs out); sign in again and log out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });
const children = [];
after(() => children.forEach((c) => c.kill('SIGTERM')));

async function startSampleApp(env) {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '..', 'sample_app.mjs')], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise((ok, fail) => {
    child.stdout.on('data', (d) => { if (/sample app at/.test(String(d))) ok(); });
    child.on('exit', (code) => fail(new Error(`sample app exited with ${code}`)));
  });
}

async function consent(page, email) {
  await page.waitForURL(`${live.server.base}/sandbox/authorize**`);
  await page.fill('#email', email);
  await page.click('button:has-text("Allow")');
}

test('end users: primary by cookie, secondaries by cookie and signature, logout', async () => {
  const base = live.server.base;
  const { call, teamId } = await signUpDeveloper(live, 'Uma Users');
  const app = await call('team/apps/create', { team_id: teamId, name: 'Users App' });
  const port = await freePort();
  await call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: `http://127.0.0.1:${port}/users/done` });
  await call('apps/trusted_domains/add', { team_id: teamId, app_id: app.id, domain: '127.0.0.1' });
  await startSampleApp({ LINKGATE_URL: base, CLIENT_ID: app.client_id, CLIENT_SECRET: app.secret, PORT: String(port) });

  const user = await (await live.browser.newContext()).newPage();
  const done = `http://127.0.0.1:${port}/users/done**`;
  const accounts = async () => {
    await user.waitForSelector('body[data-loaded="true"]');
    return user.$$eval('#accounts li', (lis) => lis.map((li) => `${li.dataset.type}:${li.textContent}`));
  };
  await user.goto(`http://127.0.0.1:${port}/users`);
  await user.click('#sign-in');
  await consent(user, 'ada@example.com');
  await user.waitForURL(done);
  assert.equal(await user.textContent('#status'), 'success');
  assert.deepEqual(await accounts(), ['primary:ada@example.com']);

  await user.click('#add-cookie');
  await consent(user, 'ada.work@example.com');
  await user.waitForURL(done);
  assert.deepEqual(await accounts(), ['primary:ada@example.com', 'secondary:ada.work@example.com']);

  await user.click('#add-signed');
  await consent(user, 'ada.home@example.com');
  await user.waitForURL(done);
  assert.deepEqual(await accounts(), ['primary:ada@example.com', 'secondary:ada.work@example.com', 'secondary:ada.home@example.com']);

  // Deleting the primary account logs the user out.
  await user.click('#delete-primary');
  await user.waitForFunction(() => document.getElementById('user').textContent.startsWith('signed out'));
  assert.match(await user.textContent('#user'), /signed out \(401\)/);

  // Sign in again, then log out.
  await user.goto(`http://127.0.0.1:${port}/users`);
  await user.click('#sign-in');
  await consent(user, 'ada@example.com');
  await user.waitForURL(done);
  assert.equal((await accounts()).length >= 1, true);
  await user.click('#logout');
  await user.waitForFunction(() => document.getElementById('user').textContent.startsWith('signed out'));
});
