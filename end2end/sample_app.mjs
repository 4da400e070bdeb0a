// A tiny sample app of Linkgate's hosted flows (no dependencies).
// - Account flow: `/` has a "Connect" link to /v1/auth/authorize; the return URL checks
//   `state`, exchanges the one-time code for the account token (server side, with the
//   app's client secret) and shows the account.
// - User-session flow: `/users` signs an end user in with a primary account (cookie mode);
//   its page calls Linkgate's user API from the browser with the session cookie (CORS: add
//   this app's host to the application's trusted domains), adds secondary accounts by
//   cookie or by a signature made here with the client secret, deletes accounts, logs out.
// Used by the README walk-through and the browser tests.
//   LINKGATE_URL=http://127.0.0.1:3000 CLIENT_ID=… CLIENT_SECRET=… [SERVICE_TYPE=Sandbox] \
//   [PORT=8080] [SCOPES=Mail.Read] node end2end/sample_app.mjs
// (SCOPES empty: ask for the registration's default scopes, as a custom provider needs.)
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';

const base = process.env.LINKGATE_URL ?? 'http://127.0.0.1:3000';
const { CLIENT_ID, CLIENT_SECRET } = process.env;
const serviceType = process.env.SERVICE_TYPE ?? 'Sandbox';
const port = Number(process.env.PORT ?? 8080);
const scopes = process.env.SCOPES ?? 'Mail.Read';
if (!CLIENT_ID || !CLIENT_SECRET) {
  console.error('CLIENT_ID and CLIENT_SECRET are required');
  process.exit(2);
}
const returnUrl = `http://127.0.0.1:${port}/done`;
const basic = 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (body) => `<!doctype html><meta charset="utf-8"><title>Sample app</title><body>${body}</body>`;

function cookie(req, name) {
  const found = (req.headers.cookie ?? '').split(';').map((c) => c.trim().split('=')).find(([k]) => k === name);
  return found?.[1];
}

createServer(async (req, res) => {
  const url = new URL(req.url, returnUrl);
  if (url.pathname === '/') {
    const state = randomBytes(16).toString('hex');
    const authorize = new URL('/v1/auth/authorize', base);
    authorize.search = new URLSearchParams({ clientId: CLIENT_ID, serviceType, returnUrl, state, ...(scopes ? { scopes } : {}) });
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': `sample_state=${state}; HttpOnly; SameSite=Lax; Path=/` });
    return res.end(page(`<h1>Sample app</h1><a id="connect" href="${escape(authorize)}">Connect a ${escape(serviceType)} account</a>`));
  }
  if (url.pathname === '/done') {
    const status = url.searchParams.get('status');
    if (status !== 'success') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(page(`<p id="result">Not connected: ${escape(status)} (${escape(url.searchParams.get('details') ?? '')})</p>`));
    }
    if (url.searchParams.get('state') !== cookie(req, 'sample_state')) {
      res.writeHead(400, { 'content-type': 'text/html' });
      return res.end(page('<p id="result">State mismatch: this answer was not for this browser.</p>'));
    }
    const code = url.searchParams.get('code');
    const exchanged = await fetch(new URL(`/v1/auth/token/${encodeURIComponent(code)}`, base), { method: 'POST', headers: { authorization: basic } });
    const { accountId, accessToken } = await exchanged.json();
    const account = await (await fetch(new URL('/v1/account', base), { headers: { authorization: `Bearer ${accessToken}` } })).json();
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(page(`<p id="result">Connected <span id="email">${escape(account.email)}</span> as account <span id="account">${escape(accountId)}</span> (${escape(account.serviceType)}).</p>`));
  }
  if (url.pathname === '/users') {
    const authorize = new URL('/v1/auth/authorizeUser', base);
    authorize.search = new URLSearchParams({ clientId: CLIENT_ID, serviceType, returnUrl: `${returnUrl.replace('/done', '/users/done')}`, accountRole: 'primary', ...(scopes ? { scopes } : {}) });
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(page(`<h1>Sample app users</h1><a id="sign-in" href="${escape(authorize)}">Sign in with ${escape(serviceType)}</a>`));
  }
  if (url.pathname === '/users/done') {
    const secondary = new URL('/v1/auth/authorizeUser', base);
    secondary.search = new URLSearchParams({ clientId: CLIENT_ID, serviceType, returnUrl: `${returnUrl.replace('/done', '/users/done')}`, accountRole: 'secondary', ...(scopes ? { scopes } : {}) });
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(page(`<p id="status">${escape(url.searchParams.get('status'))}</p>
<ul id="accounts"></ul><p id="user"></p>
<a id="add-cookie" href="${escape(secondary)}">Add an account</a>
<a id="add-signed" href="#">Add an account (signed by the server)</a>
<button id="logout">Log out</button> <button id="delete-primary">Delete primary account</button>
<script>
const base = ${JSON.stringify(base)}, clientId = ${JSON.stringify(CLIENT_ID)};
const api = (path, method = 'GET') => fetch(base + path, { method, credentials: 'include', headers: { 'X-Aurinko-Client-Id': clientId } });
async function load() {
  const r = await api('/v1/user');
  if (r.status !== 200) { document.getElementById('user').textContent = 'signed out (' + r.status + ')'; return; }
  const me = await r.json();
  document.getElementById('user').textContent = me.id;
  document.getElementById('user').dataset.primary = me.accounts.find((a) => a.userAccountType === 'primary')?.id ?? '';
  document.getElementById('add-signed').href = '/users/signed?userId=' + encodeURIComponent(me.id);
  document.getElementById('accounts').innerHTML = me.accounts.map((a) => '<li data-type="' + a.userAccountType + '">' + a.email + '</li>').join('');
}
document.getElementById('logout').onclick = async () => { await api('/v1/user/logout', 'POST'); await load(); };
document.getElementById('delete-primary').onclick = async () => { await api('/v1/user/accounts/' + document.getElementById('user').dataset.primary, 'DELETE'); await load(); };
load().then(() => document.body.dataset.loaded = 'true');
</script>`));
  }
  if (url.pathname === '/users/signed') {
    // Server side: sign userId + timestamp with the client secret (wire-api.md).
    const userId = url.searchParams.get('userId') ?? '';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const userSignature = createHmac('sha256', CLIENT_SECRET).update(userId + timestamp).digest('hex');
    const authorize = new URL('/v1/auth/authorizeUser', base);
    authorize.search = new URLSearchParams({ clientId: CLIENT_ID, serviceType, returnUrl: `${returnUrl.replace('/done', '/users/done')}`, accountRole: 'secondary', userId, timestamp, userSignature, responseType: 'none', ...(scopes ? { scopes } : {}) });
    res.writeHead(303, { location: authorize.toString() });
    return res.end();
  }
  res.writeHead(404).end();
}).listen(port, '127.0.0.1', () => console.log(`sample app at http://127.0.0.1:${port}/`));
