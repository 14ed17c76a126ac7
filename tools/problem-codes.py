#!/usr/bin/env python3
"""Turns the lines ProblemCodeRecorder wrote (operation id, status, code; tab-separated) into
src/DataSpace.Api/OpenApi/problem-codes.json: for each operation, each status and the codes seen, sorted, so the file
only changes when what the suite sees changes. Usage: problem-codes.py RECORDED.tsv OUTPUT.json"""
import json
import sys

recorded, output = sys.argv[1], sys.argv[2]
operations = {}
with open(recorded, encoding="utf-8") as lines:
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 3:
            continue
        operation, status, code = parts
        operations.setdefault(operation, {}).setdefault(status, set()).add(code)

document = {
    "_source": "Written by ./dataspace problem-codes from a run of every test with Problems:RecordTo set; do not edit by hand.",
    "operations": {
        op: {status: sorted(codes) for status, codes in sorted(by_status.items())}
        for op, by_status in sorted(operations.items())
    },
}
with open(output, "w", encoding="utf-8") as out:
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")
print(f"{len(operations)} operations, {sum(len(c) for s in operations.values() for c in s.values())} (operation, status, code) triples -> {output}")
