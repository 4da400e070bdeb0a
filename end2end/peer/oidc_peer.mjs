// A real third-party OpenID Connect provider for the browser tests (and the benchmark's
// peer): npm's `oidc-provider`, configured with one client whose redirect URI is Linkgate's
// callback. Its built-in development login and consent pages stand in for a provider's UI;
// any login is accepted and becomes the subject (`<login>@peer.example` unless it is an
// email). Prints `ready <issuer>` when listening.
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… node end2end/peer/oidc_peer.mjs
import { Provider } from 'oidc-provider';

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
if (!PORT || !CLIENT_ID || !CLIENT_SECRET || !REDIRECT_URI) {
  console.error('PORT, CLIENT_ID, CLIENT_SECRET and REDIRECT_URI are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${PORT}`;

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
  ttl: { AccessToken: 3600, AuthorizationCode: 120, RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600 },
});
provider.on('server_error', (_ctx, err) => console.error('peer server_error', err));

const server = provider.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
