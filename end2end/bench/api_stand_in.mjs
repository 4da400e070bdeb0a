// A provider's API over HTTPS, for the benchmark's Direct API scenario (docs/performance.md):
// `GET /api/messages` answers a page of ten messages, as Graph's /me/messages would, to the
// one bearer token it was given, and 401 to any other. A plain-HTTP `/ready` on READY_PORT
// tells the benchmark it is up. Env: PORT, READY_PORT, CERT and KEY (PEM files), TOKEN.
import { createServer as https } from 'node:https';
import { createServer as http } from 'node:http';
import { readFileSync } from 'node:fs';

const { PORT, READY_PORT, CERT, KEY, TOKEN } = process.env;
const page = JSON.stringify({
  value: Array.from({ length: 10 }, (_, i) => ({
    id: `AAMkAGI2${i}`,
    subject: `Message ${i}`,
    from: { emailAddress: { address: `sender${i}@example.com` } },
    bodyPreview: 'A preview of the message body, as the provider sends it. '.repeat(2),
  })),
});
const api = https({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
    res.end('{"error":"invalid_token"}');
    return;
  }
  if (req.method === 'GET' && req.url.startsWith('/api/messages')) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '9999' });
    res.end(page);
    return;
  }
  res.writeHead(404);
  res.end();
});
api.keepAliveTimeout = 60_000;
api.listen(Number(PORT), '127.0.0.1');
http((_, res) => res.end('ready')).listen(Number(READY_PORT), '127.0.0.1');
