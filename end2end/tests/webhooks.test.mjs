// A developer adds a webhook endpoint on the application's page, sends a test event, sees
// it delivered on the deliveries page, and redelivers it. The receiver checks each
// signature with npm's standardwebhooks, an implementation independent of Linkgate's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { hydrated, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

/// The receiver of end2end/webhook_receiver.mjs, for deliveries signed with `secret`.
async function startReceiver(secret) {
  const script = resolve(import.meta.dirname, '..', 'webhook_receiver.mjs');
  const proc = spawn(process.execPath, [script], { env: { ...process.env, SECRET: secret }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((ok) => createInterface({ input: proc.stdout }).once('line', ok));
  const base = `http://127.0.0.1:${line.split(' ')[1]}`;
  return {
    base,
    received: async () => (await fetch(`${base}/_received`)).json(),
    stop: () => proc.kill(),
  };
}

/// Reloads `page` until `selector` matches `count` elements.
async function reloadUntil(page, selector, count) {
  for (let i = 0; i < 60; i++) {
    if ((await page.$$(selector)).length >= count) return;
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
    await hydrated(page);
  }
  throw new Error(`never saw ${count} × ${selector}`);
}

test('add a webhook endpoint, send a test event, see it delivered, redeliver', async () => {
  const { page, call, teamId } = await signUpDeveloper(live, 'Wendy Webhook');
  const app = await call('team/apps/create', { team_id: teamId, name: 'Hooked app' });
  await page.goto(`${live.server.base}/applications/${app.id}`);
  await hydrated(page);
  await page.click('button:has-text("Show signing secret")');
  const secret = await (await page.waitForSelector('.signing-secret')).inputValue();
  assert.match(secret, /^whsec_/);
  const receiver = await startReceiver(secret);
  try {
    const url = `${receiver.base}/hooks`;
    await page.fill('.webhook-add input[name=url]', url);
    await page.click('button:has-text("Add endpoint")');
    const row = `tr[data-endpoint="${url}"]`;
    await page.waitForSelector(row);
    assert.match(await page.textContent(row), /On/);
    await page.click(`${row} button:has-text("Send test event")`);
    await page.waitForSelector('text=Test event queued');

    await page.click('.webhooks a:has-text("Deliveries")');
    await page.waitForURL(`${live.server.base}/applications/${app.id}/webhooks`);
    await hydrated(page);
    await reloadUntil(page, 'tr[data-status="delivered"]', 1);
    assert.match(await page.textContent('tr[data-status="delivered"]'), /webhook\.test/);
    assert.match(await page.textContent('tr[data-status="delivered"]'), /HTTP 204/);

    await page.click('tr[data-status="delivered"] button:has-text("Redeliver")');
    await reloadUntil(page, 'tr[data-status="delivered"]', 2);
    const got = await receiver.received();
    assert.equal(got.length, 2);
    assert.ok(got.every((r) => r.verified), 'both signatures verify with standardwebhooks');
    assert.equal(got[0].id, got[1].id, 'a redelivery is the same message');

    // Readable on a phone too.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'no horizontal scrolling of the page at 390 px');
  } finally {
    receiver.stop();
  }
});
