// Test oracle: validates a JSON document against a JSON Schema (draft 2020-12) with ajv, which nobody here wrote.
// Formats (uuid, date) are checked by the schema's patterns where it matters; ajv is told to ignore format names.
// Usage: node tools/json-schema-check.mjs <schema.json> <document.json>; prints the errors and exits 1 when invalid.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const [schemaPath, documentPath] = process.argv.slice(2);
if (!schemaPath || !documentPath) {
  console.error('usage: node tools/json-schema-check.mjs <schema.json> <document.json>');
  process.exit(2);
}
const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
if (!validate(JSON.parse(readFileSync(documentPath, 'utf8')))) {
  console.error(JSON.stringify(validate.errors, null, 2));
  process.exit(1);
}
console.log('valid');
