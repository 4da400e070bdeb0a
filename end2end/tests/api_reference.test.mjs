// The API reference at /api-docs: Swagger UI served by Linkgate itself (no CDN), listing both
// APIs from the generated document, and trying a request against this same server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

test('the reference lists both APIs and tries a request here', async () => {
  const base = live.server.base;
  const page = await (await live.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) elsewhere.push(r.url());
  });
  await page.goto(`${base}/api-docs`);
  await page.waitForSelector('.opblock');
  const paths = await page.locator('.opblock-summary-path').allTextContents();
  assert.ok(paths.some((p) => p.includes('/v1/account')), 'the wire API');
  assert.ok(paths.some((p) => p.includes('/manage/v1/apps')), 'the management API');
  assert.ok(paths.length >= 60, `${paths.length} operations`);

  // Try GET /manage/v1/team without a key: this server answers, in the JSON error shape.
  const op = page.locator('#operations-team-show');
  await op.locator('.opblock-summary').click();
  await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').click();
  const status = op.locator('.live-responses-table tbody .response-col_status').first();
  await status.waitFor();
  assert.equal((await status.textContent()).trim(), '401');
  assert.match(await op.locator('.live-responses-table .microlight').first().textContent(), /"code"/);
  assert.deepEqual(elsewhere, [], 'nothing loaded from anywhere else');
});
