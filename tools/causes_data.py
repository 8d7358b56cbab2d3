"""Reader of data/causes.txt and data/causes-*.txt, shared by the generators and tests.

load_causes() checks the data and fails with file:line on any mistake: unknown keys, unknown
stacks, steps, causes or facts, duplicate ids, alerts the registry does not assign, weights
out of range, causes no rule uses, log fragments too vague to look for.  tools/gen_causes.py
turns what it returns into the diagnosis tables (causes_data.h), tools/gen_localerrors.py
into the text layer's table of local-error fragments (localerrors_data.h), and
tests/scripts/causes_sync.py compares the binary with it.
"""
import glob
import os
import re

from registry_data import check_keys, fail, load_alerts, load_names, norm, read_stanzas

# Facts a rule's `when` may test: the one list.  Tri-state facts take yes/no; numeric facts
# take a comparison with a number (or, for the *_max/_min version facts, a version token).
# tools/gen_causes.py makes it an enum (TLSA_CZ_FACT_*) whose every value fact_value() in
# src/lib/diagnose/diagnose.c must handle (the build fails on a missing case, -Wswitch), and
# the names string behind tlsa_cause_fact_names(), from which the unit test
# (tests/unit/test_diagnose.c) checks it can set each fact; tests/scripts/causes_sync.py
# checks that docs/causes.md names each.
TRI_FACTS = ["cipher_overlap", "group_overlap", "alpn_offered", "alpn_selected", "sni_sent",
             "fallback_scsv", "cert_requested", "client_cert_sent", "encrypted", "inferred",
             "hello_malformed", "keyshare_invalid", "app_data_seen", "renegotiating",
             "handshake_done", "cert_expired", "cert_name_mismatch", "cert_self_signed",
             "ems_offered", "reneg_info_offered", "weak_dh", "record_over_limit", "version_selected_offered", "level_warning",
             "peer_plaintext", "cert_not_yet_valid", "cert_issuer_missing", "cert_weak_key",
             "cert_chain_misordered", "versions_narrow", "groups_narrow", "sigalgs_narrow",
             "suites_narrow", "verifies_client_cert", "cert_name_cn_only", "quic",
             "alpn_h3_draft"]
NUM_FACTS = ["record_len", "dh_bits", "offered_max", "offered_min"]
# Matches tlsa_version_rank() in src/lib/registry/registry.c.
VERSION_RANK = {"ssl3": 2, "tls1.0": 3, "tls1.1": 4, "tls1.2": 5, "tls1.3": 6,
                "dtls1.0": 4, "dtls1.2": 5, "dtls1.3": 6}
SENDERS = ("client", "server", "either")

CAUSE_KEYS = {"cause", "title", "summary", "fix"}
# A cause may name decisive facts (docs/causes.md, "Facts decide"): any condition of
# proven_by that holds ranks it above every cause that is not proven; any condition of
# ruled_out_by that holds sinks it below every cause that is not ruled out.
# favoured_by / disfavoured_by are strong evidence, not proof: a condition that holds adds
# (or takes) SCORE_FAVOURED points and the cause stays in its tier.
CAUSE_OPT = {"proven_by", "ruled_out_by", "favoured_by", "disfavoured_by"}
STEP_KEYS = {"step", "aliases", "covers", "text"}
STACK_KEYS = {"stack", "name", "aliases", "wording"}
RULE_REQ = ["rule", "stack", "alert", "sender", "cause", "weight", "situation", "error"]
RULE_KEYS = set(RULE_REQ) | {"versions", "steps", "when", "fix", "logline", "notls", "pre13",
                             "peerclosed"}
NEVER_REQ = ["never", "alert", "sender", "instead", "text"]
NEVER_KEYS = set(NEVER_REQ) | {"versions"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
TOKEN_RE = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")


def parse_cond(path, line, text):
    m = re.match(r"^([a-z][a-z0-9_]*)(=|<|>)(.+)$", text)
    if not m:
        fail(path, line, "condition %r is not FACT=VALUE, FACT<N or FACT>N" % text)
    fact, op, val = m.groups()
    if fact in TRI_FACTS:
        if op != "=" or val not in ("yes", "no"):
            fail(path, line, "fact %r takes =yes or =no" % fact)
        return (fact, "=", 1 if val == "yes" else 0)
    if fact in NUM_FACTS:
        if val in VERSION_RANK and fact in ("offered_max", "offered_min"):
            return (fact, op, VERSION_RANK[val])
        if not val.isdigit():
            fail(path, line, "fact %r needs a number, not %r" % (fact, val))
        return (fact, op, int(val))
    fail(path, line, "unknown fact %r (known: %s)" % (fact, " ".join(TRI_FACTS + NUM_FACTS)))


def version_mask(path, line, text):
    mask = 0
    for v in text.split():
        if v not in VERSION_RANK:
            fail(path, line, "unknown version %r (known: %s)" % (v, " ".join(VERSION_RANK)))
        mask |= 1 << VERSION_RANK[v]
    return mask


# ---- the local-error matcher: which text of a log line shows that a rule fired ----------
#
# docs/causes.md ("Log lines") defines this.  Each rule yields fragments: strings in which
# '*' stands for any text (possibly empty).  A fragment matches a line when its literal
# pieces occur in the line in order, ASCII case ignored.
#
# Without `logline:` the fragments come from `error:`:
#   1. it is cut into alternatives at "; ";
#   2. an alternative wholly in parentheses is a remark and gives nothing;
#   3. of "A + B" (an error plus its verify reason) only B counts;
#   4. quoted texts ('...' or "...") are fragments; so are constant names with a prefix that
#      logs print (SSL_ERROR_, SEC_ERROR_, GNUTLS_E_, SEC_E_), and, for a rule of BoringSSL
#      only, its upper-case reason names, prefixed "OPENSSL_internal:" as BoringSSL prints
#      them (error:10000410:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER);
#   5. an alternative with none of these is prose: a trailing " (...)" remark is dropped
#      and the rest is the fragment;
#   6. placeholders become '*': %d %s %T %v %x, [...], ..., and the words ADDR NAME NAMES
#      N X Y; white space runs become one space; leading and trailing '*' are dropped.
# `logline: A | B` gives the fragments literally (" | " separates, '*' as above), and
# `logline: none: WHY` says the rule has no distinctive text (WHY is required).
# Every fragment needs a literal piece of at least LOGLINE_MIN_PIECE characters and may not
# be a bare alert name (that is an alert mention, which data/log-patterns.txt handles).
LOGLINE_MIN_PIECE = 8
LOG_CONST_RE = re.compile(r"\b(?:SSL_ERROR|SEC_ERROR|GNUTLS_E|SEC_E)_[A-Z0-9_]*[A-Z0-9]")
BORING_CONST_RE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
SOURCE_ONLY = ("SSL_R_", "ERR_R_", "X509_V_ERR_")
# A quote opens after white space (or at the start) and closes before white space or
# punctuation, so the apostrophes of "doesn't" or "server's" are not quotes.
QUOTED_RE = re.compile(r"(?:^|(?<=\s))'([^']+)'(?=[\s,;)]|$)|\"([^\"]+)\"")
PLACEHOLDER_RE = re.compile(r"%[a-zA-Z]|\[\.\.\.\]|\.\.\.|\b(?:ADDR|NAMES|NAME|N|X|Y)\b(?![.-])")


def tidy_fragment(text):
    text = PLACEHOLDER_RE.sub("*", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\*(\s*\*)+", "*", text)
    return text.strip(" *")


def error_fragments(rule):
    """The fragments `error:` gives by the steps above."""
    out = []
    for alt in rule["error"].split("; "):
        alt = alt.strip()
        if alt.startswith("(") and alt.endswith(")"):
            continue
        if " + " in alt:
            alt = alt.rsplit(" + ", 1)[1]
        found = [a or b for a, b in QUOTED_RE.findall(alt)]
        found += LOG_CONST_RE.findall(alt)
        if rule["stack"].split() == ["boringssl"]:
            found += ["OPENSSL_internal:" + c for c in BORING_CONST_RE.findall(alt)
                      if not c.startswith(SOURCE_ONLY)]
        if not found and not re.search(r"\b(?:%s)[A-Z0-9_]+" % "|".join(SOURCE_ONLY), alt):
            found = [re.sub(r"\s*\([^()]*\)$", "", alt)]
        out += [tidy_fragment(f) for f in found]
    seen = []
    for f in out:
        if f and f not in seen:
            seen.append(f)
    return seen


def logline_fragments(path, line, rule, alert_names):
    """(fragments, why): the rule's fragments, or ([], reason) when it has none."""
    spec = rule.get("logline")
    if spec is not None and spec.startswith("none:"):
        why = spec[5:].strip()
        if not why:
            fail(path, line, "logline: none: needs a reason")
        return [], why
    frags = [tidy_fragment(f) for f in spec.split(" | ")] if spec is not None \
        else error_fragments(rule)
    if not frags:
        fail(path, line, "rule %s: error: gives no log fragment; add logline: (fragments, or "
             "none: WHY)" % rule["rule"])
    for f in frags:
        pieces = f.split("*")
        if len(pieces[0]) < 4 or any(c in f for c in "|\t"):
            fail(path, line, "rule %s: log fragment %r must start with 4 literal characters and "
                 "hold no '|'" % (rule["rule"], f))
        if max(len(p.strip()) for p in pieces) < LOGLINE_MIN_PIECE:
            fail(path, line, "rule %s: log fragment %r has no literal piece of %d characters; "
                 "set logline:" % (rule["rule"], f, LOGLINE_MIN_PIECE))
        if spec is None and norm(f) in alert_names:
            fail(path, line, "rule %s: log fragment %r is an alert name (it would match alert "
                 "mentions); set logline:" % (rule["rule"], f))
    return frags, None


def check_pre13(rules):
    """`pre13: RULE` on a TLS 1.3-only rule names the rule the same error text is before TLS 1.3
    (the stack maps the alert by version, OpenSSL's certificate_required -> handshake_failure):
    that rule exists, holds only for versions before TLS 1.3, is of the same first stack, and
    shares a log fragment with this one.  Sets r["pre13_rule"] (the rule dict or None)."""
    by_id = {r["rule"]: r for r in rules}
    t13 = version_mask("", 0, "tls1.3")
    for r in rules:
        r["pre13_rule"] = None
        if "pre13" not in r:
            continue
        x = by_id.get(r["pre13"])
        where = (r["file"], r["line"])
        if x is None:
            fail(*where, "rule %s: pre13 names unknown rule %r" % (r["rule"], r["pre13"]))
        if r["vmask"] != t13:
            fail(*where, "rule %s: pre13 needs `versions: tls1.3`" % r["rule"])
        if not x["vmask"] or x["vmask"] & t13:
            fail(*where, "rule %s: pre13 rule %s must hold only before TLS 1.3" %
                 (r["rule"], x["rule"]))
        if r["stack"].split()[0] not in x["stack"].split():
            fail(*where, "rule %s: pre13 rule %s is not of stack %s" %
                 (r["rule"], x["rule"], r["stack"].split()[0]))
        if not set(f.lower() for f in r["loglines"]) & set(f.lower() for f in x["loglines"]):
            fail(*where, "rule %s: pre13 rule %s shares no log fragment with it" %
                 (r["rule"], x["rule"]))
        r["pre13_rule"] = x


def load_causes(data_dir):
    """Return a dict with lists causes, steps, stacks, rules, nevers (dicts, file order)."""
    alerts = load_alerts(os.path.join(data_dir, "alerts.txt"))
    alert_names = {norm(a["name"]) for a in alerts.values()}
    alert_names |= {norm(sp) for _, sp, _, _ in load_names(os.path.join(data_dir, "names.txt"))[2]}
    out = {"causes": [], "steps": [], "stacks": [], "rules": [], "nevers": []}
    files = [os.path.join(data_dir, "causes.txt")]
    # Rule files in a fixed order (it breaks score ties and orders stack lists), then any
    # other file alphabetically.
    first = ["openssl", "boringssl", "go", "rustls", "java", "gnutls-nss"]
    extra = sorted(glob.glob(os.path.join(data_dir, "causes-*.txt")))
    for name in first:
        path = os.path.join(data_dir, "causes-%s.txt" % name)
        if path in extra:
            files.append(path)
            extra.remove(path)
    files += extra
    stanzas = []
    for path in files:
        for line, s in read_stanzas(path):
            stanzas.append((path, line, s))
    # Vocabulary first, so rules in any file may use any of it.
    seen_alias = {}
    for path, line, s in stanzas:
        kind = next(iter(s))
        if kind == "cause":
            check_keys(path, line, s, CAUSE_KEYS, CAUSE_KEYS | CAUSE_OPT | {"outcome"})
            if s.get("outcome", "no") not in ("yes", "no"):
                fail(path, line, "outcome takes yes or no, not %r" % s["outcome"])
            s["outcome"] = s.get("outcome") == "yes"
            if not ID_RE.match(s["cause"]) or s["cause"] in [c["cause"] for c in out["causes"]]:
                fail(path, line, "bad or duplicate cause id %r" % s["cause"])
            for k in sorted(CAUSE_OPT):
                s[k + "_conds"] = [parse_cond(path, line, c) for c in s.get(k, "").split()]
            out["causes"].append(s)
        elif kind == "step":
            check_keys(path, line, s, ["step", "text"], STEP_KEYS)
            s["aliases"] = s.get("aliases", "").split()
            for a in [s["step"]] + s["aliases"]:
                if not TOKEN_RE.match(a) or a in seen_alias:
                    fail(path, line, "bad or duplicate step spelling %r" % a)
                seen_alias[a] = s["step"]
            out["steps"].append(s)
        elif kind == "stack" and "rule" not in s:
            check_keys(path, line, s, ["stack", "name"], STACK_KEYS)
            s["aliases"] = s.get("aliases", "").split()
            s["wording"] = [w.strip() for w in s.get("wording", "").split(" | ") if w.strip()]
            out["stacks"].append(s)
        elif kind not in ("rule", "never"):
            fail(path, line, "unknown stanza kind %r" % kind)
    cause_ids = {c["cause"] for c in out["causes"]}
    step_ids = {s["step"] for s in out["steps"]}
    for s in out["steps"]:
        s["covers"] = s.get("covers", "").split()
        for c in s["covers"]:
            if c not in step_ids or c == s["step"]:
                fail("data/causes.txt", 0, "step %r covers unknown step %r" % (s["step"], c))
    stack_ids = {s["stack"] for s in out["stacks"]}
    names = {}
    for s in out["stacks"]:
        for a in [s["stack"]] + s["aliases"]:
            if not TOKEN_RE.match(a):
                fail("data/causes.txt", 0, "bad stack spelling %r" % a)
            if a in names:
                fail("data/causes.txt", 0, "stack spelling %r used twice" % a)
            names[a] = s["stack"]
    rule_ids = set()
    for path, line, s in stanzas:
        kind = next(iter(s))
        if kind == "rule":
            check_keys(path, line, s, RULE_REQ, RULE_KEYS)
            if not ID_RE.match(s["rule"]) or s["rule"] in rule_ids:
                fail(path, line, "bad or duplicate rule id %r" % s["rule"])
            rule_ids.add(s["rule"])
            stacks = s["stack"].split()
            if stacks != ["*"]:
                for st in stacks:
                    if st not in stack_ids:
                        fail(path, line, "unknown stack %r" % st)
            code = int(s["alert"])
            if code not in alerts:
                fail(path, line, "alert %d is not in data/alerts.txt" % code)
            if s["sender"] not in SENDERS:
                fail(path, line, "bad sender %r" % s["sender"])
            if s["cause"] not in cause_ids:
                fail(path, line, "unknown cause %r" % s["cause"])
            w = int(s["weight"])
            if not 1 <= w <= 60:
                fail(path, line, "weight %d outside 1-60" % w)
            for st in s.get("steps", "").split():
                if st not in step_ids:
                    fail(path, line, "unknown step %r" % st)
            s["alert"], s["weight"] = code, w
            s["vmask"] = version_mask(path, line, s.get("versions", ""))
            s["conds"] = [parse_cond(path, line, c) for c in s.get("when", "").split()]
            s["file"], s["line"] = path, line
            s["loglines"], s["logline_none"] = logline_fragments(path, line, s, alert_names)
            if s.get("notls", "no") not in ("yes", "no"):
                fail(path, line, "notls takes yes or no, not %r" % s["notls"])
            s["notls"] = s.get("notls") == "yes"
            if s["notls"] and s["cause"] != "plaintext-service":
                fail(path, line, "a notls rule's cause is plaintext-service, not %r" % s["cause"])
            # peerclosed: the causes besides the rule's own that fit an error meaning the
            # connection ended under this side (no alert can reach the peer)
            s["peerclosed"] = s.get("peerclosed", "").split()
            for c in s["peerclosed"]:
                if c not in cause_ids:
                    fail(path, line, "peerclosed: unknown cause %r" % c)
            if s["peerclosed"] and s["notls"]:
                fail(path, line, "a rule is notls or peerclosed, not both")
            out["rules"].append(s)
        elif kind == "never":
            check_keys(path, line, s, NEVER_REQ, NEVER_KEYS)
            if s["never"] not in stack_ids:
                fail(path, line, "unknown stack %r" % s["never"])
            s["alert"] = int(s["alert"])
            if s["alert"] not in alerts:
                fail(path, line, "alert %d is not in data/alerts.txt" % s["alert"])
            if s["sender"] not in SENDERS:
                fail(path, line, "bad sender %r" % s["sender"])
            s["instead"] = [int(x) for x in s["instead"].split()]
            for x in s["instead"]:
                if x != 0 and x not in alerts:
                    fail(path, line, "instead %d is not in data/alerts.txt" % x)
            s["vmask"] = version_mask(path, line, s.get("versions", ""))
            s["file"], s["line"] = path, line
            out["nevers"].append(s)
    check_pre13(out["rules"])
    # A never entry must not deny what a rule of the same stack says it sends.
    for n in out["nevers"]:
        for r in out["rules"]:
            if r["alert"] != n["alert"] or n["never"] not in r["stack"].split():
                continue
            senders = {n["sender"], r["sender"]}
            if "either" not in senders and len(senders) == 2:
                continue
            if n["vmask"] and r["vmask"] and not (n["vmask"] & r["vmask"]):
                continue
            fail(n["file"], n["line"], "never entry for %s %d contradicts rule %s" %
                 (n["never"], n["alert"], r["rule"]))
    used = {r["cause"] for r in out["rules"]}
    for c in out["causes"]:
        if c["cause"] not in used and not c["outcome"]:
            fail("data/causes.txt", 0, "cause %r is used by no rule" % c["cause"])
    return out


def c_str(s):
    """A C string literal of s (ASCII only), or NULL for None."""
    if s is None:
        return "NULL"
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            raise SystemExit("non-ASCII character %r in cause data" % ch)
    out.append('"')
    return "".join(out)
