// A tiny sample app of Linkgate's account flow (no dependencies): a page with a "Connect"
// link to /v1/auth/authorize, and a return URL that checks `state`, exchanges the one-time
// code for the account token (server side, with the app's client secret) and shows the
// account. Used by the README walk-through and the browser tests.
//   LINKGATE_URL=http://127.0.0.1:3000 CLIENT_ID=… CLIENT_SECRET=… [SERVICE_TYPE=Sandbox] \
//   [PORT=8080] [SCOPES=Mail.Read] node end2end/sample_app.mjs
// (SCOPES empty: ask for the registration's default scopes, as a custom provider needs.)
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

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
  res.writeHead(404).end();
}).listen(port, '127.0.0.1', () => console.log(`sample app at http://127.0.0.1:${port}/`));
