// Verifies webhook deliveries with the Standard Webhooks reference library (npm standardwebhooks), not with our code.
// Usage: node tools/webhook-verify.mjs deliveries.json
// The file holds [{ "secret": "whsec_…", "headers": { "webhook-id": …, "webhook-timestamp": …, "webhook-signature": … },
//                   "body_base64": "…" }, …]; each delivery is checked against its own secret.
// Prints { "verified": n, "failures": [{ "index", "id", "error" }], "ids": [...] } and exits 1 when any failed.
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';

const deliveries = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const failures = [];
const ids = [];
deliveries.forEach((d, index) => {
  const body = Buffer.from(d.body_base64, 'base64').toString('utf8');
  try {
    const payload = new Webhook(d.secret).verify(body, d.headers);
    if (typeof payload?.type !== 'string' || typeof payload?.timestamp !== 'string' || typeof payload?.data !== 'object') {
      throw new Error('payload lacks type, timestamp or data');
    }
    ids.push(d.headers['webhook-id']);
  } catch (e) {
    failures.push({ index, id: d.headers['webhook-id'], error: String(e.message ?? e) });
  }
});
console.log(JSON.stringify({ verified: deliveries.length - failures.length, failures, ids }));
process.exit(failures.length === 0 ? 0 : 1);
