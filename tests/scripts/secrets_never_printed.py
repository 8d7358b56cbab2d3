"""Helper of secrets_never_printed.sh.

make DIR KEYLOG...   writes folded and malformed key logs (DIR/made lists
                     them), a pcapng with the malformed lines in a Decryption
                     Secrets Block (DIR/dsb.pcapng), the captures to scan
                     (DIR/captures) and the secrets' 16-digit windows (DIR/grams)
check DIR WHAT OUT   fails when OUT holds 16 hex digits of a secret
plant DIR            prints an output with one secret in it
"""
import os
import re
import struct
import sys

HEX = re.compile(r"[0-9a-fA-F]{16,}")


def secrets_of(text):
    """The secret fields (third and later) of every line of a key log."""
    out = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and not f[0].startswith("#"):
            out.extend(x for x in f[2:] if HEX.fullmatch(x))
    return out


def fold(text, width):
    out = []
    for line in text.splitlines():
        out.extend(line[i:i + width] for i in range(0, len(line), width))
    return "\n".join(out) + "\n"


def malformed(lines):
    """Every way a line with a secret can be malformed."""
    out = []
    for line in lines:
        f = line.split()
        if len(f) != 3:
            continue
        lab, cr, sec = f
        out += [
            f"{lab} {cr} {sec} extra",  # 4 fields
            f"{lab} {cr} {sec}0",  # odd length
            f"{lab} {cr} {sec[:-2]}",  # short secret
            f"{lab} {cr[:20]} {sec}",  # short random
            f"{lab}X {cr} {sec}",  # unknown label
            f"{sec} {cr} {lab}",  # fields swapped
            f"{sec}{lab} {cr}",  # secret fused to the label
            f"{lab.lower()} {cr} {sec}",  # lower-case label
            f"{lab} {cr} {sec.upper()}zz",  # not hex
            f"{lab}\t{cr}\t{sec}\r",  # tabs, CR
            f"{sec}",  # a secret alone
            f"{sec[:40]}",  # and a piece of one
            f"{lab} {cr} {sec} {sec}",
            f"{lab} {sec}",  # the random missing
            f"{cr}{sec} {lab}",
            f"{lab} {cr} \x1b[31m{sec}",
        ]
    return out


def pcapng_dsb(text):
    """A pcapng: section header, one Decryption Secrets Block (TLS key log)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    data = text.encode()
    dsb = block(10, struct.pack("<II", 0x544C534B, len(data)) + data)
    idb = block(1, struct.pack("<HHI", 1, 0, 65535))
    return shb + dsb + idb


def make(d, keylogs):
    texts = [open(k, errors="replace").read() for k in keylogs]
    made, secrets, caps = [], [], []
    for k, t in zip(keylogs, texts):
        secrets += secrets_of(t)
        base = k[: -len(".keylog")]
        for ext in (".pcap", ".pcapng", ".pcap.gz", ".pcapng.gz"):
            if os.path.exists(base + ext):
                caps.append(base + ext)
                break
    # one key log of each kind of line folded at every width: the first key
    # log with a TLS 1.2 line and the first with TLS 1.3 lines
    picks = []
    for want in ("CLIENT_RANDOM", "CLIENT_HANDSHAKE_TRAFFIC_SECRET"):
        for t in texts:
            if want in t:
                picks.append(t)
                break
    bad = []
    for i, t in enumerate(picks):
        p = os.path.join(d, f"folded{i}.keylog")
        open(p, "w").write("".join(fold(t, w) for w in range(8, 131)))
        made.append(p)
        p = os.path.join(d, f"folded{i}-40.keylog")
        open(p, "w").write(fold(t, 40))
        made.append(p)
        bad += malformed(t.splitlines()[:6])
    # every key log of the corpus in one (scan takes at most 64 --keylog)
    p = os.path.join(d, "all.keylog")
    open(p, "w").write("\n".join(texts) + "\n")
    made.insert(0, p)
    p = os.path.join(d, "malformed.keylog")
    open(p, "w").write("\n".join(bad) + "\n")
    made.append(p)
    open(os.path.join(d, "dsb.pcapng"), "wb").write(
        pcapng_dsb("\n".join(bad + [fold(picks[0], 40)]) + "\n"))
    grams = set()
    for s in secrets:
        s = s.lower()
        grams.update(s[i:i + 16] for i in range(len(s) - 15))
    open(os.path.join(d, "grams"), "w").write("\n".join(sorted(grams)) + "\n")
    open(os.path.join(d, "made"), "w").write("\n".join(made) + "\n")
    open(os.path.join(d, "captures"), "w").write("\n".join(sorted(set(caps))) + "\n")
    print(f"{len(keylogs)} key logs, {len(secrets)} secrets, {len(caps)} captures")
    return 0 if secrets and caps else 1


def check(d, what, out):
    grams = set(open(os.path.join(d, "grams")).read().split())
    text = open(out, errors="replace").read()
    hits = 0
    for m in HEX.finditer(text):
        run = m.group().lower()
        for i in range(len(run) - 15):
            if run[i:i + 16] in grams:
                hits += 1
                if hits <= 3:
                    line = text.count("\n", 0, m.start()) + 1
                    print(f"FAIL: {what}: secret digits printed, output line {line}: "
                          f"...{run[i:i + 16]}...")
                break
    return 1 if hits else 0


def plant(d):
    g = sorted(open(os.path.join(d, "grams")).read().split())[0]
    print(f"tlsalert scan: x.keylog:3: unknown label \"{g.upper()}\"")
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        sys.exit(make(sys.argv[2], sys.argv[3:]))
    if cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    sys.exit(plant(sys.argv[2]))
