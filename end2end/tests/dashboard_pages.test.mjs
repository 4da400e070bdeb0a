// Every dashboard page, with data in it, as users see it at 1280 and 390 px: rendered by the
// server (no "Loading…" left), no page scrolling sideways, every button of a page reachable
// at 1280 px, and axe-core finding no serious or critical violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, hydrated, scrollsSideways, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });

/// Buttons (and confirm summaries) of the page that end beyond the right edge of the window.
async function offScreenButtons(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('main button, main summary, main a.button')]
      .filter((b) => b.offsetParent !== null)
      .filter((b) => b.getBoundingClientRect().right > width + 1)
      .map((b) => b.textContent.trim());
  });
}

test('every dashboard page at 1280 and 390 px', async () => {
  const base = live.server.base;
  const { page, call, teamId } = await signUpDeveloper(live, 'Paige Pages');
  // Data on every page: an app with a return URL, a registration and a webhook endpoint; an
  // invite, an API key, a renamed app (audit entries).
  const app = await call('team/apps/create', { team_id: teamId, name: 'A rather long application name for layout' });
  await call('apps/return_urls/add', {
    team_id: teamId, app_id: app.id,
    url: 'https://a-very-long-subdomain.customer-application.example.com/oauth/linkgate/callback/with/a/long/path',
  });
  await call('apps/registrations/save', {
    team_id: teamId, app_id: app.id, service_type: 'Google',
    client_id: '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com',
    client_secret: 'GOCSPX-not-a-real-secret', scopes: 'Mail.Read Calendar.Read',
  });
  await call('apps/webhooks/add', { team_id: teamId, app_id: app.id, url: 'https://hooks.customer-application.example.com/linkgate/events' });
  await call('team/invites/create', { team_id: teamId, email: 'someone.with.a.long.address@customer-application.example.com', role: 'Developer' });
  await call('team/api_keys/create', { team_id: teamId, name: 'deploy pipeline of the customer application', role: 'Developer' });

  const pages = [
    '/applications', `/applications/${app.id}`, `/applications/${app.id}/accounts`,
    `/applications/${app.id}/users`, `/applications/${app.id}/webhooks`, '/accounts',
    '/team', '/team/audit', '/settings', '/teams/new',
  ];
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    await page.setViewportSize({ width, height });
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      await hydrated(page);
      assert.doesNotMatch(await page.textContent('main'), /Loading…/, `${width}: ${path} is rendered with its data`);
      assert.equal(await scrollsSideways(page), false, `${width}: ${path} does not scroll sideways`);
      if (width === 1280) {
        assert.deepEqual(await offScreenButtons(page), [], `1280: every button of ${path} is on screen`);
      }
      assert.deepEqual(await axeViolations(page), [], `${width}: axe on ${path}`);
    }
  }

  // The audit log reads as sentences, each with what changed behind a click.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/team/audit`);
  await hydrated(page);
  const sentences = await page.locator('.audit-sentence').allTextContents();
  assert.ok(sentences.some((s) => /created the API key deploy pipeline of the customer application with Developer rights/.test(s)), sentences.join('\n'));
  assert.ok(sentences.some((s) => /invited someone\.with\.a\.long\.address@customer-application\.example\.com as Developer/.test(s)), sentences.join('\n'));
  const first = page.locator('.audit-event').first();
  await first.locator('summary').click();
  assert.ok(await first.locator('.audit-changes').isVisible());
  // A filter that matches nothing offers the way back.
  await page.fill('input[name=actor]', 'nobody-at-all');
  await page.click('button:has-text("Filter")');
  await page.waitForSelector('text=No changes match.');
  await page.click('main a:has-text("Clear filters") >> nth=0');
  await page.waitForSelector('.audit-sentence');

  // Settings: a person renames themselves; the header says so on the next page.
  await page.goto(`${base}/settings`);
  await hydrated(page);
  await page.fill('#profile-name', 'Paige Renamed');
  await page.click('button:has-text("Save name")');
  await page.waitForSelector('text=Saved: your team sees you as');
  await page.reload();
  assert.match(await page.textContent('.user-menu-button'), /Paige Renamed/);
});
