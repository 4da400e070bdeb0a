// A password account in headless Chromium: the sample app's "Connect" link leads to
// Linkgate's hosted IMAP form; the user fills it (a real dovecot from Debian, started here
// with a self-signed certificate the app trusts), lands on the return URL, and the sample
// app's exchange and GET /v1/account show the email.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { axeViolations, freePort, hydrated, serverAndBrowser, signUpDeveloper } from './harness.mjs';

const live = serverAndBrowser({ before, after, assert });
const cleanups = [];
after(() => cleanups.forEach((c) => c()));

const USER = 'carol@mail.test';
const PASSWORD = 'down the rabbit hole';

async function startDovecot() {
  const dir = mkdtempSync(join(tmpdir(), 'lg-e2e-dovecot-'));
  // Dovecot's auth process (user dovecot) reads the users file here.
  execFileSync('chmod', ['755', dir]);
  execFileSync('mkdir', ['-p', `${dir}/run`, `${dir}/mail`]);
  execFileSync('chown', ['dovecot', `${dir}/mail`]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
  writeFileSync(`${dir}/users`, `${USER}:{PLAIN}${PASSWORD}\n`);
  const port = await freePort();
  writeFileSync(`${dir}/dovecot.conf`, `first_valid_uid = 100
base_dir = ${dir}/run
state_dir = ${dir}/run
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
mail_location = maildir:${dir}/mail/%u
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = ${port}
    ssl = yes
  }
}
`);
  // Dovecot forks into the background: its output must not be a pipe we wait on.
  execFileSync('/usr/sbin/dovecot', ['-c', `${dir}/dovecot.conf`], { stdio: 'ignore' });
  cleanups.push(() => {
    try {
      const pid = Number(readFileSync(`${dir}/run/master.pid`, 'utf8').trim());
      process.kill(pid);
      const until = Date.now() + 3000;
      for (;;) {
        try { process.kill(pid, 0); } catch { break; }
        if (Date.now() > until) break;
        execFileSync('sleep', ['0.1']);
      }
    } catch { /* already gone */ }
    // Dovecot removes its sockets as it stops; the directory goes with the next tmp clean-up
    // if it is still busy now.
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }); } catch { /* busy */ }
  });
  return port;
}

test('an IMAP account through the hosted form', async () => {
  const base = live.server.base;
  const imapsPort = await startDovecot();
  const { page: devPage, call, teamId } = await signUpDeveloper(live, 'Ivy Imap');
  const app = await call('team/apps/create', { team_id: teamId, name: 'Inbox Zero' });
  const port = await freePort();
  await call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: `http://127.0.0.1:${port}/done` });
  // The test server's certificate is self-signed: the developer trusts it on the app's page.
  await devPage.goto(`${base}/applications/${app.id}`);
  await hydrated(devPage);
  await devPage.selectOption('.trust-form select[name=service_type]', 'IMAP');
  await devPage.check('.trust-form input[name=trust_server]');
  await devPage.click(".trust-form button:has-text(\"Enable\")");
  await devPage.waitForSelector('tr[data-service="IMAP"]');
  const sample = spawn(process.execPath, [resolve(import.meta.dirname, '..', 'sample_app.mjs')], {
    env: { ...process.env, LINKGATE_URL: base, CLIENT_ID: app.client_id, CLIENT_SECRET: app.secret, PORT: String(port), SERVICE_TYPE: 'IMAP', SCOPES: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => sample.kill('SIGTERM'));
  await new Promise((ok) => sample.stdout.on('data', (d) => { if (/sample app at/.test(String(d))) ok(); }));

  const user = await (await live.browser.newContext()).newPage();
  await user.goto(`http://127.0.0.1:${port}/`);
  await user.click('#connect');
  await user.waitForURL(`${base}/v1/auth/password**`);
  assert.match(await user.textContent('h1'), /Connect your IMAP account/);
  assert.match(await user.textContent('main'), /Inbox Zero/);
  await user.fill('#email', USER);
  await user.fill('#password', 'not the password');
  await user.fill('#imap_host', 'localhost');
  await user.fill('#imap_port', String(imapsPort));
  await user.click('button:has-text("Connect")');
  await user.waitForSelector('[data-field="password"]');
  assert.match(await user.textContent('[data-field="password"]'), /refused this login and password/);
  assert.equal(await user.inputValue('#email'), USER, 'what was typed is kept');
  assert.equal(await user.inputValue('#password'), '', 'except the password');
  await user.fill('#password', PASSWORD);
  await user.fill('#imap_host', 'localhost');
  await user.fill('#imap_port', String(imapsPort));
  await user.click('button:has-text("Connect")');
  await user.waitForURL(`http://127.0.0.1:${port}/done**`, { timeout: 20000 }).catch(async (e) => {
    console.log('FORM', (await user.textContent('main').catch(() => '')).slice(0, 500));
    throw e;
  });
  assert.equal(await user.textContent('#email'), USER);
  assert.match(await user.textContent('#result'), /\(IMAP\)/);
});

/// What an end user sees of the form, measured: each label above its input, inputs at least
/// 44 px tall, the card centred, nothing scrolling sideways.
async function layout(page) {
  return page.evaluate(() => {
    const fields = [...document.querySelectorAll('form label')].map((label) => {
      const input = document.getElementById(label.htmlFor);
      const l = label.getBoundingClientRect();
      const i = input.getBoundingClientRect();
      return { name: label.htmlFor, labelAbove: l.bottom <= i.top + 1, height: i.height };
    });
    const card = document.querySelector('main').getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    return {
      fields,
      buttons: [...document.querySelectorAll('button')].map((b) => b.getBoundingClientRect().height),
      leftGap: card.left,
      rightGap: width - card.right,
      sideways: document.documentElement.scrollWidth > width,
    };
  });
}

test('the hosted form reads well at 1280 and 390 px, speaks plainly, and can be cancelled', async () => {
  const base = live.server.base;
  const imapsPort = await startDovecot();
  const { call, teamId } = await signUpDeveloper(live, 'Hana Hosted');
  const app = await call('team/apps/create', { team_id: teamId, name: 'Mail Desk' });
  // The app: a page that says the user is back.
  const appPort = await freePort();
  const appServer = createServer((_, res) => res.end('back at the app')).listen(appPort, '127.0.0.1');
  cleanups.push(() => appServer.close());
  const returnUrl = `http://127.0.0.1:${appPort}/done`;
  await call('apps/return_urls/add', { team_id: teamId, app_id: app.id, url: returnUrl });
  // IMAP on, without trusting the test server's self-signed certificate.
  await call('apps/registrations/save', { team_id: teamId, app_id: app.id, service_type: 'IMAP', client_id: '', trust_server: 'false', allowed_servers: '' });
  const authorize = `${base}/v1/auth/authorize?clientId=${app.client_id}&serviceType=IMAP`
    + `&returnUrl=${encodeURIComponent(returnUrl)}&state=s1`;

  for (const width of [1280, 390]) {
    const context = await live.browser.newContext({ viewport: { width, height: 900 } });
    const user = await context.newPage();
    await user.goto(authorize);
    await user.waitForURL(`${base}/v1/auth/password**`);
    const formUrl = user.url();
    const l = await layout(user);
    assert.ok(l.fields.length >= 4, `${width}: the form's fields`);
    for (const f of l.fields) {
      assert.ok(f.labelAbove, `${width}: the label of ${f.name} is above its input`);
      assert.ok(f.height >= 44, `${width}: ${f.name} is ${f.height} px tall`);
    }
    assert.ok(l.buttons.every((h) => h >= 44), `${width}: buttons ${l.buttons}`);
    assert.ok(Math.abs(l.leftGap - l.rightGap) <= 2, `${width}: centred (${l.leftGap} / ${l.rightGap})`);
    assert.equal(l.sideways, false, `${width}: nothing scrolls sideways`);
    assert.deepEqual(await axeViolations(user), [], `${width}: axe`);

    if (width === 1280) {
      // The certificate is not trusted: plain words and what to do, never the TLS library's.
      await user.fill('#email', USER);
      await user.fill('#password', PASSWORD);
      await user.fill('#imap_host', 'localhost');
      await user.fill('#imap_port', String(imapsPort));
      await user.click('button:has-text("Connect")');
      await user.waitForSelector('[data-field="form"]');
      const said = await user.textContent('[data-field="form"]');
      assert.match(said, /certificate is not trusted/);
      assert.match(said, /ask the application's developer/);
      assert.doesNotMatch(said, /CaUsedAsEndEntity|UnknownIssuer|InvalidCertificate|OtherError/);
      assert.deepEqual(await axeViolations(user), [], 'axe, with an error shown');
    }
    // Cancel: back to the app, which hears access_denied.
    await Promise.all([
      user.waitForURL(`${returnUrl}**`, { waitUntil: 'load' }),
      user.click('button:has-text("Cancel")'),
    ]);
    assert.match(await user.textContent('body'), /back at the app/);
    const url = new URL(user.url());
    assert.equal(url.searchParams.get('status'), 'access_denied');
    assert.equal(url.searchParams.get('state'), 's1');

    // The same link again is a page in plain words, not JSON.
    const dead = await user.goto(formUrl);
    assert.equal(dead.status(), 400);
    assert.match(await user.textContent('h1'), /cannot continue/);
    assert.equal((await layout(user)).sideways, false);
    assert.deepEqual(await axeViolations(user), [], `${width}: axe on the error page`);
    await context.close();
  }
  // A bad authorize link opened in a browser: a page too.
  const context = await live.browser.newContext();
  const user = await context.newPage();
  const r = await user.goto(`${base}/v1/auth/authorize?clientId=nobody&serviceType=IMAP&returnUrl=${encodeURIComponent(returnUrl)}`);
  assert.equal(r.status(), 400);
  assert.match(r.headers()['content-type'], /text\/html/);
  assert.match(await user.textContent('main'), /No application has this clientId/);
  await context.close();
});
