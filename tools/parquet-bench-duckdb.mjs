// DuckDB's own Parquet writer on the usage-event row shape of bench/parquet (DataSpace.Bench.Parquet):
//   node tools/parquet-bench-duckdb.mjs [rows=10000000] [file=/tmp/duckdb-bench.parquet] [group-rows=1000000]
// prints one JSON line: rows, group_rows, seconds, rows_per_s, file_bytes, peak_rss_mb. Snappy, as bench/parquet writes (and
// DuckDB's own default); row groups of group-rows rows (ROW_GROUP_SIZE; DuckDB's default would be 122,880), so both
// writers cut the same groups. DuckDB runs with its default threads (all cores), bench/parquet on one.
import { statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const rows = Number(process.argv[2] ?? 10_000_000);
const file = process.argv[3] ?? '/tmp/duckdb-bench.parquet';
const groupRows = Number(process.argv[4] ?? 1_000_000);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const sql = `copy (
  select
    timestamptz '2026-01-01 00:00:00+00' + to_microseconds(i * 1000) as occurred_at,
    md5((i % 1000)::varchar)::uuid::varchar as org_id,
    'ds-' || (i % 500)::varchar as dataset_id,
    (i % 7)::integer as version,
    '/datasets/' || (i % 500)::varchar || '/part-' || (i % 4)::varchar || '.parquet' as file_path,
    (i * 7919 % 1048576)::bigint as bytes_sent,
    case when i % 3 = 0 then null else (i % 100000) * 4096 end::bigint as range_start,
    i % 10 <> 0 as completed,
    gen_random_uuid()::varchar as request_id
  from range(${rows}) t(i)
) to '${file.replaceAll("'", "''")}' (format parquet, compression snappy, row_group_size ${groupRows})`;
const started = process.hrtime.bigint();
await conn.run(sql);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({
  tool: 'duckdb',
  rows,
  group_rows: groupRows,
  seconds: Number(seconds.toFixed(3)),
  rows_per_s: Math.round(rows / seconds),
  file_bytes: statSync(file).size,
  peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
}));
