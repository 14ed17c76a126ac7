"""Parses DCAT feed pages with Debian's rdflib (python3-rdflib), a parser nobody here wrote.

Usage: /usr/bin/python3 tools/dcat-rdflib.py PAGE.ttl PAGE.jsonld ...
Prints {"FILE": triples, ...}; a page rdflib cannot parse raises, and the exit code is then non-zero.
"""
import json
import sys

import rdflib

counts = {}
for path in sys.argv[1:]:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle" if path.endswith(".ttl") else "json-ld")
    counts[path] = len(graph)
print(json.dumps(counts))
