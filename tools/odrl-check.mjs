// Checks an ODRL document served by DataSpace with tools nobody here wrote:
// - jsonld (digitalbazaar) expands it, with a document loader that serves the stored Dataspace Protocol 2025-1 ODRL
//   profile context (no network), and compacts it back: compact -> expand -> compact must be stable;
// - ajv validates each Offer against the Dataspace Protocol 2025-1 contract schema (JSON Schema 2019-09).
// Usage: node tools/odrl-check.mjs <document.json>. Prints one JSON object: the expanded form, the round trip's
// verdict and the schema errors per offer.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import jsonld from 'jsonld';
import Ajv2019 from 'ajv/dist/2019.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemas = path.join(here, '..', 'interop', 'dsp-2025-1');
const contexts = {
  'https://w3id.org/dspace/2025/1/odrl-profile.jsonld': JSON.parse(await readFile(path.join(schemas, 'odrl-profile.jsonld'), 'utf8')),
};

const documentLoader = async (url) => {
  if (contexts[url]) {
    return { contextUrl: null, documentUrl: url, document: contexts[url] };
  }
  throw new Error(`no stored copy of ${url}: the check runs offline`);
};

const document = JSON.parse(await readFile(process.argv[2], 'utf8'));
const context = document['@context'];
const expanded = await jsonld.expand(document, { documentLoader });
const compacted = await jsonld.compact(expanded, context, { documentLoader });
const reExpanded = await jsonld.expand(compacted, { documentLoader });
const reCompacted = await jsonld.compact(reExpanded, context, { documentLoader });
const canon = (x) => JSON.stringify(x, Object.keys(flattenKeys(x)).sort());

function flattenKeys(x, acc = {}) {
  if (Array.isArray(x)) x.forEach((y) => flattenKeys(y, acc));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) { acc[k] = true; flattenKeys(v, acc); }
  return acc;
}

const ajv = new Ajv2019({ strict: false, allErrors: true });
const validate = ajv.compile(JSON.parse(await readFile(path.join(schemas, 'contract-schema.json'), 'utf8')));
const offers = document['@graph'] ?? [document];
const schemaErrors = offers.map((offer) => (validate(offer) ? [] : validate.errors));

process.stdout.write(JSON.stringify({
  expanded,
  round_trip_stable: canon(compacted) === canon(reCompacted) && canon(expanded) === canon(reExpanded),
  compacted,
  schema_errors: schemaErrors,
}));
