#!/usr/bin/env bash
# The library's layers, checked from the #include lines of src/ and include/.
# Fails, listing file:line and the include, when
#   - a file of src/lib/FOLDER includes the public header (include/tlsalert/X.h)
#     of a higher layer or of a peer, an internal header of another folder
#     (src/lib/base/'s are open to every folder) or a generated header
#     (build/gen/NAME_data.h) of another folder;
#   - a file of src/cli includes an internal or generated header of src/lib
#     (the command uses the public headers only);
#   - a public header includes a higher layer's public header, or any
#     internal or generated header;
#   - a file outside src/lib/net/ calls socket(), connect(), accept(), bind()
#     or listen() (net is the only layer that opens sockets);
#   - files include each other in a circle, or folders do.
# Before that it checks itself: on a scratch copy of src/ and include/ with one
# planted fault per rule it must report exactly the planted faults.
#
# The layer table: a folder includes its own headers, base's, and those of the
# folders of lower rank (only those listed, when a list is given); folders of
# equal rank are peers and include none of each other's.
LAYERS='
# folder    rank  may include (when not every lower folder)
base        0
registry    1
wire        2
crypto      3
capture     3
session     4
text        5     registry
diagnose    6
net         7
cli         8
'
# Public headers: include/tlsalert/NAME, and the umbrella include/tlsalert.h.
PUBLIC='
common.h        base
registry.h      registry
quicerr.h       registry
decode.h        wire
hello.h         wire
fingerprint.h   wire
decrypt.h       crypto
keylog.h        crypto
quic.h          crypto
capture.h       capture
session.h       session
text.h          text
diagnose.h      diagnose
probe.h         net
serve.h         net
reaction.h      net
tlsalert.h      cli
'
# Generated headers: build/gen/NAME_data.h, from tools/gen_NAME.py.
GENERATED='
alerts_data.h        registry
names_data.h         registry
iana_data.h          registry
quicerr_data.h       registry
fingerprints_data.h  wire
suites_data.h        crypto
logpatterns_data.h   text
localerrors_data.h   text
causes_data.h        diagnose
oids_data.h          session
clienthellos_data.h  net
serverules_data.h    net
'
set -eu
cd "$(dirname "$0")/../.."
export LAYERS PUBLIC GENERATED
exec python3 - <<'PY'
import os, re, shutil, sys, tempfile
sys.path.insert(0, "tests/scripts")
from c_source import strip_c

def table(text):
    rows = []
    for line in text.splitlines():
        line = line.split("#")[0].split()
        if line:
            rows.append(line)
    return rows

RANK, ALLOW = {}, {}
for row in table(os.environ["LAYERS"]):
    RANK[row[0]] = int(row[1])
    ALLOW[row[0]] = set(row[2:]) or None
PUBLIC = {r[0]: r[1] for r in table(os.environ["PUBLIC"])}
GENERATED = {r[0]: r[1] for r in table(os.environ["GENERATED"])}
LIB_FOLDERS = set(RANK) - {"cli"}

def may_include(f, g):
    """May a file of folder f include a public header of folder g?"""
    if g == f or g == "base":
        return True
    if RANK[g] >= RANK[f]:
        return False
    return ALLOW[f] is None or g in ALLOW[f]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOCKET = re.compile(r"(?<![\w.>])(socket|connect|accept4?|bind|listen)\s*\(")

def folder_of(path):
    """The layer a file of the tree belongs to, or None with a reason."""
    parts = path.split("/")
    if parts[0] == "include":
        name = parts[-1]
        if name not in PUBLIC:
            return None, "public header %s is not in the layer table (tests/scripts/layers.sh)" % name
        return PUBLIC[name], None
    if parts[:2] == ["src", "cli"]:
        return "cli", None
    if parts[:2] == ["src", "lib"] and len(parts) > 3 and parts[2] in LIB_FOLDERS:
        return parts[2], None
    return None, "%s is in no folder of the layer table (tests/scripts/layers.sh)" % path

def classify(root, path, target):
    """(kind, folder, resolved path or None) of an include in path: kind is
    public, internal, generated or system; folder None when unknown."""
    base = os.path.basename(target)
    if target == "tlsalert.h":
        return "public", PUBLIC.get(base), "include/tlsalert.h"
    if target.startswith("tlsalert/"):
        return "public", PUBLIC.get(base), "include/" + target
    if "/" not in target and target.endswith("_data.h"):
        return "generated", GENERATED.get(target), None
    if "/" in target:
        top = target.split("/")[0]
        if top in LIB_FOLDERS:
            return "internal", top, "src/lib/" + target
        return "system", None, None
    here = os.path.dirname(path)
    if os.path.exists(os.path.join(root, here, target)):
        return "internal", folder_of(path)[0], os.path.join(here, target)
    return "system", None, None

def sources(root):
    for top in ("src", "include"):
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), root)

def cycle_in(edges, nodes):
    """One circle through strongly connected nodes, as a list that ends where it starts."""
    start = min(nodes)
    prev, todo = {start: None}, [start]
    while todo:
        u = todo.pop(0)
        for v in sorted(edges.get(u, {})):
            if v == start:
                path = [u]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1] + [start]
            if v in nodes and v not in prev:
                prev[v] = u
                todo.append(v)

def circles(edges):
    """Tarjan: the strongly connected components with a circle in them."""
    index, low, stack, on, out = {}, {}, [], set(), []
    def visit(u):
        index[u] = low[u] = len(index)
        stack.append(u); on.add(u)
        for v in edges.get(u, {}):
            if v not in index:
                visit(v)
                low[u] = min(low[u], low[v])
            elif v in on:
                low[u] = min(low[u], index[v])
        if low[u] == index[u]:
            comp = set()
            while True:
                w = stack.pop(); on.discard(w); comp.add(w)
                if w == u:
                    break
            if len(comp) > 1 or u in edges.get(u, {}):
                out.append(comp)
    for u in sorted(edges):
        if u not in index:
            visit(u)
    return out

def check(root):
    faults = []
    file_edges, folder_edges = {}, {}
    for path in sorted(sources(root)):
        text = open(os.path.join(root, path), encoding="utf-8", errors="replace").read()
        is_public = path.startswith("include/")
        f, why = folder_of(path)
        if f is None:
            faults.append("%s: %s" % (path, why))
            continue
        for no, line in enumerate(text.splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(2)
            kind, g, resolved = classify(root, path, target)
            if kind == "system":
                continue
            where = '%s:%d: #include %s%s%s' % (path, no, m.group(1), target,
                                                ">" if m.group(1) == "<" else '"')
            if resolved and os.path.exists(os.path.join(root, resolved)):
                file_edges.setdefault(path, {}).setdefault(resolved, "%s:%d" % (path, no))
            if g is None:
                faults.append("%s: %s header not in the layer table (tests/scripts/layers.sh)"
                              % (where, kind))
                continue
            if g != f:
                folder_edges.setdefault(f, {}).setdefault(g, "%s:%d" % (path, no))
            if is_public and kind != "public":
                faults.append("%s: a public header includes a %s header" % (where, kind))
            elif f == "cli" and kind != "public" and g != "cli":
                faults.append("%s: the command includes a library %s header (public headers only)"
                              % (where, kind))
            elif kind == "public" and not may_include(f, g):
                faults.append("%s: %s (rank %d) may not include a header of %s (rank %d)%s"
                              % (where, f, RANK[f], g, RANK[g],
                                 "" if RANK[g] != RANK[f] else ": peers"))
            elif kind == "internal" and g not in (f, "base"):
                faults.append("%s: internal header of %s, used from %s" % (where, g, f))
            elif kind == "generated" and g != f:
                faults.append("%s: generated header of %s, used from %s" % (where, g, f))
        if not path.startswith("src/lib/net/"):
            for no, line in enumerate(strip_c(text).splitlines(), 1):
                for m in SOCKET.finditer(line):
                    faults.append("%s:%d: %s(): only src/lib/net/ opens sockets" % (path, no, m.group(1)))
    for edges, what in ((file_edges, "include"), (folder_edges, "folder")):
        for comp in circles(edges):
            c = cycle_in(edges, comp)
            steps = [c[0]] + ["%s (%s)" % (v, edges[u][v]) for u, v in zip(c, c[1:])]
            faults.append("%s cycle: %s" % (what, " -> ".join(steps)))
    return faults

# One planted fault per rule; the lines each must add to the report.
PLANTS = [
    ("src/lib/registry/registry.c", '#include "tlsalert/session.h"\n', "src/lib/registry/registry.c:"),
    ("src/lib/session/session.c", '#include "capture/capture_int.h"\n', "src/lib/session/session.c:"),
    ("src/lib/wire/record.c", '#include "causes_data.h"\n', "src/lib/wire/record.c:"),
    ("src/lib/crypto/kdf.c", "#include <tlsalert/capture.h>\n", "src/lib/crypto/kdf.c:"),
    ("src/lib/capture/flow.c", '#include "tlsalert/keylog.h"\n', "src/lib/capture/flow.c:"),
    ("src/lib/base/error.c", '#include "tlsalert/text.h"\n', "src/lib/base/error.c:"),
    ("src/cli/main.c", '#include "base/rd.h"\n', "src/cli/main.c:"),
    ("src/cli/util.c", "static int planted(int s) { return listen(s, 1); }\n", "src/cli/util.c:"),
    ("include/tlsalert/decode.h", '#include "tlsalert/text.h"\n', "include/tlsalert/decode.h:"),
    ("include/tlsalert/common.h", '#include "base/rd.h"\n', "include/tlsalert/common.h:"),
    ("src/lib/base/planted_a.h", '#include "planted_b.h"\n', "include cycle: src/lib/base/planted_a.h"),
    ("src/lib/base/planted_b.h", '#include "planted_a.h"\n', None),
    # none of these is a fault
    ("src/lib/net/planted.c", "int planted(void) { return socket(2, 1, 0); }\n", None),
    ("src/lib/diagnose/planted.c",
     '#include "base/rd.h"\n#include "tlsalert/session.h"\n#include "causes_data.h"\n'
     '/* connect(), listen() */ static const char *s = "bind(x)"; int x = rec->accept(1);\n', None),
    ("src/cli/planted.c", '#include "tlsalert.h"\n#include "cli.h"\n', None),
    ("src/lib/text/planted.c", '#include "tlsalert/registry.h"\n', None),
    ("src/lib/text/planted.c", '#include "tlsalert/decode.h"\n', "src/lib/text/planted.c:2:"),
]

def self_test():
    tmp = tempfile.mkdtemp()
    try:
        for top in ("src", "include"):
            shutil.copytree(top, os.path.join(tmp, top))
        before = set(check(tmp))
        for path, line, _ in PLANTS:
            with open(os.path.join(tmp, path), "a") as f:
                f.write(line)
        new = set(check(tmp)) - before
    finally:
        shutil.rmtree(tmp)
    want = [p[2] for p in PLANTS if p[2]]
    bad = ["planted fault not found: %s" % w for w in want if not any(n.startswith(w) for n in new)]
    bad += ["reported but not planted: %s" % n for n in sorted(new)
            if not any(n.startswith(w) for w in want) and not n.startswith("folder cycle")]
    if not any(n.startswith("folder cycle") for n in new):
        bad.append("planted folder cycle (registry -> session -> registry) not found")
    return bad

bad = self_test()
if bad:
    print("layers.sh self-test failed:\n  " + "\n  ".join(bad))
    sys.exit(1)
faults = check(".")
for f in faults:
    print(f)
if faults:
    print("layers: %d faults (the layer table is at the top of tests/scripts/layers.sh)" % len(faults))
    sys.exit(1)
print("layers: %d files, no fault" % len(list(sources("."))))
PY
