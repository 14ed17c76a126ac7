#!/usr/bin/env bash
# The scenarios of `./dataspace bench` (issues 3, 4 and 5), one phase per call:
#
#   context         machine facts, the source file (random bytes), SHA-256 and page-cache read rates
#   transfer        upload through the API vs dd conv=fsync to the same disk; full and 8 MiB-range downloads through
#                   the API vs Kestrel's bare Results.File of the same blob file, with the API's peak RSS growth
#   catalog         seed N published datasets with SQL, then wrk the catalog (list, Chinese q, English q) and the bare
#                   GET /bench/select1 (one pooled Npgsql round trip) at 64 connections
#   catalog-large   (issue 15) grow the catalog to BENCH_LARGE_DATASETS (1,000,000) with the same SQL, then the same
#                   wrk runs and select 1 again; run last but one, so that no other phase sees the larger catalog
#   consent         (issue 4) the demo source unit grants the demo authority a consent; wrk the authority's read of the
#                   unit's datasets through the consent gate vs the owner's own listing, counting audit_events around
#                   the authority run (appends/s); GET /v1/audit/verify afterwards; the same serialised append in SQL
#                   alone with pgbench as the baseline
#   rewards         (issue 5) seed 2,000 units, 100,000 paid datasets, 1,000,000 orders and ledger entries and one
#                   consent per unit to the demo bureau; time POST /v1/reward-runs beside psql's sum ... group by dataset
#   parquet         (issues 7, 13) BENCH_PARQUET_ROWS usage-event rows written to Parquet (snappy) by DataSpace.Parquet
#                   (bench/parquet) beside DuckDB's own COPY ... TO parquet and Parquet.Net of the same rows, each in its
#                   own process, at 65,536- and at 1,000,000-row groups
#   profile         (issues 7, 15) a BENCH_SIZE_MIB CSV uploaded and committed; the background profile's own duration and
#                   the API's RSS growth beside DuckDB's SUMMARIZE of the same stored file and reading it raw (dd, wc -l)
#   azurite-upload  the upload again, with the API writing to Azurite
#   report          the table on stdout and in .dataspace/bench/results.json
#
# Not for running by hand: `./dataspace bench` builds the API, starts its own PostgreSQL, API (and Azurite), exports the
# BENCH_* variables read below, calls the phases in order and always stops what it started. Each phase records its
# figures into results.json and the report renders them, both with the bench program bench/DataSpace.Bench (BENCH_TOOL,
# built by ./dataspace bench), which also reads every JSON answer: nothing here parses JSON or evaluates its own output.
# Nothing here asserts a figure: it measures and reports, and prints the issue's aims beside the figures for the
# reader to compare.
set -euo pipefail

: "${BENCH_STATE:?run ./dataspace bench, not bench/run.sh}"
: "${BENCH_URL:?}" "${BENCH_API_PID:=}" "${BENCH_SIZE_MIB:=1024}" "${BENCH_RUNS:=3}" "${BENCH_DURATION:=15}"
: "${BENCH_DATASETS:=100000}" "${BENCH_LARGE_DATASETS:=1000000}" "${BENCH_PARQUET_ROWS:=10000000}" "${BENCH_CONNECTIONS:=64}" "${BENCH_PHASE_BUDGET:=600}" "${REWARD_CURL_TIMEOUT:=240}"
: "${BENCH_TOOL:?the dll of bench/DataSpace.Bench: run ./dataspace bench, not bench/run.sh}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RESULTS="$BENCH_STATE/results.json"
DATA="$BENCH_STATE/data"
SOURCE="$DATA/source.bin"
MIB=1048576
RANGE_BYTES=$((8 * MIB))
SOURCE_UNIT_ORG="01900000-0000-7000-8000-000000000002" # seeds/0001: 中山市古镇灯饰数据科技有限公司
AUTHORITY_ORG="01900000-0000-7000-8000-000000000005"   # seeds/0001: 中山市工业和信息化局 (role authority)
MODEL_BUILDER_ORG="01900000-0000-7000-8000-000000000003" # seeds/0001: 中山市小榄智能家电研究院有限公司 (model_builder)
BUREAU_ORG="01900000-0000-7000-8000-000000000004"      # seeds/0001: 中山市政务服务和数据管理局 (data_bureau)
Q_ZH="灯饰"
Q_EN="inspection"

step() { printf '==> bench: %s\n' "$*" >&2; }
bench_tool() { dotnet "$BENCH_TOOL" "$@"; }
# json [--default VALUE] PATH < JSON: the value at PATH (.items[0].id; strings unquoted); absent: VALUE, or exit 1.
json() { bench_tool json "$@"; }
record() { bench_tool record "$RESULTS" "$1" "$2"; } # KEY VALUE: a number, true/false or text; *_runs: the runs, a list
note() { bench_tool note "$RESULTS" "$*"; printf 'bench: note: %s\n' "$*" >&2; }
fail() { note "$1"; exit 1; }

now_ns() { date +%s%N; }
# MB/s (10^6 bytes per second) from bytes and nanoseconds.
mbps() { awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.1f", b / 1e6 / (ns / 1e9) }'; }
median() { bench_tool median "$@"; } # of an even count the lower middle one
maximum() { bench_tool max "$@"; }
# Percent-encode every byte: valid in a query string whatever the text.
urlencode() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n' | sed 's/../%&/g'; }

# ---- the API process's memory: reset the peak (clear_refs 5), read VmHWM after -----------------------------------

RSS_BEFORE_KB=0
rss_reset() {
  echo 5 >"/proc/$BENCH_API_PID/clear_refs"
  RSS_BEFORE_KB="$(awk '/^VmRSS:/ { print $2 }' "/proc/$BENCH_API_PID/status")"
}
# Peak RSS since rss_reset minus the RSS before, in MB (10^6 bytes).
rss_growth_mb() {
  local hwm
  hwm="$(awk '/^VmHWM:/ { print $2 }' "/proc/$BENCH_API_PID/status")"
  awk -v a="$hwm" -v b="$RSS_BEFORE_KB" 'BEGIN { printf "%.1f", (a - b) * 1024 / 1e6 }'
}

# ---- HTTP ---------------------------------------------------------------------------------------------------------

token() { # CLIENT_ID SECRET -> an access token (client credentials, HTTP Basic)
  local body tok
  body="$(curl -sS -m 30 -u "$1:$2" -d grant_type=client_credentials "$BENCH_URL/connect/token")" ||
    fail "POST /connect/token failed for $1"
  tok="$(json --default "" access_token <<<"$body" 2>/dev/null)" || tok=""
  [[ -n "$tok" ]] || fail "POST /connect/token gave no access token for $1: ${body:0:300}"
  printf '%s\n' "$tok"
}

api_call() { # METHOD PATH TOKEN [JSON] -> the response body; fails on a non-2xx answer
  local method="$1" path="$2" tok="$3" body="${4:-}" out code
  out="$(mktemp)"
  local -a args=(-sS -m 120 -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $tok")
  if [[ -n "$body" ]]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
  code="$(curl "${args[@]}" "$BENCH_URL$path")" || code="${code:-000}"
  if [[ "$code" != 2* ]]; then
    note "$method $path answered $code: $(head -c 400 "$out")"
    rm -f "$out"
    return 1
  fi
  cat "$out"
  rm -f "$out"
}

create_dataset() { # TOKEN LABEL -> id of a new draft dataset with version 1 open
  local tok="$1" label="$2" id
  id="$(api_call POST /v1/datasets "$tok" "$(cat <<EOF
{"title":"基准测试 1 GiB 文件 bench file ($label)","description":"./dataspace bench：上传与下载的测速文件。Random bytes for the transfer scenarios.",
 "industry":"灯饰照明","tags":["bench","基准"],"access":"open","licence":"CC BY 4.0","update_frequency":"once",
 "security_level":"general","personal_information":"none",
 "provenance":{"source_type":"self_operated","source_systems":["bench generator"],
  "collection_period":{"start":"2026-01-01","end":"2026-01-31"},"collection_method":"random bytes","legal_basis":"generated test data",
  "rights":{"resource_holding":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"},
            "processing_use":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"},
            "product_operation":{"holder":"中山市古镇灯饰数据科技有限公司","basis":"自行采集"}},"lineage":[]}}
EOF
)" | json .id)" || fail "could not create a dataset (POST /v1/datasets)"
  [[ -n "$id" ]] || fail "POST /v1/datasets answered without an id"
  api_call POST "/v1/datasets/$id/versions" "$tok" '{"notes":"bench"}' >/dev/null || fail "could not open version 1 of $id"
  printf '%s\n' "$id"
}

put_file() { # FILE PATH TOKEN -> MB/s (wall time of curl streaming the file with -T)
  local file="$1" path="$2" tok="$3" bytes t0 t1 out
  bytes="$(stat -c %s "$file")"
  t0="$(now_ns)"
  out="$(curl -sS -m 600 -o "$DATA/put-response.json" -w '%{http_code} %{size_upload}' -T "$file" -H 'Expect:' \
    -H 'Content-Type: application/octet-stream' -H "Authorization: Bearer $tok" "$BENCH_URL$path")" || out="000 0"
  t1="$(now_ns)"
  read -r code sent <<<"$out"
  if [[ "$code" != 20[01] || "$sent" != "$bytes" ]]; then
    fail "PUT $path answered $code after $sent of $bytes bytes: $(head -c 400 "$DATA/put-response.json" 2>/dev/null)"
  fi
  mbps "$bytes" $((t1 - t0))
}

get_full() { # URL TOKEN(or -) BYTES -> MB/s of one GET to /dev/null
  local url="$1" tok="$2" bytes="$3" t0 t1 out
  local -a auth=()
  [[ "$tok" != - ]] && auth=(-H "Authorization: Bearer $tok")
  t0="$(now_ns)"
  out="$(curl -sS -m 600 -o /dev/null -w '%{http_code} %{size_download}' "${auth[@]}" "$url")" || out="000 0"
  t1="$(now_ns)"
  read -r code got <<<"$out"
  [[ "$code" == 200 && "$got" == "$bytes" ]] || fail "GET ${url%%\?*} answered $code with $got of $bytes bytes"
  mbps "$bytes" $((t1 - t0))
}

get_ranges() { # URL TOKEN(or -) BYTES -> MB/s of the whole file as sequential 8 MiB range requests (one curl, keep-alive)
  local url="$1" tok="$2" bytes="$3" cfg="$DATA/ranges.curlrc" off t0 t1 codes
  : >"$cfg"
  chmod 600 "$cfg"
  for (( off = 0; off < bytes; off += RANGE_BYTES )); do
    local end=$(( off + RANGE_BYTES - 1 < bytes - 1 ? off + RANGE_BYTES - 1 : bytes - 1 ))
    (( off > 0 )) && printf 'next\n' >>"$cfg"
    printf 'url = "%s"\nrange = "%s-%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{size_download}\\n"\n' \
      "$url" "$off" "$end" >>"$cfg"
    [[ "$tok" != - ]] && printf 'header = "Authorization: Bearer %s"\n' "$tok" >>"$cfg"
  done
  t0="$(now_ns)"
  codes="$(curl -sS -m 600 -K "$cfg")" || true
  t1="$(now_ns)"
  rm -f "$cfg"
  local summary
  summary="$(awk '$1 == 206 { n++; b += $2 } END { printf "%d %d", n, b }' <<<"$codes")"
  local want=$(( (bytes + RANGE_BYTES - 1) / RANGE_BYTES ))
  [[ "$summary" == "$want $bytes" ]] ||
    fail "8 MiB ranges of ${url%%\?*}: expected $want answers 206 with $bytes bytes in all, got (count bytes) $summary; first: $(head -n 1 <<<"$codes")"
  mbps "$bytes" $((t1 - t0))
}

psql_q() { "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d "$BENCH_DATABASE" -tAc "$1"; }

# ---- phases -------------------------------------------------------------------------------------------------------

phase_context() {
  mkdir -p "$DATA"
  record machine_cpus "$(nproc)"
  record machine_cpu "$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
  record machine_mem_gib "$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  record machine_kernel "$(uname -sr)"
  record machine_fs "$(df -PT "$BENCH_STATE" | awk 'NR == 2 { print $2 " on " $1 }')"
  record machine_dotnet "$(dotnet --version 2>/dev/null || echo unknown)"
  record machine_postgres "$(psql_q 'show server_version' 2>/dev/null || echo unknown)"

  local bytes=$((BENCH_SIZE_MIB * MIB)) t0 t1
  step "writing the ${BENCH_SIZE_MIB} MiB source file (random bytes) and flushing it to disk"
  t0="$(now_ns)"
  head -c "$bytes" /dev/urandom >"$SOURCE"
  sync "$SOURCE"
  t1="$(now_ns)"
  record source_bytes "$bytes"
  record ctx_source_seconds "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e9 }')"

  step "SHA-256 on one core (openssl speed -evp sha256 -bytes 8192 -seconds 3)"
  local k
  k="$(openssl speed -evp sha256 -bytes 8192 -seconds 3 2>/dev/null | awk 'tolower($1) == "sha256" { v = $NF } END { print v }')"
  k="${k%k}"
  if [[ -n "$k" ]]; then record ctx_sha256_mbps "$(awk -v k="$k" 'BEGIN { printf "%.1f", k / 1000 }')"; fi

  step "reading the source file from the page cache (dd of=/dev/null bs=8M)"
  dd if="$SOURCE" of=/dev/null bs=8M status=none # make sure it is cached
  t0="$(now_ns)"
  dd if="$SOURCE" of=/dev/null bs=8M status=none
  t1="$(now_ns)"
  record ctx_cache_read_mbps "$(mbps "$bytes" $((t1 - t0)))"
}

phase_transfer() {
  [[ -f "$SOURCE" ]] || fail "no source file: the context phase failed"
  local bytes su mb ds r
  bytes="$(stat -c %s "$SOURCE")"
  su="$(token "$BENCH_SOURCE_UNIT_ID" "$BENCH_SOURCE_UNIT_SECRET")"
  mb="$(token "$BENCH_MODEL_BUILDER_ID" "$BENCH_MODEL_BUILDER_SECRET")"
  ds="$(create_dataset "$su" "filesystem store")"
  local files="/v1/datasets/$ds/versions/1/files"

  step "warming up: a 4 MiB upload"
  head -c $((4 * MIB)) "$SOURCE" >"$DATA/warmup.bin"
  put_file "$DATA/warmup.bin" "$files/warmup.bin" "$su" >/dev/null

  # Interleaved, so that a drift of the machine hits both sides alike. dd's conv=fsync matches the API, which flushes
  # the blob to disk before it records it.
  local -a up=() raw=() rss=()
  for (( r = 1; r <= BENCH_RUNS; r++ )); do
    step "upload run $r/$BENCH_RUNS: dd bs=8M conv=fsync, then PUT through the API (filesystem store)"
    local t0 t1
    t0="$(now_ns)"
    dd if="$SOURCE" of="$DATA/raw-write.bin" bs=8M conv=fsync status=none
    t1="$(now_ns)"
    rm -f "$DATA/raw-write.bin"
    raw+=("$(mbps "$bytes" $((t1 - t0)))")
    rss_reset
    up+=("$(put_file "$SOURCE" "$files/run-$r.bin" "$su")")
    rss+=("$(rss_growth_mb)")
  done
  record raw_write_runs "${raw[*]}"
  record raw_write_mbps "$(median "${raw[@]}")"
  record up_fs_runs "${up[*]}"
  record up_fs_mbps "$(median "${up[@]}")"
  record up_fs_rss_runs "${rss[*]}"
  record up_fs_rss_mb "$(maximum "${rss[@]}")"

  api_call POST "/v1/datasets/$ds/versions/1/commit" "$su" >/dev/null || fail "commit of the bench version failed"
  api_call POST "/v1/datasets/$ds/publish" "$su" >/dev/null || fail "publish of the bench dataset failed"

  # The bare endpoint serves the very blob file the API streams (same bytes, same disk).
  local key blob
  key="$(psql_q "select b.blob_key from version_files f join blobs b on b.sha256 = f.sha256 where f.dataset_id = '$ds' and f.version_number = 1 and f.path = 'run-1.bin'")"
  blob="$BENCH_BLOBS/$key"
  [[ -n "$key" && -f "$blob" ]] || fail "the uploaded blob is not in $BENCH_BLOBS (key '$key')"
  [[ "$(stat -c %s "$blob")" == "$bytes" ]] || fail "the stored blob $blob does not have $bytes bytes"
  cmp -s "$SOURCE" "$blob" || fail "the stored blob differs from the source file"

  local api_url="$BENCH_URL$files/run-1.bin" bare_url
  bare_url="$BENCH_URL/bench/bare-file?path=$(urlencode "$blob")"
  step "warming up the download paths"
  curl -sS -o /dev/null -r 0-1048575 -H "Authorization: Bearer $mb" "$api_url"
  curl -sS -o /dev/null -r 0-1048575 "$bare_url"

  local -a fa=() fb=() ra=() rb=() fa_rss=() fb_rss=() ra_rss=() rb_rss=()
  for (( r = 1; r <= BENCH_RUNS; r++ )); do
    step "download run $r/$BENCH_RUNS: full GET and 8 MiB ranges, through the API and bare Results.File"
    rss_reset; fa+=("$(get_full "$api_url" "$mb" "$bytes")"); fa_rss+=("$(rss_growth_mb)")
    rss_reset; fb+=("$(get_full "$bare_url" - "$bytes")"); fb_rss+=("$(rss_growth_mb)")
    rss_reset; ra+=("$(get_ranges "$api_url" "$mb" "$bytes")"); ra_rss+=("$(rss_growth_mb)")
    rss_reset; rb+=("$(get_ranges "$bare_url" - "$bytes")"); rb_rss+=("$(rss_growth_mb)")
  done
  record range_requests $(( (bytes + RANGE_BYTES - 1) / RANGE_BYTES ))
  record dl_full_api_runs "${fa[*]}";   record dl_full_api_mbps "$(median "${fa[@]}")"
  record dl_full_bare_runs "${fb[*]}";  record dl_full_bare_mbps "$(median "${fb[@]}")"
  record dl_rng_api_runs "${ra[*]}";    record dl_rng_api_mbps "$(median "${ra[@]}")"
  record dl_rng_bare_runs "${rb[*]}";   record dl_rng_bare_mbps "$(median "${rb[@]}")"
  record dl_full_api_rss_mb "$(maximum "${fa_rss[@]}")"
  record dl_full_bare_rss_mb "$(maximum "${fb_rss[@]}")"
  record dl_rng_api_rss_mb "$(maximum "${ra_rss[@]}")"
  record dl_rng_bare_rss_mb "$(maximum "${rb_rss[@]}")"
  record dl_usage_events "$(psql_q "select count(*) from usage_events where dataset_id = '$ds'")"
}

# Milliseconds from a wrk latency (850.00us, 1.23ms, 1.02s, 1.50m).
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

wrk_warmup() { # URL [TOKEN]: 3 s at the same concurrency, result discarded
  local url="$1" tok="${2:-}"
  local -a hdr=()
  [[ -n "$tok" ]] && hdr=(-H "Authorization: Bearer $tok")
  wrk -t2 -c"$BENCH_CONNECTIONS" -d3s --timeout 10s "${hdr[@]}" "$url" >/dev/null
}

# The measured run: records PREFIX_NAME_{rps,p50,p99,errors,requests} (requests: completed in the run, wrk's count).
wrk_measure() { # NAME URL [TOKEN] [PREFIX, default cat]
  local name="$1" url="$2" tok="${3:-}" prefix="${4:-cat}" out log="$BENCH_STATE/logs/wrk-${4:-cat}-$1.txt"
  local -a hdr=()
  [[ -n "$tok" ]] && hdr=(-H "Authorization: Bearer $tok")
  # --timeout 10s: wrk's default of 2 s would drop the slowest answers from the latency figures.
  out="$(wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_DURATION}s" --timeout 10s --latency "${hdr[@]}" "$url")"
  printf '%s\n' "$out" >"$log"
  local rps p50 p99 non2xx sock requests
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
  p50="$(awk '$1 == "50%" { print $2 }' <<<"$out")"
  p99="$(awk '$1 == "99%" { print $2 }' <<<"$out")"
  requests="$(awk '/ requests in / { print $1; exit }' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
  # "  Socket errors: connect 0, read 0, write 0, timeout 297": the sum of the numbers (timeouts included).
  sock="$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s + 0 }' <<<"$out")"
  [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || fail "could not read wrk's output for $name (see ${log#"$BENCH_STATE"/})"
  record "${prefix}_${name}_rps" "$rps"
  record "${prefix}_${name}_p50" "$(to_ms "$p50")"
  record "${prefix}_${name}_p99" "$(to_ms "$p99")"
  record "${prefix}_${name}_requests" "${requests:-0}"
  record "${prefix}_${name}_errors" "$(( ${non2xx:-0} + ${sock:-0} ))"
  if (( ${non2xx:-0} + ${sock:-0} > 0 )); then
    note "wrk $name: ${non2xx:-0} non-2xx answers and ${sock:-0} socket errors (see .dataspace/bench/logs/wrk-$prefix-$name.txt)"
  fi
}

wrk_run() { # NAME URL [TOKEN] [PREFIX] -> a warm-up, then wrk_measure
  step "wrk $1: 3 s warm-up, then -t2 -c$BENCH_CONNECTIONS -d${BENCH_DURATION}s --latency ${2#"$BENCH_URL"}"
  wrk_warmup "$2" "${3:-}"
  wrk_measure "$@"
}

# Seeds published datasets FIRST..LAST of the demo source unit with bench/seed-catalog.sql; records PREFIX_datasets,
# PREFIX_seed_seconds and how many rows each q matches.
seed_catalog() { # FIRST LAST PREFIX
  local t0 t1
  step "seeding published datasets $1..$2 with SQL (bench/seed-catalog.sql)"
  t0="$(now_ns)"
  "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -v first="$1" -v n="$2" -v owner="$SOURCE_UNIT_ORG" -h 127.0.0.1 -p "$BENCH_PG_PORT" \
    -U postgres -d "$BENCH_DATABASE" -f "$BENCH_DIR/seed-catalog.sql" >/dev/null || fail "seeding the catalog failed"
  t1="$(now_ns)"
  record "$3_datasets" "$(psql_q "select count(*) from datasets where status = 'published'")"
  record "$3_seed_seconds" "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e9 }')"
  record "$3_zh_matches" "$(psql_q "select count(*) from datasets where status = 'published' and search_text like '%$Q_ZH%'")"
  record "$3_en_matches" "$(psql_q "select count(*) from datasets where status = 'published' and search_text like '%$Q_EN%'")"
}

# The catalog's three reads, checked once, then measured; select 1 in the same phase as their baseline.
wrk_catalog() { # PREFIX
  local mb list zh en url items
  mb="$(token "$BENCH_MODEL_BUILDER_ID" "$BENCH_MODEL_BUILDER_SECRET")"
  list="$BENCH_URL/v1/datasets?limit=20"
  zh="$BENCH_URL/v1/datasets?q=$(urlencode "$Q_ZH")&limit=20"
  en="$BENCH_URL/v1/datasets?q=$Q_EN&limit=20"
  for url in "$list" "$zh" "$en"; do
    items="$(api_call GET "${url#"$BENCH_URL"}" "$mb" | bench_tool count .items)" || fail "GET ${url#"$BENCH_URL"} failed"
    [[ "$items" == 20 ]] || note "GET ${url#"$BENCH_URL"} listed $items datasets, not 20"
  done

  wrk_run list "$list" "$mb" "$1"
  wrk_run zh "$zh" "$mb" "$1"
  wrk_run en "$en" "$mb" "$1"
  wrk_run select1 "$BENCH_URL/bench/select1" "" "$1"
  if [[ "$1" == cat ]]; then
    wrk_run me "$BENCH_URL/v1/organizations/me" "$mb"
    wrk_run live "$BENCH_URL/health/live"
  fi
}

phase_catalog() {
  seed_catalog 1 "$BENCH_DATASETS" cat
  record ctx_seed_seconds "$(bench_tool get "$RESULTS" cat_seed_seconds)"
  wrk_catalog cat
}

phase_catalog_large() {
  local have
  have="$(psql_q "select count(*) from datasets where provenance ->> 'collection_method' = 'synthetic rows for ./dataspace bench'")"
  (( BENCH_LARGE_DATASETS > have )) || fail "the catalog already has $have bench datasets (BENCH_LARGE_DATASETS=$BENCH_LARGE_DATASETS)"
  # Numbered after the rows of every earlier phase (the rewards phase seeds datasets of its own), so the ids stay unique.
  seed_catalog "$((have + 1))" "$BENCH_LARGE_DATASETS" cat1m
  wrk_catalog cat1m
}

# ---- consents and audit (issue 4) ---------------------------------------------------------------------------------

audit_count() { psql_q "select count(*) from audit_events"; }
recorded() { bench_tool get "$RESULTS" "$1"; } # a figure this run recorded

# GET with a token; prints "CODE ITEMS CONSENT_HEADER" (ITEMS: datasets listed, the length of "items").
probe_list() { # URL TOKEN
  local hdrs body code items consent
  hdrs="$(mktemp)" body="$(mktemp)"
  code="$(curl -sS -m 60 -D "$hdrs" -o "$body" -w '%{http_code}' -H "Authorization: Bearer $2" "$1")" || code=000
  items="$(bench_tool count .items <"$body" 2>/dev/null)" || items=0
  consent="$(awk -F': *' 'tolower($1) == "x-dataspace-consent" { gsub(/\r/, "", $2); print $2 }' "$hdrs")"
  [[ "$code" == 200 ]] || note "GET ${1#"$BENCH_URL"} answered $code: $(head -c 300 "$body")"
  rm -f "$hdrs" "$body"
  printf '%s %s %s\n' "$code" "$items" "${consent:--}"
}

# The machine's side of the audit row: the same serialised append in SQL alone, 64 pgbench clients on this
# PostgreSQL (durable settings, same disk) in a scratch database: advisory transaction lock, read the head, insert the
# next row with a SHA-256 over the previous hash, commit. No HTTP, no token, no catalog query.
audit_sql_baseline() {
  local pgbench="${BENCH_PGBENCH:-$(dirname "$BENCH_PSQL")/pgbench}" db=bench_scratch script="$DATA/append.sql" out
  [[ -x "$pgbench" ]] || { note "pgbench not found next to psql: no SQL baseline for the audit row"; return 0; }
  PGOPTIONS='-c client_min_messages=warning' psql_q "drop database if exists $db" >/dev/null
  psql_q "create database $db" >/dev/null
  "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d "$db" >/dev/null <<'SQL'
create table chain (
    seq bigint primary key, occurred_at timestamptz not null, actor_org_id uuid, subject_org_id uuid,
    object_type text not null, action text not null, details text not null, prev_hash bytea not null, hash bytea not null);
create index chain_subject_idx on chain (subject_org_id, seq);
create index chain_actor_idx on chain (actor_org_id, seq);
insert into chain values (1, now(), null, null, 'genesis', 'created', '{}', '\x00'::bytea, sha256('genesis'));
SQL
  cat >"$script" <<'SQL'
begin;
select pg_advisory_xact_lock(4543);
insert into chain (seq, occurred_at, actor_org_id, subject_org_id, object_type, action, details, prev_hash, hash)
  select seq + 1, clock_timestamp(), '01900000-0000-7000-8000-000000000005', '01900000-0000-7000-8000-000000000002',
         'datasets', 'read', '{"category":"dataset_files","count":20}', hash,
         sha256(hash || convert_to((seq + 1)::text || ' datasets read', 'UTF8'))
  from chain order by seq desc limit 1;
commit;
SQL
  step "SQL baseline: pgbench -n -c$BENCH_CONNECTIONS -j2 -T$BENCH_DURATION, one serialised chain append per transaction"
  if ! out="$("$pgbench" -n -c "$BENCH_CONNECTIONS" -j 2 -T "$BENCH_DURATION" -f "$script" \
      -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres "$db" 2>&1)"; then
    note "pgbench failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    return 0
  fi
  printf '%s\n' "$out" >"$BENCH_STATE/logs/pgbench-append.txt"
  record cons_sql_append_tps "$(awk '/^tps = / { printf "%.0f", $3; exit }' <<<"$out")"
  record cons_sql_append_latency_ms "$(awk '/^latency average = / { print $4; exit }' <<<"$out")"
  psql_q "drop database $db" >/dev/null || true
}

phase_consent() {
  local unit="$SOURCE_UNIT_ORG" su au from until consent body
  su="$(token "$BENCH_SOURCE_UNIT_ID" "$BENCH_SOURCE_UNIT_SECRET")"
  au="$(token "$BENCH_AUTHORITY_ID" "$BENCH_AUTHORITY_SECRET")"
  from="$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)"
  until="$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)"
  body="{\"grantee\":\"$AUTHORITY_ORG\",\"categories\":[\"dataset_files\",\"usage_statistics\"],\"all_datasets\":true,"
  body+="\"dataset_ids\":[],\"purpose\":{\"code\":\"bench\",\"text\":\"bench\"},\"legal_basis\":\"bench\","
  body+="\"valid_from\":\"$from\",\"valid_until\":\"$until\"}"
  step "POST /v1/consents: the demo source unit lets the demo authority read all its datasets (dataset_files, usage_statistics)"
  consent="$(api_call POST /v1/consents "$su" "$body" | json .id)" ||
    fail "the consent for the bench could not be granted (POST /v1/consents)"
  [[ -n "$consent" ]] || fail "POST /v1/consents answered without an id"
  record cons_consent_id "$consent"
  record cons_unit_datasets "$(psql_q "select count(*) from datasets where owner_id = '$unit'")"

  local auth_url="$BENCH_URL/v1/authority/units/$unit/datasets?limit=20" owner_url="$BENCH_URL/v1/datasets?owner=$unit&limit=20"
  local code items header
  read -r code items header <<<"$(probe_list "$auth_url" "$au")"
  [[ "$code" == 200 ]] || fail "the authority's read through the consent gate answered $code"
  [[ "$header" == "$consent" ]] || note "the authority's read names consent '$header' in X-DataSpace-Consent, not the bench's $consent"
  [[ "$items" == 20 ]] || note "GET ${auth_url#"$BENCH_URL"} listed $items datasets, not 20"
  read -r code items header <<<"$(probe_list "$owner_url" "$su")"
  [[ "$code" == 200 ]] || fail "the owner's read of its own datasets answered $code"
  [[ "$items" == 20 ]] || note "GET ${owner_url#"$BENCH_URL"} listed $items datasets, not 20"

  # The owner first, then the authority. audit_events is counted around each measured run (not the warm-ups): the
  # authority's difference over the wall time is the append rate; the owner's should be 0.
  local name url tok c0 c1 t0 t1 ns=0
  for name in owner authority; do
    if [[ "$name" == owner ]]; then url="$owner_url" tok="$su"; else url="$auth_url" tok="$au"; fi
    step "wrk $name: 3 s warm-up, then -t2 -c$BENCH_CONNECTIONS -d${BENCH_DURATION}s --latency ${url#"$BENCH_URL"}"
    wrk_warmup "$url" "$tok"
    c0="$(audit_count)"
    t0="$(now_ns)"
    wrk_measure "$name" "$url" "$tok" cons
    t1="$(now_ns)"
    c1="$(audit_count)"
    ns=$((t1 - t0))
    record "cons_${name}_audit_events" $((c1 - c0))
    record "cons_${name}_seconds" "$(awk -v ns="$ns" 'BEGIN { printf "%.2f", ns / 1e9 }')"
  done
  local events owner_events answered diff
  events="$(recorded cons_authority_audit_events)"
  owner_events="$(recorded cons_owner_audit_events)"
  record cons_audit_events_per_s "$(awk -v n="$events" -v ns="$ns" 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
  # One event per answered read. wrk's completed count and the rows added may differ by the requests in flight when
  # the run started and stopped (at most one per connection each time).
  answered=$(( $(recorded cons_authority_requests) - $(recorded cons_authority_errors) ))
  diff=$(( events - answered ))
  if (( diff < -2 * BENCH_CONNECTIONS || diff > 2 * BENCH_CONNECTIONS )); then
    note "the authority run added $events audit events for $answered answered reads (expected one each, give or take the requests in flight)"
  fi
  if (( owner_events != 0 )); then
    note "the owner's catalog reads added $owner_events audit events (expected none)"
  fi

  step "GET /v1/audit/verify after the load (walks the whole chain and recomputes every hash)"
  local verify valid length broken problem
  verify="$(api_call GET /v1/audit/verify "$su")" || fail "GET /v1/audit/verify failed after the load"
  valid="$(json --default "" valid <<<"$verify")"
  length="$(json --default "" length <<<"$verify")"
  record cons_audit_valid "${valid:-unknown}"
  record cons_audit_length "${length:-}"
  record cons_audit_rows "$(audit_count)"
  if [[ "$valid" != true ]]; then
    broken="$(json --default "" first_broken_seq <<<"$verify")"
    problem="$(json --default "" problem <<<"$verify")"
    record cons_audit_first_broken_seq "${broken:-}"
    note "THE AUDIT CHAIN IS NOT VALID after the load: first broken event ${broken:-?}: ${problem:-?} (GET /v1/audit/verify: ${verify:0:400})"
  fi

  audit_sql_baseline
}

# ---- audit appends in 64 organisations (issue 15) -----------------------------------------------------------------

# BENCH_CONNECTIONS source units, registered through the API by the demo operator, each with a client and one draft
# dataset; wrk then PATCHes the datasets, each connection's requests going round its thread's share of the units, so
# the writers belong to BENCH_CONNECTIONS organisations. Every PATCH appends one audit event in the same transaction
# as the change and answers once both are durable: with one global chain lock the commits queue behind each other,
# with a partition per organisation they go together. Events/s = rows added to audit_events / wall time.
phase_audit() {
  local op units="$BENCH_CONNECTIONS" list="$DATA/audit-writers.txt" lua="$DATA/audit-writers.lua" i org client secret tok id
  op="$(token "$BENCH_OPERATOR_ID" "$BENCH_OPERATOR_SECRET")"
  step "registering $units source units (POST /v1/organizations, a client each, one draft dataset each)"
  : >"$list"
  for ((i = 1; i <= units; i++)); do
    org="$(api_call POST /v1/organizations "$op" "{\"name\":\"基准审计数源单位 $i\",\"unified_social_credit_code\":\"$(bench_uscc "$i")\",\"roles\":[\"source_unit\"]}" | json id)" ||
      fail "could not register source unit $i"
    client="$(api_call POST "/v1/organizations/$org/clients" "$op" '{"name":"bench audit writer"}')" || fail "could not create a client for unit $i"
    secret="$(json client_secret <<<"$client")"
    tok="$(token "$(json client_id <<<"$client")" "$secret")"
    id="$(create_dataset "$tok" "audit writer $i")"
    printf '%s %s\n' "$tok" "$id" >>"$list"
  done
  cat >"$lua" <<LUA
local writers, n, thread_no, i = {}, 0, 0, 0
local threads = 0
function setup(thread) thread:set("no", threads); threads = threads + 1 end
function init(args)
  for line in io.lines("$list") do
    local tok, id = line:match("(%S+) (%S+)")
    n = n + 1
    writers[n] = { tok = tok, id = id }
  end
  thread_no = no
end
function request()
  -- Thread t takes units t, t + 2, t + 4, …: the two threads' in-flight writes belong to different organisations.
  local w = writers[((i * 2 + thread_no) % n) + 1]
  i = i + 1
  return wrk.format("PATCH", "/v1/datasets/" .. w.id,
    { ["Authorization"] = "Bearer " .. w.tok, ["Content-Type"] = "application/merge-patch+json" },
    '{"description":"基准测试：第 ' .. i .. ' 次修改 bench edit"}')
end
LUA
  step "wrk audit writers: 3 s warm-up, then -t2 -c$BENCH_CONNECTIONS -d${BENCH_DURATION}s PATCH /v1/datasets/{id} over $units organisations"
  wrk -t2 -c"$BENCH_CONNECTIONS" -d3s --timeout 10s -s "$lua" "$BENCH_URL" >/dev/null
  local c0 c1 t0 t1 out log="$BENCH_STATE/logs/wrk-audit-writers.txt" non2xx requests
  c0="$(audit_count)"
  t0="$(now_ns)"
  out="$(wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_DURATION}s" --timeout 10s --latency -s "$lua" "$BENCH_URL")"
  t1="$(now_ns)"
  c1="$(audit_count)"
  printf '%s\n' "$out" >"$log"
  requests="$(awk '/ requests in / { print $1; exit }' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
  (( ${non2xx:-0} == 0 )) || note "wrk audit writers: ${non2xx} non-2xx answers (see ${log#"$BENCH_STATE"/})"
  record aud_writers "$units"
  record aud_events $((c1 - c0))
  record aud_requests "${requests:-0}"
  record aud_events_per_s "$(awk -v n=$((c1 - c0)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
  record aud_p99 "$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"

  step "GET /v1/audit/verify after the writers"
  local verify
  verify="$(api_call GET /v1/audit/verify "$tok")" || fail "GET /v1/audit/verify failed after the writers"
  record aud_valid "$(json valid <<<"$verify")"
  [[ "$(json valid <<<"$verify")" == true ]] ||
    note "THE AUDIT CHAIN IS NOT VALID after the writers: ${verify:0:400}"
}

# A valid 统一社会信用代码 for bench unit N: 91 442000 (中山市) + 8 digits + the GB 32100-2015 check character.
bench_uscc() {
  awk -v n="$1" 'BEGIN {
    a = "0123456789ABCDEFGHJKLMNPQRTUWXY"; split("1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28", w, " ")
    s = sprintf("91442000%09d", 700000000 + n); sum = 0
    for (i = 1; i <= 17; i++) sum += (index(a, substr(s, i, 1)) - 1) * w[i]
    printf "%s%s", s, substr(a, (31 - sum % 31) % 31 + 1, 1) }'
}

# ---- corpus rewards (issue 5) -------------------------------------------------------------------------------------

# The reward run over :units units x :per_unit datasets x :per_dataset ledger entries, seeded with SQL into the API's
# own database, beside the plain SQL sum of the same ledger rows per dataset. In turn, SQL first, each run recorded at
# once; the API runs stop early when the phase's time budget (bench_phase's 600 s) would not allow another.
: "${REWARD_UNITS:=2000}" "${REWARD_PER_UNIT:=50}" "${REWARD_PER_DATASET:=10}" # sizes: override only to try the phase out
REWARD_FROM=2026-01-01 REWARD_TO=2026-12-31
REWARD_SQL="select dataset_id, sum(amount_fen) from revenue_entries where occurred_at >= '2026-01-01T00:00:00+08' and occurred_at < '2027-01-01T00:00:00+08' group by dataset_id"

phase_rewards() {
  local t0 t1 start=$SECONDS
  local datasets=$(( REWARD_UNITS * REWARD_PER_UNIT )) entries=$(( REWARD_UNITS * REWARD_PER_UNIT * REWARD_PER_DATASET ))
  step "seeding $REWARD_UNITS units, $datasets paid datasets, $entries orders and ledger entries, $REWARD_UNITS consents to the bureau (bench/seed-rewards.sql)"
  t0="$(now_ns)"
  "$BENCH_PSQL" -X -q -v ON_ERROR_STOP=1 -v units="$REWARD_UNITS" -v per_unit="$REWARD_PER_UNIT" \
    -v per_dataset="$REWARD_PER_DATASET" -v bureau="$BUREAU_ORG" -v buyer="$MODEL_BUILDER_ORG" \
    -h 127.0.0.1 -p "$BENCH_PG_PORT" -U postgres -d "$BENCH_DATABASE" -f "$BENCH_DIR/seed-rewards.sql" >/dev/null ||
    fail "seeding the reward data failed"
  t1="$(now_ns)"
  record rew_seed_seconds "$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e9 }')"
  record rew_units "$REWARD_UNITS"
  record rew_datasets "$datasets"
  record rew_entries "$(psql_q "select count(*) from revenue_entries")"
  record rew_revenue_fen "$(psql_q "select coalesce(sum(amount_fen), 0) from revenue_entries where occurred_at >= '2026-01-01T00:00:00+08' and occurred_at < '2027-01-01T00:00:00+08'")"

  local bu policy
  bu="$(token "$BENCH_BUREAU_ID" "$BENCH_BUREAU_SECRET")"
  policy="$(api_call POST /v1/reward-policies "$bu" \
    '{"name":"bench","cap_scope":"per_period","min_files":0,"min_bytes":0,"min_versions_in_period":0,"min_paying_consumers":0}' | json .id)" ||
    fail "could not create the reward policy (POST /v1/reward-policies)"
  [[ -n "$policy" ]] || fail "POST /v1/reward-policies answered without an id"
  local body="{\"policy_id\":\"$policy\",\"period_from\":\"$REWARD_FROM\",\"period_to\":\"$REWARD_TO\"}"

  step "warming up the SQL side: the sum once"
  PGOPTIONS='-c jit=off' psql_q "$REWARD_SQL" >/dev/null

  local -a api=() sql=() timing=()
  local r out code secs rows run_id last=0 budget=$(( BENCH_PHASE_BUDGET - 30 ))
  for (( r = 1; r <= 3; r++ )); do
    if (( r > 1 && SECONDS - start + last > budget )); then
      note "reward runs: stopped after $((r - 1)) API run(s), another ($last s) would not fit the phase's time limit"
      break
    fi
    step "reward run $r/3: plain SQL sum ... group by dataset (psql), then POST /v1/reward-runs"
    t0="$(now_ns)"
    # Under the API's own session settings (DatabaseServices.SessionOptions: no JIT), so both sides run on equal terms.
    rows="$(PGOPTIONS='-c jit=off' psql_q "$REWARD_SQL" | wc -l)"
    t1="$(now_ns)"
    sql+=("$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')")
    record rew_sql_rows "$rows"
    record rew_sql_runs "${sql[*]}"
    record rew_sql_seconds "$(median "${sql[@]}")"

    # On a curl error (a timeout) -w still prints "000 SECONDS".
    out="$(curl -sS -m "$REWARD_CURL_TIMEOUT" -o "$DATA/reward-run.json" -D "$DATA/reward-run.headers" -w '%{http_code} %{time_total}' -X POST \
      -H "Authorization: Bearer $bu" -H 'Content-Type: application/json' --data-binary "$body" "$BENCH_URL/v1/reward-runs")" || true
    read -r code secs <<<"$out"
    last="${secs%.*}"; last="${last:-0}"
    if [[ "$code" != 201 ]]; then
      secs="$(awk -v s="${secs:-0}" 'BEGIN { printf "%.1f", s }')"
      record rew_api_failed "$code after $secs s"
      # A query the API left running after curl gave up would load the machine during the next phase.
      local cancelled
      cancelled="$(psql_q "select count(*) filter (where pg_cancel_backend(pid)) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like '%revenue_entries%'")" || cancelled="?"
      (( cancelled == 0 )) 2>/dev/null || note "reward runs: cancelled $cancelled query(ies) on revenue_entries still running after curl gave up"
      if [[ "${code:-000}" == 000 ]]; then
        fail "POST /v1/reward-runs run $r: no answer within curl's -m $REWARD_CURL_TIMEOUT ($secs s); the row shows n/a"
      fi
      fail "POST /v1/reward-runs run $r answered $code after $secs s: $(head -c 300 "$DATA/reward-run.json" 2>/dev/null)"
    fi
    api+=("$(awk -v s="$secs" 'BEGIN { printf "%.3f", s }')")
    record rew_api_runs "${api[*]}"
    record rew_api_seconds "$(median "${api[@]}")"
    record rew_api_response_bytes "$(stat -c %s "$DATA/reward-run.json")"
    # The API's own split of the run (Server-Timing: gather, compute, store), one entry per run.
    timing+=("$(tr -d '\r' <"$DATA/reward-run.headers" | awk -F': ' 'tolower($1) == "server-timing" { gsub(/;dur=/, " "); gsub(/, /, " ms, "); print $2 " ms" }')")
    record rew_api_timing "$(printf '%s | ' "${timing[@]}")"
    run_id="$(json .id <"$DATA/reward-run.json")"
    if (( r == 1 )); then
      record rew_run_lines "$(psql_q "select count(*) from reward_run_lines where run_id = '$run_id'")"
      record rew_run_total_fen "$(psql_q "select total_fen from reward_runs where id = '$run_id'")"
      record rew_run_units "$(psql_q "select units_in_programme from reward_runs where id = '$run_id'")"
      record rew_api_lines_in_answer "$(json .line_count <"$DATA/reward-run.json")"
    fi
  done
  record rew_api_run_count "${#api[@]}"
  local lines
  lines="$(recorded rew_run_lines)"
  [[ "$lines" == "$datasets" ]] || note "the reward run has $lines lines, not $datasets"
}

phase_profile() {
  local su ds csv="$DATA/profile.csv" target=$(( BENCH_SIZE_MIB * MIB )) version status="" waited=0 blob t0 t1 bytes r
  su="$(token "$BENCH_SOURCE_UNIT_ID" "$BENCH_SOURCE_UNIT_SECRET")"
  step "writing a ${BENCH_SIZE_MIB} MiB CSV (8 typed columns, Chinese text, some empty fields)"
  awk -v target="$target" 'BEGIN {
    print "id,occurred_on,unit,amount_yuan,quantity,passed,region,note"; size = 60
    srand(7)
    while (size < target) {
      i++
      line = i "," sprintf("2026-%02d-%02d", 1 + i % 12, 1 + i % 28) ",unit-" (i % 997) "," sprintf("%.2f", (i % 100000) / 7) "," (i % 5000) \
        "," ((i % 3) ? "true" : "false") "," ((i % 4) ? "古镇" : "小榄") "," ((i % 10) ? "灯饰出口 批次" i : "")
      print line; size += length(line) + 1
    }
  }' >"$csv"
  bytes="$(stat -c %s "$csv")"
  ds="$(create_dataset "$su" "profile")"
  put_file "$csv" "/v1/datasets/$ds/versions/1/files/profile.csv" "$su" >/dev/null
  rm -f "$csv"
  rss_reset
  step "committing: the profiler reads the file in the background"
  api_call POST "/v1/datasets/$ds/versions/1/commit" "$su" >/dev/null || fail "commit failed"
  while (( waited < BENCH_PHASE_BUDGET - 60 )); do
    version="$(api_call GET "/v1/datasets/$ds/versions/1" "$su")" || fail "could not read the version"
    status="$(json --default "" '.files[0].profile.status' <<<"$version")"
    [[ "$status" == done || "$status" == failed ]] && break
    sleep 1; waited=$(( waited + 1 ))
  done
  [[ "$status" == done ]] || fail "profile did not finish (status ${status:-none}): ${version:0:400}"
  record prof_rss_mb "$(rss_growth_mb)"
  local ms rows
  ms="$(json '.files[0].profile.duration_ms' <<<"$version")"
  rows="$(json '.files[0].profile.row_count' <<<"$version")"
  record prof_mib "$BENCH_SIZE_MIB"
  record prof_rows "$rows"
  record prof_seconds "$(awk -v ms="$ms" 'BEGIN { printf "%.2f", ms / 1000 }')"
  record prof_mbps "$(mbps "$bytes" $(( ms * 1000000 )))"
  # The machine's limit: the stored blob read raw, from the page cache as the profiler found it.
  blob="$(find "$BENCH_BLOBS" -type f -size "${bytes}c" | head -n 1)"
  [[ -n "$blob" ]] || fail "no blob of $bytes bytes under $BENCH_BLOBS"
  local -a raw=() scan=()
  cat "$blob" >/dev/null
  for r in 1 2 3; do
    t0="$(now_ns)"; dd if="$blob" of=/dev/null bs=8M status=none; t1="$(now_ns)"
    raw+=("$(mbps "$bytes" $(( t1 - t0 )))")
    t0="$(now_ns)"; wc -l <"$blob" >/dev/null; t1="$(now_ns)"
    scan+=("$(mbps "$bytes" $(( t1 - t0 )))")
  done
  record prof_blob "${blob#"$BENCH_BLOBS"/}"
  record prof_raw_runs "${raw[*]}"
  record prof_raw_mbps "$(median "${raw[@]}")"
  record prof_scan_mbps "$(median "${scan[@]}")"

  # Issue 15's baseline: DuckDB's SUMMARIZE of the very same stored file, its own process, median of up to 3.
  local -a duck=() duck_rss=()
  local out runs=$(( BENCH_RUNS < 3 ? BENCH_RUNS : 3 ))
  for (( r = 1; r <= runs; r++ )); do
    step "DuckDB run $r/$runs: SUMMARIZE (select * from read_csv(...)) of the stored CSV"
    out="$(node "$DATASPACE_ROOT/tools/csv-summarize-duckdb.mjs" "$blob")" || fail "DuckDB SUMMARIZE of the CSV failed"
    duck+=("$(json mbps <<<"$out")"); duck_rss+=("$(json peak_rss_mb <<<"$out")")
    record prof_duck_runs "${duck[*]}"
    record prof_duck_mbps "$(median "${duck[@]}")"
    record prof_duck_rss_mb "$(maximum "${duck_rss[@]}")"
    record prof_duck_columns "$(json columns <<<"$out")"
  done
}

# ---- parquet (issue 7) --------------------------------------------------------------------------------------------

phase_parquet() {
  local runs=$(( BENCH_RUNS < 3 ? BENCH_RUNS : 3 ))
  step "building bench/parquet (Release)"
  dotnet build "$DATASPACE_ROOT/bench/parquet/DataSpace.Bench.Parquet.csproj" -c Release -nologo -v q >&2 || fail "bench/parquet does not build"
  step "building bench/parquet-net (Release): Parquet.Net 6.1.0 on the same rows"
  dotnet build "$DATASPACE_ROOT/bench/parquet-net/DataSpace.Bench.ParquetNet.csproj" -c Release -nologo -v q >&2 || fail "bench/parquet-net does not build"
  record pq_rows "$BENCH_PARQUET_ROWS"
  record pq_run_count "$runs"
  # The exports' row groups (65,536 rows) first, then 1,000,000 (issue 13's two aims). Keys: pq64k_* and pq_*.
  parquet_at 65536 pq64k "$runs"
  parquet_at 1000000 pq "$runs"
}

# parquet_at GROUP_ROWS KEY RUNS: the three writers in turn on the same rows and row-group size, each in its own process.
parquet_at() {
  local group="$1" key="$2" runs="$3" r ours duckdb pnet
  local -a ours_rps=() duck_rps=() ours_rss=() duck_rss=() pnet_rps=() pnet_rss=()
  for (( r = 1; r <= runs; r++ )); do
    step "parquet run $r/$runs: $BENCH_PARQUET_ROWS rows in $group-row groups, DataSpace.Parquet"
    ours="$(dotnet "$DATASPACE_ROOT/bench/parquet/bin/Release/net10.0/DataSpace.Bench.Parquet.dll" "$BENCH_PARQUET_ROWS" "$DATA/ours.parquet" "$group")"
    ours_rps+=("$(json rows_per_s <<<"$ours")"); ours_rss+=("$(json peak_rss_mb <<<"$ours")")
    record "${key}_ours_bytes" "$(json file_bytes <<<"$ours")"
    rm -f "$DATA/ours.parquet"
    step "parquet run $r/$runs: $BENCH_PARQUET_ROWS rows in $group-row groups, DuckDB COPY ... TO parquet"
    duckdb="$(node "$DATASPACE_ROOT/tools/parquet-bench-duckdb.mjs" "$BENCH_PARQUET_ROWS" "$DATA/duckdb.parquet" "$group")"
    duck_rps+=("$(json rows_per_s <<<"$duckdb")"); duck_rss+=("$(json peak_rss_mb <<<"$duckdb")")
    record "${key}_duck_bytes" "$(json file_bytes <<<"$duckdb")"
    rm -f "$DATA/duckdb.parquet"
    step "parquet run $r/$runs: $BENCH_PARQUET_ROWS rows in $group-row groups, Parquet.Net 6.1.0"
    pnet="$(dotnet "$DATASPACE_ROOT/bench/parquet-net/bin/Release/net10.0/DataSpace.Bench.ParquetNet.dll" "$BENCH_PARQUET_ROWS" "$DATA/parquet-net.parquet" "$group")"
    pnet_rps+=("$(json rows_per_s <<<"$pnet")"); pnet_rss+=("$(json peak_rss_mb <<<"$pnet")")
    record "${key}_pnet_bytes" "$(json file_bytes <<<"$pnet")"
    record pq_pnet_stats "$(json string_stats_ok <<<"$pnet")"
    rm -f "$DATA/parquet-net.parquet"
    # Every run recorded at once: a phase stopped by its time limit still reports the runs it finished.
    record "${key}_ours_rps_runs" "${ours_rps[*]}"
    record "${key}_duck_rps_runs" "${duck_rps[*]}"
    record "${key}_pnet_rps_runs" "${pnet_rps[*]}"
    record "${key}_ours_rps" "$(median "${ours_rps[@]}")"
    record "${key}_duck_rps" "$(median "${duck_rps[@]}")"
    record "${key}_pnet_rps" "$(median "${pnet_rps[@]}")"
    record "${key}_ours_rss_mb" "$(maximum "${ours_rss[@]}")"
    record "${key}_duck_rss_mb" "$(maximum "${duck_rss[@]}")"
    record "${key}_pnet_rss_mb" "$(maximum "${pnet_rss[@]}")"
  done
}

phase_azurite_upload() {
  [[ -f "$SOURCE" ]] || fail "no source file: the context phase failed"
  local su ds r
  su="$(token "$BENCH_SOURCE_UNIT_ID" "$BENCH_SOURCE_UNIT_SECRET")"
  ds="$(create_dataset "$su" "Azurite store")"
  local files="/v1/datasets/$ds/versions/1/files"
  step "warming up: a 4 MiB upload to Azurite"
  put_file "$DATA/warmup.bin" "$files/warmup.bin" "$su" >/dev/null
  # At most 3 runs: the emulator writes at a few tens of MB/s, and this row is context.
  local -a up=() rss=()
  local runs=$(( BENCH_RUNS < 3 ? BENCH_RUNS : 3 ))
  for (( r = 1; r <= runs; r++ )); do
    step "upload run $r/$runs: PUT through the API (Azurite store)"
    rss_reset
    up+=("$(put_file "$SOURCE" "$files/run-$r.bin" "$su")")
    rss+=("$(rss_growth_mb)")
  done
  record up_az_run_count "$runs"
  record up_az_runs "${up[*]}"
  record up_az_mbps "$(median "${up[@]}")"
  record up_az_rss_runs "${rss[*]}"
  record up_az_rss_mb "$(maximum "${rss[@]}")"
}

# ---- report -------------------------------------------------------------------------------------------------------

# The table (scenarios, machine limits, ratios, aims) and notes on stdout; results.json gets the rows and settings.
phase_report() {
  local -a opts=(--size-mib "$BENCH_SIZE_MIB" --runs "$BENCH_RUNS" --connections "$BENCH_CONNECTIONS" --duration "$BENCH_DURATION"
    --load-before "${BENCH_LOAD_BEFORE:-}" --failed-phases "${BENCH_FAILED_PHASES:-}" --started-at "${BENCH_T0:-}" --root "${DATASPACE_ROOT:-}")
  if [[ -n "${BENCH_AZURITE_ROW:-}" ]]; then opts+=(--azurite-row); fi
  bench_tool report "$RESULTS" "${opts[@]}"
}

case "${1:-}" in
  context) phase_context ;;
  transfer) phase_transfer ;;
  catalog) phase_catalog ;;
  catalog-large) phase_catalog_large ;;
  consent) phase_consent ;;
  audit) phase_audit ;;
  rewards) phase_rewards ;;
  parquet) phase_parquet ;;
  profile) phase_profile ;;
  azurite-upload) phase_azurite_upload ;;
  report) phase_report ;;
  *) printf 'usage: bench/run.sh context|transfer|catalog|catalog-large|consent|audit|rewards|parquet|profile|azurite-upload|report (called by ./dataspace bench)\n' >&2; exit 2 ;;
esac
