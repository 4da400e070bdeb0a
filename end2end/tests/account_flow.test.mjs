// The account flow in headless Chromium, end to end: a sample app's "Connect" link →
// Linkgate's authorize → the provider's login and consent → Linkgate's callback → the
// sample app's return URL, which exchanges the code and reads GET /v1/account. Once against
// a real third-party OpenID provider (npm's oidc-provider, a custom provider of the app) and
// once against the built-in Sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, hydrated, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });
const children = [];
after(() => children.forEach((c) => c.kill('SIGTERM')));

/// Starts a node script and waits for the line it prints when ready.
async function startScript(script, env, readyPattern) {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '..', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise((ok, fail) => {
    let seen = '';
    child.stdout.on('data', (d) => {
      seen += d;
      if (readyPattern.test(seen)) ok();
    });
    child.on('exit', (code) => fail(new Error(`${script} exited with ${code}`)));
  });
  return child;
}


test('a real OpenID provider: login and consent there, account here', async () => {
  const base = live.server.base;
  const dev = await signUpDeveloper(live, 'Peer App');
  const { teamId } = dev;
  assert.ok(teamId, 'the dashboard names the current team');
  const app = await dev.call('team/apps/create', { team_id: teamId, name: 'Peer App' });
  const samplePort = await freePort();
  await dev.call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: `http://127.0.0.1:${samplePort}/done` });

  const peerPort = await freePort();
  const peerClient = { id: 'linkgate-e2e', secret: `peer-secret-${Date.now()}` };
  await startScript('peer/oidc_peer.mjs', {
    PORT: String(peerPort), CLIENT_ID: peerClient.id, CLIENT_SECRET: peerClient.secret,
    REDIRECT_URI: `${base}/v1/auth/callback`,
  }, /^ready /m);
  const peer = `http://127.0.0.1:${peerPort}`;
  await dev.call('apps/custom_providers/save', {
    team_id: teamId, app_id: app.id, name: 'oidc-peer',
    client_id: peerClient.id, client_secret: peerClient.secret,
    authorize_url: `${peer}/auth`, token_url: `${peer}/token`, userinfo_url: `${peer}/me`,
    pkce: 'on', native_scopes: 'openid email profile offline_access',
  });
  await startScript('sample_app.mjs', {
    LINKGATE_URL: base, CLIENT_ID: app.client_id, CLIENT_SECRET: app.secret,
    SERVICE_TYPE: 'oidc-peer', PORT: String(samplePort), SCOPES: '',
  }, /sample app at/);

  const user = await (await live.browser.newContext()).newPage();
  await user.goto(`http://127.0.0.1:${samplePort}/`);
  await user.click('#connect');
  await user.waitForURL(`${peer}/**`).catch(async (e) => { console.log("AT", user.url(), (await user.content()).slice(0, 600)); throw e; });
  await user.fill('input[name=login]', 'grace@example.com');
  await user.fill('input[name=password]', 'anything');
  await user.click('button[type=submit]');
  await user.click('button:has-text("Continue")');
  await user.waitForURL(`http://127.0.0.1:${samplePort}/done**`);
  assert.equal(await user.textContent('#email'), 'grace@example.com');
  assert.match(await user.textContent('#result'), /\(oidc-peer\)/);
});

test('the Sandbox: allow on its consent page, account here', async () => {
  const base = live.server.base;
  const dev = await signUpDeveloper(live, 'Sandbox App');
  const { teamId } = dev;
  const app = await dev.call('team/apps/create', { team_id: teamId, name: 'Sandbox App' });
  const samplePort = await freePort();
  await dev.call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: `http://127.0.0.1:${samplePort}/done` });
  await startScript('sample_app.mjs', {
    LINKGATE_URL: base, CLIENT_ID: app.client_id, CLIENT_SECRET: app.secret, PORT: String(samplePort),
  }, /sample app at/);

  const user = await (await live.browser.newContext()).newPage();
  await user.goto(`http://127.0.0.1:${samplePort}/`);
  await user.click('#connect');
  await user.waitForURL(`${base}/sandbox/authorize**`);
  assert.match(await user.textContent('main'), /Sandbox App/);
  await user.fill('#email', 'ada@example.com');
  await user.click('button:has-text("Allow")');
  await user.waitForURL(`http://127.0.0.1:${samplePort}/done**`);
  assert.equal(await user.textContent('#email'), 'ada@example.com');

  // Denying comes back as access_denied, and the app connects nothing.
  await user.goto(`http://127.0.0.1:${samplePort}/`);
  await user.click('#connect');
  await user.click('button:has-text("Deny")');
  await user.waitForURL(`http://127.0.0.1:${samplePort}/done**`);
  assert.match(await user.textContent('#result'), /Not connected: access_denied/);

  // The dashboard lists the account with its status; the developer deletes it.
  await dev.page.goto(`${base}/applications/${app.id}/accounts`);
  await hydrated(dev.page);
  const row = dev.page.locator('tr[data-email="ada@example.com"]');
  await row.waitFor();
  assert.match(await row.textContent(), /Sandbox/);
  assert.match(await row.textContent(), /active/);
  // Deleting asks first, naming the account.
  await row.locator('summary:has-text("Delete")').click();
  assert.match(await row.locator('.confirm-panel').textContent(), /Delete ada@example\.com\?/);
  await row.locator('button:has-text("Yes, delete")').click();
  await dev.page.waitForSelector('tr[data-email="ada@example.com"]', { state: 'detached' });
});
