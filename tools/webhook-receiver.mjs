// A minimal webhook receiver for the README: verifies each delivery with npm standardwebhooks (signature and
// timestamp), deduplicates by webhook-id, prints what it accepted and answers 204 (400 when verification fails).
//   WEBHOOK_SECRET=whsec_... PORT=5099 node tools/webhook-receiver.mjs
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const seen = new Set();
createServer((req, res) => {
  const chunks = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const event = webhook.verify(body, req.headers);
      const id = req.headers['webhook-id'];
      console.log(seen.has(id) ? 'duplicate' : 'verified', id, event.type, JSON.stringify(event.data));
      seen.add(id);
      res.writeHead(204).end();
    } catch (e) {
      console.log('refused:', e.message);
      res.writeHead(400).end();
    }
  });
}).listen(Number(process.env.PORT ?? 5099), '127.0.0.1');
