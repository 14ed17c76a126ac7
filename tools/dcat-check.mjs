// Checks pages of DataSpace's DCAT-AP feed with tools nobody here wrote:
//   node tools/dcat-check.mjs PAGE.jsonld PAGE.ttl
// - n3 parses the Turtle page; jsonld turns the JSON-LD page into RDF (no network: any remote context is refused);
//   both must hold the same triples;
// - rdf-validate-shacl validates them against the official DCAT-AP 3.0.0 SHACL shapes (interop/dcat-ap/).
// Prints { triples, same_triples, conforms, results: [{ focus, path, message, severity }], next, datasets }.
import { readFileSync } from 'node:fs';
import { Parser, Store, DataFactory } from 'n3';
import jsonld from 'jsonld';
import SHACLValidator from 'rdf-validate-shacl';

const [jsonldFile, turtleFile] = process.argv.slice(2);
const parseTurtle = (text, baseIRI) => new Store(new Parser({ baseIRI }).parse(text));
const shapes = parseTurtle(readFileSync('interop/dcat-ap/dcat-ap-3.0.0-SHACL.ttl', 'utf8'));

const documentLoader = async url => { throw new Error(`no network: refused to load ${url}`); };
const nquads = await jsonld.toRDF(JSON.parse(readFileSync(jsonldFile, 'utf8')), { format: 'application/n-quads', documentLoader, safe: true });
const fromJsonLd = new Store(new Parser({ format: 'N-Quads' }).parse(nquads));
const fromTurtle = parseTurtle(readFileSync(turtleFile, 'utf8'));

const key = q => `${q.subject.value} ${q.predicate.value} ${q.object.termType}:${q.object.value}^${q.object.datatype?.value ?? ''}@${q.object.language ?? ''}`;
const a = new Set(fromJsonLd.getQuads().map(key));
const b = new Set(fromTurtle.getQuads().map(key));
const same = a.size === b.size && [...a].every(k => b.has(k));

const validator = new SHACLValidator(shapes);
const report = await validator.validate(fromTurtle);
const results = report.results.map(r => ({
  focus: r.focusNode?.value, path: r.path?.value, message: r.message.map(m => m.value).join(' '), severity: r.severity?.value,
}));
const { namedNode } = DataFactory;
const next = fromTurtle.getObjects(null, namedNode('http://www.w3.org/ns/hydra/core#next'), null).map(o => o.value);
const datasets = fromTurtle.getSubjects(namedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), namedNode('http://www.w3.org/ns/dcat#Dataset'), null).map(s => s.value);
console.log(JSON.stringify({ triples: b.size, same_triples: same, conforms: report.conforms, results, next: next[0] ?? null, datasets }));
