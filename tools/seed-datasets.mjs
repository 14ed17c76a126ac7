// Loads the demo datasets in seeds/datasets/ through the API, as a source unit would: register, open a version,
// stream each file with its Content-Digest, commit, publish. Idempotent: a dataset whose title the unit already
// has is left alone. A dataset.json with a "listing" goes through the listing review before it is published (a paid
// dataset, or one with personal information, needs a verified listing): the assessor reports on the committed version's
// manifest, the unit applies and submits, the reviewer verifies, and the certificate number is printed.
// Usage: node tools/seed-datasets.mjs <base-url> <client-id> <client-secret> <seeds/datasets>
//          [<assessor-id> <assessor-secret> <reviewer-id> <reviewer-secret>]
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const [base, clientId, clientSecret, dir, assessorId, assessorSecret, reviewerId, reviewerSecret] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tools/seed-datasets.mjs <base-url> <client-id> <client-secret> <seeds/datasets>');
  process.exit(2);
}

async function call(method, path, { token, json, body, headers = {} } = {}) {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: json !== undefined ? JSON.stringify(json) : body,
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

async function filesUnder(root) {
  const out = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = join(root, entry.name);
    if (entry.isDirectory()) out.push(...await filesUnder(full));
    else out.push(full);
  }
  return out.sort();
}

async function tokenFor(id, secret) {
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  const { access_token: accessToken } = await call('POST', '/connect/token', {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return accessToken;
}

// Invite the assessor for each report kind, let it report on the version's manifest, apply, submit, verify.
async function list(dataset, number, listing) {
  if (!assessorId || !reviewerId) {
    throw new Error(`${dataset.title} needs a listing review: pass the assessor's and the reviewer's client credentials`);
  }
  const assessor = await tokenFor(assessorId, assessorSecret);
  const reviewer = await tokenFor(reviewerId, reviewerSecret);
  const assessorOrg = (await call('GET', '/v1/organizations/me', { token: assessor })).organization.id;
  const { manifest_sha256: manifest } = await call('GET', `/v1/datasets/${dataset.id}/versions/${number}`, { token });
  const validUntil = new Date(Date.now() + 365 * 86400_000).toISOString().slice(0, 10);
  const ids = {};
  for (const [kind, report] of Object.entries(listing.reports)) {
    await call('POST', `/v1/datasets/${dataset.id}/assessment-invitations`, { token, json: { version: number, assessor_id: assessorOrg, kind } });
    const document = createHash('sha256').update(JSON.stringify({ dataset: dataset.id, manifest, kind, ...report })).digest('hex');
    ids[kind] = (await call('POST', `/v1/datasets/${dataset.id}/versions/${number}/assessment-reports?kind=${kind}`, {
      token: assessor, json: { manifest_sha256: manifest, document_sha256: document, valid_until: validUntil, ...report },
    })).id;
  }
  const application = await call('POST', `/v1/datasets/${dataset.id}/listings`, {
    token,
    json: {
      version: number, product_description: listing.product_description, scenarios: listing.scenarios,
      compliance_report_id: ids.compliance, quality_report_id: ids.quality, valuation_report_id: ids.valuation,
    },
  });
  await call('POST', `/v1/listings/${application.id}/submit`, { token });
  return (await call('POST', `/v1/review/listings/${application.id}/verify`, { token: reviewer })).certificate_number;
}

const token = await tokenFor(clientId, clientSecret);
const me = await call('GET', '/v1/organizations/me', { token });
const existing = new Set();
for (let cursor = null; ;) {
  const page = await call('GET', `/v1/datasets?owner=${me.organization.id}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
  page.items.forEach(d => existing.add(d.title));
  if (!(cursor = page.next_cursor)) break;
}

for (const name of (await readdir(dir)).sort()) {
  const spec = JSON.parse(await readFile(join(dir, name, 'dataset.json'), 'utf8'));
  if (existing.has(spec.fields.title)) {
    console.log(`  ${name}: already there`);
    continue;
  }
  const dataset = await call('POST', '/v1/datasets', { token, json: spec.fields });
  const version = await call('POST', `/v1/datasets/${dataset.id}/versions`, { token, json: { notes: '演示数据首个版本' } });
  const root = join(dir, name, 'files');
  for (const file of await filesUnder(root)) {
    const path = relative(root, file).split(sep).map(encodeURIComponent).join('/');
    const content = await readFile(file);
    const digest = createHash('sha256').update(content).digest('base64');
    await call('PUT', `/v1/datasets/${dataset.id}/versions/${version.number}/files/${path}`, {
      token, body: content, headers: { 'content-digest': `sha-256=:${digest}:`, 'content-type': 'application/octet-stream' },
    });
  }
  await call('POST', `/v1/datasets/${dataset.id}/versions/${version.number}/commit`, { token });
  const certificate = spec.status === 'published' && spec.listing ? await list(dataset, version.number, spec.listing) : null;
  if (spec.status === 'published') {
    await call('POST', `/v1/datasets/${dataset.id}/publish`, { token });
  }
  console.log(`  ${name}: ${dataset.id} (${spec.fields.access}, ${spec.status}${certificate ? `, listing certificate ${certificate}` : ''})`);
}
