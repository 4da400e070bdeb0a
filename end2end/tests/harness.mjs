// Starts a real Linkgate server (the built binary, SQLite in a temp dir) and Debian's
// headless Chromium, for one browser test file.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..');

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

export async function startServer() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'linkgate-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const bin = process.env.LINKGATE_BIN ?? join(root, 'target', 'debug', 'linkgate');
  const proc = spawn(bin, ['--bind', `127.0.0.1:${port}`, '--public-url', base, '--data-dir', dataDir], {
    env: { ...process.env, LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? join(root, 'target', 'site') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 200; i++) {
    if (exited !== null) throw new Error(`server exited with ${exited}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    /// The server's SQLite file, for a test that must age a row (an expired link).
    database: join(dataDir, 'linkgate.db'),
    /// Stops with SIGTERM and returns the exit code (0 after a graceful shutdown).
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (exited !== null ? r() : proc.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
      return exited;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/// A click before hydration does nothing; wait for the app to say it has taken over.
export async function hydrated(page) {
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 20000 });
}

/// Registers before/after hooks that start a server and a browser for one test file, stop
/// them afterwards, and check the server shut down cleanly. Returns live getters.
export function serverAndBrowser({ before, after, assert }) {
  const live = {};
  before(async () => {
    live.server = await startServer();
    live.browser = await launchBrowser();
  });
  after(async () => {
    await live.browser?.close();
    assert.equal(await live.server?.stop(), 0, 'the server shuts down cleanly on SIGTERM');
  });
  return live;
}

/// Signs a developer up in the dashboard; `call` posts to the dashboard's server functions
/// as that developer (same origin), `teamId` is their team.
export async function signUpDeveloper(live, name) {
  const base = live.server.base;
  const page = await (await live.browser.newContext()).newPage();
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.fill('#field-name', name);
  const email = `${name.toLowerCase().replace(/\W/g, '')}-${Date.now()}@example.com`;
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/applications`);
  await confirmEmail(page, base, email);
  const teamId = await page.evaluate(() => document.querySelector('[data-team-id]').dataset.teamId);
  const call = async (endpoint, form) => {
    const r = await page.request.post(`${base}/api/${endpoint}`, { form, headers: { origin: base } });
    if (r.status() !== 200) throw new Error(`${endpoint}: ${r.status()} ${await r.text()}`);
    return r.json();
  };
  return { page, call, teamId };
}

/// Opens the newest mail to `email` in the development mailbox (the server runs without
/// SMTP) whose text links to `path`, and follows that link; returns the link.
export async function openMailedLink(page, base, email, path) {
  for (let i = 0; i < 150; i++) {
    await page.goto(`${base}/dev/mail`);
    const link = page.locator('li.mail', { has: page.locator('.mail-to', { hasText: email }) })
      .locator(`a[href*="${path}"]`).first();
    if (await link.count()) {
      const href = await link.getAttribute('href');
      await link.click();
      await page.waitForURL(href);
      return href;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no mail to ${email} with a ${path} link`);
}

/// Confirms `email` from the link mailed at sign-up, as its owner would; ends on the dashboard.
export async function confirmEmail(page, base, email) {
  await openMailedLink(page, base, email, '/verify-email/');
  await page.click('button:has-text("Confirm my email address")');
  await page.waitForURL(`${base}/applications`);
}

// axe-core from npm, run in the page: the serious and critical violations, as lines.
const AXE = readFileSync(resolve(import.meta.dirname, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
export async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/// Whether the page scrolls sideways at its current width.
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
