// Checks a Croissant document served by DataSpace with tools nobody here wrote:
//   node tools/croissant-check.mjs DOCUMENT.json TOKEN
// - ajv: the members Croissant 1.0 requires (interop/croissant/required-members.schema.json);
// - jsonld: expands the document as served (inline context) and again with its context replaced by the stored Croissant
//   context (interop/croissant/context-1.0.jsonld) served by a document loader that refuses any other URL — no network;
// - DuckDB: downloads each record set's content URL and each Parquet rendition (with the bearer TOKEN) and counts rows.
// Prints one JSON object: { schema_errors, expanded_equal, dataset_types, record_sets: { id: rows }, renditions: { id: rows } }.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import jsonld from 'jsonld';
import { DuckDBInstance } from '@duckdb/node-api';

const [documentFile, token] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(documentFile, 'utf8'));
const contextUrl = 'https://dataspace.invalid/interop/croissant/context-1.0.jsonld';
const storedContext = JSON.parse(readFileSync('interop/croissant/context-1.0.jsonld', 'utf8'));

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync('interop/croissant/required-members.schema.json', 'utf8')));
const schemaErrors = validate(doc) ? [] : validate.errors.map(e => `${e.instancePath} ${e.message}`);

const documentLoader = async url => {
  if (url === contextUrl) {
    return { contextUrl: null, documentUrl: url, document: storedContext };
  }
  throw new Error(`no network: refused to load ${url}`);
};
// Croissant's @ids of files, record sets and fields are relative (as in the specification's examples): resolve them
// against the version's own URL, and let safe mode refuse anything else it would drop or guess.
const options = { documentLoader, safe: true, base: `${doc['@id']}/` };
const inline = await jsonld.expand(doc, options);
const againstStored = await jsonld.expand({ ...doc, '@context': [contextUrl, { '@language': doc['@context']['@language'] }] }, options);
const expandedEqual = JSON.stringify(inline) === JSON.stringify(againstStored);
const datasetTypes = inline.flatMap(n => n['@type'] ?? []);

const scratch = mkdtempSync(join(tmpdir(), 'croissant-'));
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const quote = s => `'${s.replaceAll("'", "''")}'`;
async function rows(url, reader) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  }
  const file = join(scratch, `f${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
  const result = await conn.runAndReadAll(`select count(*)::bigint as n from ${reader}(${quote(file)})`);
  return Number(result.getRows()[0][0]);
}
const files = Object.fromEntries(doc.distribution.map(f => [f['@id'], f]));
const readerOf = format => format === 'application/x-parquet' ? 'read_parquet'
  : format === 'application/x-ndjson' || format === 'application/jsonl' ? 'read_ndjson_auto' : 'read_csv';
const recordSets = {};
for (const rs of doc.recordSet) {
  const file = files[rs.field[0].source.fileObject['@id']];
  recordSets[rs['@id']] = await rows(file.contentUrl, rs.field[0].source.extract.jsonPath ? 'read_ndjson_auto' : readerOf(file.encodingFormat));
}
const renditions = {};
for (const f of doc.distribution.filter(f => f.encodingFormat === 'application/x-parquet')) {
  renditions[f['@id']] = await rows(f.contentUrl, 'read_parquet');
}
rmSync(scratch, { recursive: true, force: true });
console.log(JSON.stringify({ schema_errors: schemaErrors, expanded_equal: expandedEqual, dataset_types: datasetTypes, record_sets: recordSets, renditions }));
