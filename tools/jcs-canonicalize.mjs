// Test oracle: re-canonicalises a JSON document with the npm `canonicalize` package (RFC 8785 JCS, an implementation
// nobody here wrote) and writes the canonical UTF-8 bytes to a file.
// Usage: node tools/jcs-canonicalize.mjs <in.json> <out.bin>
import { readFileSync, writeFileSync } from 'node:fs';
import canonicalize from 'canonicalize';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node tools/jcs-canonicalize.mjs <in.json> <out.bin>');
  process.exit(2);
}
writeFileSync(output, Buffer.from(canonicalize(JSON.parse(readFileSync(input, 'utf8'))), 'utf8'));
