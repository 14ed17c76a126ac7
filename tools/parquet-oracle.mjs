// Parquet oracles for DataSpace.Parquet tests: DuckDB and hyparquet read files (or DuckDB writes them) and print
// schema, row count and values as JSON, with values in one canonical text form:
//   null | "true"/"false" | integers as decimal text | floats as JS number text | strings as-is
//   binary "hex:<lowercase hex>" | DATE as days since 1970 | TIMESTAMP as microseconds since 1970 | DECIMAL as text
//
//   node tools/parquet-oracle.mjs read <file>...           both readers on every file, one JSON array
//   node tools/parquet-oracle.mjs write-duckdb <dir> <rows> DuckDB writes one file per codec, then reads it back
//   node tools/parquet-oracle.mjs write-duckdb-v2 <dir>     DuckDB writes v2-format files, then reads them back
//   node tools/parquet-oracle.mjs write-hyparquet <dir> <rows> hyparquet-writer writes data page v2 files; DuckDB reads them
//   node tools/parquet-oracle.mjs strings <file> <column> <hex probe>...
//        per row group the min/max statistics of a string column (hex of the UTF-8 bytes) as DuckDB and hyparquet read
//        them, and how many rows `column = probe` finds in each (both may skip row groups by those statistics)
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetQuery, parquetReadObjects, parquetSchema } from 'hyparquet';
import { parquetWriteFile } from 'hyparquet-writer';

const hex = (bytes) => 'hex:' + Buffer.from(bytes).toString('hex');

function canonDuck(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  const name = v.constructor?.name ?? '';
  if (name === 'DuckDBDateValue') return String(v.days);
  if ('micros' in v) return String(v.micros);
  if ('millis' in v) return String(BigInt(v.millis) * 1000n);
  if (name === 'DuckDBBlobValue') return hex(v.bytes);
  if (name === 'DuckDBDecimalValue') return v.toString();
  return `unknown:${name}:${String(v)}`;
}

function canonHy(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return hex(v);
  return `unknown:${String(v)}`;
}

const hyParsers = {
  timestampFromMilliseconds: (ms) => BigInt(ms) * 1000n,
  timestampFromMicroseconds: (us) => BigInt(us),
  timestampFromNanoseconds: (ns) => BigInt(ns) / 1000n,
  dateFromDays: (days) => days,
};

async function readDuck(conn, file) {
  const sql = `select * from read_parquet('${file.replaceAll("'", "''")}')`;
  const reader = await conn.runAndReadAll(sql);
  return {
    columns: reader.columnNames().map((name, i) => ({ name, type: reader.columnTypes()[i].toString() })),
    numRows: reader.currentRowCount,
    rows: reader.getRows().map((row) => row.map(canonDuck)),
  };
}

async function readHy(file) {
  const buf = await readFile(file);
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = parquetMetadata(arrayBuffer, { parsers: hyParsers });
  const leaves = parquetSchema(metadata).children.map((c) => c.element);
  const names = leaves.map((e) => e.name);
    // hyparquet decodes snappy itself; GZIP comes from Node's zlib.
  const compressors = { GZIP: (input) => new Uint8Array(gunzipSync(input)) };
  const objects = await parquetReadObjects({ file: arrayBuffer, metadata, utf8: false, parsers: hyParsers, compressors });
  return {
    columns: leaves.map((e) => ({
      name: e.name,
      type: e.type,
      converted: e.converted_type ?? null,
      logical: e.logical_type?.type ?? null,
      repetition: e.repetition_type,
    })),
    numRows: Number(metadata.num_rows),
    createdBy: metadata.created_by ?? null,
    keyValue: Object.fromEntries((metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value ?? null])),
    rows: objects.map((o) => names.map((n) => canonHy(o[n]))),
  };
}

async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

const [command, ...args] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();

if (command === 'read') {
  const out = [];
  for (const file of args) {
    out.push({ file, duckdb: await attempt(() => readDuck(conn, file)), hyparquet: await attempt(() => readHy(file)) });
  }
  process.stdout.write(JSON.stringify(out));
} else if (command === 'write-duckdb') {
  const [dir, rowsText] = args;
  const n = Number(rowsText ?? 5000);
  // Dictionary-friendly columns, nulls, every type the reader maps; small row groups so there are several.
  const select = `
    select
      (i % 2 = 0) as flag,
      case when i % 7 = 0 then null else (i % 1000)::integer end as small_int,
      (i * 1234567)::bigint - 5000000000 as big_int,
      (i / 4.0)::float as f32,
      case when i % 5 = 0 then null else i * 1.5 end::double as f64,
      case when i % 3 = 0 then null else 'name_' || (i % 37)::varchar end as dict_str,
      '用户_' || i::varchar as unique_str,
      ('\\x' || lpad(to_hex(i % 256), 2, '0'))::blob as bin,
      (date '2020-01-01' + (i % 4000)::integer) as day,
      (timestamptz '2024-03-01 00:00:00+00' + to_microseconds(i * 1000003)) as ts,
      (i * 0.001)::decimal(18,3) as money,
      (i - 2500)::decimal(9,2) as small_dec,
      (i * 1000000000000)::decimal(38,4) as wide_dec
    from range(${n}) t(i)`;
  const out = [];
  for (const codec of ['snappy', 'gzip', 'uncompressed', 'zstd']) {
    const file = `${dir}/duckdb_${codec}.parquet`;
    await conn.run(`copy (${select}) to '${file}' (format parquet, compression ${codec}, row_group_size 1000)`);
    out.push({ file, codec, duckdb: await readDuck(conn, file) });
  }
  process.stdout.write(JSON.stringify(out));
} else if (command === 'write-duckdb-v2') {
  // Data page v2 files: one that stays on dictionary/PLAIN encodings, one that uses DELTA_BINARY_PACKED.
  const [dir] = args;
  const out = [];
  const selects = {
    v2_dictionary: `select 'k' || (i % 10) as s, i % 3 = 0 as b, case when i % 4 = 0 then null else '值' || (i % 5) end as ns,
                    (i % 7)::double as d from range(5000) t(i)`,
    v2_delta: `select i::bigint * 3 as id from range(5000) t(i)`,
    nested: `select i as id, {'x': i, 'y': 'p' || i} as point, [i, i + 1] as pair from range(100) t(i)`,
  };
  for (const [name, select] of Object.entries(selects)) {
    const file = `${dir}/duckdb_${name}.parquet`;
    await conn.run(`copy (${select}) to '${file}' (format parquet, parquet_version v2, compression snappy, row_group_size 2048)`);
    const enc = await conn.runAndReadAll(`select distinct encodings from parquet_metadata('${file}')`);
    out.push({ file, name, encodings: enc.getRows().map((r) => String(r[0])), duckdb: await readDuck(conn, file) });
  }
  process.stdout.write(JSON.stringify(out));
} else if (command === 'write-hyparquet') {
  // hyparquet-writer writes data page v2 (levels outside the compressed part) and RLE booleans.
  const [dir, rowsText] = args;
  const n = Number(rowsText ?? 3000);
  const range = Array.from({ length: n }, (_, i) => i);
  const columnData = [
    { name: 'tag', type: 'STRING', data: range.map((i) => (i % 4 === 0 ? null : `标签_${i % 9}`)) },
    { name: 'unique', type: 'STRING', data: range.map((i) => `row-${i}-${(i * 7919) % 10007}`) },
    { name: 'n32', type: 'INT32', data: range.map((i) => (i % 11 === 0 ? null : i - 1000)) },
    { name: 'n64', type: 'INT64', data: range.map((i) => BigInt(i) * 1000000007n) },
    { name: 'real', type: 'DOUBLE', data: range.map((i) => i / 8) },
    { name: 'flag', type: 'BOOLEAN', data: range.map((i) => (i % 13 === 0 ? null : i % 3 === 0)) },
    { name: 'at', type: 'TIMESTAMP', data: range.map((i) => new Date(1700000000000 + i * 1001)) },
  ];
  const out = [];
  for (const codec of ['SNAPPY', 'UNCOMPRESSED']) {
    const file = `${dir}/hyparquet_${codec.toLowerCase()}.parquet`;
    parquetWriteFile({ filename: file, columnData, codec, rowGroupSize: 1000, pageSize: 4096 });
    out.push({ file, codec, duckdb: await readDuck(conn, file) });
  }
  process.stdout.write(JSON.stringify(out));
} else if (command === 'strings') {
  const [file, column, ...probes] = args;
  const quoted = `'${file.replaceAll("'", "''")}'`;
  const utf8 = (text) => (text === null || text === undefined ? null : hex(Buffer.from(text, 'utf8')));
  const stats = await conn.runAndReadAll(
    `select row_group_id, stats_min_value, stats_max_value from parquet_metadata(${quoted}) where path_in_schema = '${column}' order by row_group_id`);
  const duckdb = { groups: stats.getRows().map((r) => ({ min: utf8(r[1]), max: utf8(r[2]) })), matches: {} };
  const buf = await readFile(file);
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = parquetMetadata(arrayBuffer);
  const index = metadata.row_groups[0].columns.findIndex((c) => c.meta_data.path_in_schema.join('.') === column);
  const bound = (v) => (v === undefined || v === null ? null : v instanceof Uint8Array ? hex(v) : utf8(String(v)));
  const hyparquet = {
    groups: metadata.row_groups.map((g) => ({
      min: bound(g.columns[index].meta_data.statistics?.min_value),
      max: bound(g.columns[index].meta_data.statistics?.max_value),
    })),
    matches: {},
  };
  for (const probe of probes) {
    const value = Buffer.from(probe, 'hex').toString('utf8');
    const found = await conn.runAndReadAll(`select count(*) from read_parquet(${quoted}) where "${column}" = $1`, [value]);
    duckdb.matches[probe] = Number(found.getRows()[0][0]);
    const rows = await parquetQuery({ file: arrayBuffer, metadata, columns: [column], filter: { [column]: { $eq: value } } });
    hyparquet.matches[probe] = rows.length;
  }
  process.stdout.write(JSON.stringify({ duckdb, hyparquet }));
} else {
  process.stderr.write('usage: parquet-oracle.mjs read <file>... | write-duckdb <dir> <rows>\n');
  process.exit(2);
}
