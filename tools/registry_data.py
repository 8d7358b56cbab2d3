"""Readers for the stanza files under data/, shared by the generators and tests."""

RULES = ["absent", "fatal", "warning", "either", "closure", "error", "reserved"]
VERSION_KEYS = ["ssl3", "tls10", "tls11", "tls12", "tls13", "dtls13"]
REQUIRED = ["code", "name", "status", "rfcs", "since", "sender", "stage", "ssl3", "tls10",
            "tls11", "tls12", "tls13", "summary", "says", "check", "tls13note", "causes"]
KNOWN = set(REQUIRED) | {"dtls13"}


def fail(path, line, msg):
    raise SystemExit("%s:%d: %s" % (path, line, msg))


def read_stanzas(path):
    """Yield (first_line, {key: value}) for each blank-line separated stanza."""
    stanza, start, key = {}, 0, None
    with open(path, encoding="ascii") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                if stanza:
                    yield start, stanza
                stanza, key = {}, None
                continue
            if line[0] in " \t":
                if key is None:
                    fail(path, n, "continuation line outside a field")
                stanza[key] += " " + line.strip()
                continue
            k, sep, v = line.partition(":")
            if not sep:
                fail(path, n, "expected 'key: value'")
            key = k.strip()
            if key in stanza:
                fail(path, n, "duplicate key %r" % key)
            if not stanza:
                start = n
            stanza[key] = v.strip()
    if stanza:
        yield start, stanza


def check_keys(path, line, stanza, required, known):
    """Fail unless the stanza has every required key and no key outside known."""
    for k in required:
        if k not in stanza:
            fail(path, line, "stanza lacks %r" % k)
    for k in stanza:
        if k not in known:
            fail(path, line, "unknown key %r" % k)


def load_alerts(path):
    alerts = {}
    for line, s in read_stanzas(path):
        check_keys(path, line, s, REQUIRED, KNOWN)
        code = int(s["code"])
        if not 0 <= code <= 255 or code in alerts:
            fail(path, line, "bad or duplicate code %d" % code)
        if s["status"] not in ("assigned", "reserved", "unofficial"):
            fail(path, line, "bad status %r" % s["status"])
        if s["sender"] not in ("client", "server", "either"):
            fail(path, line, "bad sender %r" % s["sender"])
        for k in VERSION_KEYS:
            if k in s and s[k] not in RULES:
                fail(path, line, "bad rule %r for %s" % (s[k], k))
        s["code"] = code
        s["rfcs"] = s["rfcs"].split()
        s["causes"] = [c.strip() for c in s["causes"].split(" | ") if c.strip()]
        alerts[code] = s
    return alerts


def norm(text):
    """The matching key of a spelling: ASCII letters and digits, lower case."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def load_names(path):
    """Return (prefixes, suffixes, [(code, spelling, stack, line)])."""
    prefixes, suffixes, names = [], [], []
    with open(path, encoding="ascii") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if parts[0] == "prefix" and len(parts) == 2:
                prefixes.append(norm(parts[1]))
            elif parts[0] == "suffix" and len(parts) == 2:
                suffixes.append(norm(parts[1]))
            elif len(parts) == 3 and parts[0].isdigit() and int(parts[0]) < 256:
                names.append((int(parts[0]), parts[1], parts[2], n))
            else:
                fail(path, n, "expected 'prefix|suffix<TAB>text' or 'code<TAB>spelling<TAB>stack'")
    return prefixes, suffixes, names
