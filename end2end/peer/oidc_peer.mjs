// A real third-party OpenID Connect provider for the browser tests (and the benchmark's
// peer): npm's `oidc-provider`, configured with one client whose redirect URI is Linkgate's
// callback. Its built-in development login and consent pages stand in for a provider's UI;
// any login is accepted and becomes the subject (`<login>@peer.example` unless it is an
// email). Prints `ready <issuer>` when listening.
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… node end2end/peer/oidc_peer.mjs
// With MINT_PORT=… (the benchmark) it also serves `POST /mint?n=…&scope=…` on that port,
// answering n fresh authorization codes, one per line, each with its own grant, as its
// authorization endpoint would after a login and consent.
import http from 'node:http';
import { Provider } from 'oidc-provider';

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, MINT_PORT } = process.env;
if (!PORT || !CLIENT_ID || !CLIENT_SECRET || !REDIRECT_URI) {
  console.error('PORT, CLIENT_ID, CLIENT_SECRET and REDIRECT_URI are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${PORT}`;

// The library's default store is an LRU of 1,000 entries, which would evict the benchmark's
// minted codes; this one keeps every entry until consumed or destroyed (grant revocation
// included), with the same adapter interface a real deployment implements over a database.
const stores = new Map();
class MapAdapter {
  constructor(model) {
    this.model = model;
    if (!stores.has(model)) stores.set(model, new Map());
    this.store = stores.get(model);
  }
  async upsert(id, payload) { this.store.set(id, payload); }
  async find(id) { return this.store.get(id); }
  async findByUid(uid) { for (const p of this.store.values()) if (p.uid === uid) return p; return undefined; }
  async findByUserCode(code) { for (const p of this.store.values()) if (p.userCode === code) return p; return undefined; }
  async consume(id) { const p = this.store.get(id); if (p) p.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { this.store.delete(id); }
  async revokeByGrantId(grantId) {
    for (const store of stores.values()) for (const [id, p] of store) if (p.grantId === grantId) store.delete(id);
  }
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id.includes('@') ? id : `${id}@peer.example`, email_verified: true, name: `Peer ${id}` };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Linkgate keeps accounts alive with refresh tokens, as with Google (offline access).
  issueRefreshToken: async () => true,
  cookies: { keys: ['linkgate-peer-cookie-key-not-a-secret'] },
  features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
  ...(MINT_PORT ? { adapter: MapAdapter } : {}),
  ttl: { AccessToken: 3600, AuthorizationCode: 120, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600 },
});
provider.on('server_error', (_ctx, err) => console.error('peer server_error', err));

const server = provider.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
if (MINT_PORT) {
  const client = await provider.Client.find(CLIENT_ID);
  const mint = async (scope) => {
    const accountId = `bench-${Math.random().toString(36).slice(2)}@peer.example`;
    const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const code = new provider.AuthorizationCode({
      accountId, client, grantId, scope, redirectUri: REDIRECT_URI,
      authTime: Math.floor(Date.now() / 1000),
    });
    return code.save();
  };
  http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const n = Math.min(Number(url.searchParams.get('n') ?? 1), 1_000_000);
    const scope = url.searchParams.get('scope') ?? 'openid email';
    if (req.method !== 'POST' || url.pathname !== '/mint' || !(n > 0)) { res.writeHead(404).end(); return; }
    const codes = [];
    for (let i = 0; i < n; i += 1) codes.push(await mint(scope));
    res.writeHead(200, { 'content-type': 'text/plain' }).end(codes.join('\n') + '\n');
  }).listen(Number(MINT_PORT), '127.0.0.1');
}
process.on('SIGTERM', () => server.close(() => process.exit(0)));
