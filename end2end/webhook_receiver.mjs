// A webhook receiver for the tests: verifies every delivery with the `standardwebhooks`
// package (an implementation independent of Linkgate's), answers as told, and reports what
// it got. Control: POST /_mode {"mode": "ok" | "fail" | "hang"}; GET /_received.
// Start: SECRET=whsec_… node webhook_receiver.mjs  (prints "listening <port>").
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.SECRET;
let mode = process.env.MODE || 'ok';
const received = [];

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url === '/_mode' && req.method === 'POST') {
      mode = JSON.parse(body).mode;
      res.writeHead(204).end();
      return;
    }
    if (req.url === '/_received') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    let verified = false;
    let type = null;
    try {
      const payload = new Webhook(secret).verify(body, req.headers);
      verified = true;
      type = payload.type;
    } catch (e) {
      verified = false;
    }
    received.push({
      id: req.headers['webhook-id'] || null,
      timestamp: req.headers['webhook-timestamp'] || null,
      type,
      verified,
      mode,
      at: Date.now(),
      body,
    });
    if (mode === 'hang') return; // never answers
    if (mode === 'fail') {
      res.writeHead(500).end('failing on purpose');
      return;
    }
    res.writeHead(verified ? 204 : 400).end();
  });
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
