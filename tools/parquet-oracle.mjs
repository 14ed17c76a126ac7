// Parquet oracles for DataSpace.Parquet tests: DuckDB and hyparquet read files (or DuckDB writes them) and print
// schema, row count and values as JSON, with values in one canonical text form:
//   null | "true"/"false" | integers as decimal text | floats as JS number text | strings as-is
//   binary "hex:<lowercase hex>" | DATE as days since 1970 | TIMESTAMP as microseconds since 1970 | DECIMAL as text
//
//   node tools/parquet-oracle.mjs read <file>...           both readers on every file, one JSON array
//   node tools/parquet-oracle.mjs write-duckdb <dir> <rows> DuckDB writes one file per codec, then reads it back
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';

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
} else {
  process.stderr.write('usage: parquet-oracle.mjs read <file>... | write-duckdb <dir> <rows>\n');
  process.exit(2);
}
