// DuckDB's own summary of a CSV file, the baseline of the profiler row of ./dataspace bench (issue 15):
//   node tools/csv-summarize-duckdb.mjs FILE
// runs SUMMARIZE (select * from read_csv('FILE')) with DuckDB's defaults (type sniffing, all cores) and prints one
// JSON line: bytes, columns, seconds, mbps (10^6 bytes/s), peak_rss_mb (this process's maxRSS).
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node tools/csv-summarize-duckdb.mjs FILE');
  process.exit(2);
}
const bytes = statSync(file).size;
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const started = process.hrtime.bigint();
const reader = await conn.runAndReadAll(`summarize (select * from read_csv('${file.replaceAll("'", "''")}'))`);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({
  tool: 'duckdb-summarize',
  bytes,
  columns: reader.getRows().length,
  seconds: Number(seconds.toFixed(3)),
  mbps: Number((bytes / 1e6 / seconds).toFixed(1)),
  peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
}));
