#!/usr/bin/env python3
"""recap: a second CAP writer for the tests, independent of conv/ (JCVM 3.0.5 chapter 6).

It reads a CAP file made by our converter (a JAR), decodes every component into offsets and
references, and writes the same package again with the layout choices other converters make and
ours does not: methods, classes and constant pool entries in other orders (every reference to
them relocated: constant pool, Class tables, Applet, Export, Descriptor, exception handlers,
RefLocation, the indices inside the bytecode), CAP format 2.2 (package name, 12-entry Directory,
signature pool), a Debug component, no Descriptor, static primitives as non-default values, a
custom component listed in the Directory, components in other legal orders, and a JAR with
deflated entries in shuffled order. The package must behave exactly as before on any card.

    recap.py OUTDIR NAME=FILE.cap...      writes OUTDIR/NAME-VARIANT.stream and .cap per variant

What checks the result is the card: tests/foreign/foreign_layout_test installs every variant and
requires the answers of the original package.
"""
import io
import os
import sys
import zipfile

NAMES = {1: "Header", 2: "Directory", 3: "Applet", 4: "Import", 5: "ConstantPool", 6: "Class", 7: "Method",
         8: "StaticField", 9: "RefLocation", 10: "Export", 11: "Descriptor", 12: "Debug"}
# GlobalPlatform load order (the order a LOAD command sequence carries the components in).
GP_ORDER = [1, 2, 4, 3, 6, 7, 8, 10, 5, 9, 11]

ACC_INTERFACE = 0x8          # Class component bitfield, high nibble
CP_CLASS, CP_IFIELD, CP_VMETHOD, CP_SMETHOD_SUPER, CP_SFIELD, CP_SMETHOD = 1, 2, 3, 4, 5, 6
DESC_ACC_STATIC = 0x08
TN_REFERENCE, TN_ARRAY_REFERENCE = 0x6, 0xE


def u2(b, at):
    return (b[at] << 8) | b[at + 1]


def p2(v):
    return bytes(((v >> 8) & 0xFF, v & 0xFF))


def fail(msg):
    sys.exit("recap: " + msg)


class Cap:
    """The decoded package: component infos plus the structures the relocations need."""

    def __init__(self, comps, pkg_path):
        self.c = comps                      # tag -> info bytes (without tag and size)
        self.pkg_path = pkg_path            # "com/cardlet/samples/hello"
        h = comps[1]
        if h[0:4] != b"\xde\xca\xff\xed" or (h[5], h[4]) != (2, 1):
            fail("input must be a CAP 2.1 file (what conv/ writes)")
        self.flags = h[6]
        self.pkg = h[7:]                    # package_info: minor, major, AID length, AID
        self.decode_classes()
        self.decode_methods()
        self.decode_refloc()

    # Class component (2.1): interface_info and class_info entries, each with its offset.
    def decode_classes(self):
        b = self.c[6]
        self.classes = []
        at = 0
        while at < len(b):
            start = at
            flags, n = b[at] >> 4, b[at] & 0xF
            if flags & ACC_INTERFACE:
                at += 1 + 2 * n
            else:
                pub_n, pkg_n = b[at + 7], b[at + 9]
                at += 10 + 2 * pub_n + 2 * pkg_n
                for _ in range(n):
                    at += 3 + b[at + 2]
            self.classes.append((start, b[start:at]))
        self.class_starts = {s for s, _ in self.classes}

    # Method component: handler table, then methods whose extents the Descriptor gives.
    def decode_methods(self):
        if 11 not in self.c:
            fail("input needs its Descriptor component (method extents)")
        m = self.c[7]
        nh = m[0]
        self.handlers = [m[1 + 8 * i: 9 + 8 * i] for i in range(nh)]
        starts = []
        for meth in self.desc_methods():
            off = meth["offset"]
            if off == 0 and meth["interface"]:
                continue                    # interface methods have no method_info
            hdr = 4 if m[off] & 0x80 else 2
            starts.append((off, hdr + meth["bytecode_count"]))
        starts.sort()
        pos = 1 + 8 * nh
        self.methods = []
        for off, n in starts:
            if off != pos:
                fail("methods do not tile the Method component at 0x%x" % pos)
            self.methods.append((off, m[off:off + n]))
            pos += n
        if pos != len(m):
            fail("bytes after the last method")
        self.method_starts = {s for s, _ in self.methods}

    def desc_methods(self):
        """Yields each method_descriptor_info with its position in the Descriptor component."""
        d = self.c[11]
        at = 1
        for _ in range(d[0]):
            acc = d[at + 1]
            nif, nf, nm = d[at + 4], u2(d, at + 5), u2(d, at + 7)
            at += 9 + 2 * nif + 7 * nf
            for _ in range(nm):
                yield {"at": at, "offset": u2(d, at + 2), "bytecode_count": u2(d, at + 6),
                       "handler_count": u2(d, at + 8), "interface": bool(acc & 0x40)}
                at += 12

    # RefLocation: absolute offsets of every 1-byte and 2-byte constant pool index.
    def decode_refloc(self):
        r = self.c[9]
        self.loc1, at = self.deltas(r, 0)
        self.loc2, _ = self.deltas(r, at)

    @staticmethod
    def deltas(r, at):
        n = u2(r, at)
        locs, pos = [], 0
        for d in r[at + 2: at + 2 + n]:
            pos += d
            if d != 255:
                locs.append(pos)
        return locs, at + 2 + n


def encode_deltas(locs):
    out, prev = bytearray(), 0
    for loc in sorted(locs):
        d = loc - prev
        while d > 255:
            out.append(255)
            d -= 255
        out.append(d)
        prev = loc
    return p2(len(out)) + bytes(out)


def order_classes(cap, reverse):
    """Class entries in a new legal order: interfaces first, each after its in-package
    superinterfaces, each class after its in-package superclass; otherwise reversed."""
    entries = list(cap.classes)
    if not reverse:
        return entries
    by_off = dict(entries)
    done, out = set(), []

    def deps(off):
        b = by_off[off]
        if (b[0] >> 4) & ACC_INTERFACE:
            refs = [u2(b, 1 + 2 * k) for k in range(b[0] & 0xF)]
        else:
            refs = [u2(b, 1)]
        return [r for r in refs if not r & 0x8000 and r in by_off]

    def visit(off):
        if off in done:
            return
        done.add(off)
        for d in deps(off):
            visit(d)
        out.append((off, by_off[off]))

    ifaces = [e for e in entries if (e[1][0] >> 4) & ACC_INTERFACE]
    others = [e for e in entries if not (e[1][0] >> 4) & ACC_INTERFACE]
    for off, _ in reversed(ifaces):
        visit(off)
    for off, _ in reversed(others):
        visit(off)
    return out


def relayout(cap, v):
    """The package with the variant's layout: a dict tag -> component info."""
    minor22 = v.get("cap22", False)
    # --- constant pool order: entry 0 stays (a catch type of 0 means "any"); entries 1..255 and
    # 256.. are reversed within their range so 1-byte indices stay 1-byte ---
    cp = cap.c[5]
    ncp = u2(cp, 0)
    new_index = list(range(ncp))
    if v.get("cp_reverse"):
        lo = list(range(1, min(ncp, 256)))
        hi = list(range(256, ncp))
        for old, new in zip(lo, reversed(lo)):
            new_index[old] = new
        for old, new in zip(hi, reversed(hi)):
            new_index[old] = new

    # --- class order and offsets (2.2: the signature pool length comes first) ---
    classes = order_classes(cap, v.get("class_reverse"))
    class_map, pos = {}, 2 if minor22 else 0
    for off, b in classes:
        class_map[off] = pos
        pos += len(b)

    def cref(r):
        """A class_ref: external ones (high bit) stay, internal offsets move."""
        if r & 0x8000 or r == 0xFFFF:
            return r
        if r not in class_map:
            fail("class_ref 0x%04x is no class start" % r)
        return class_map[r]

    # --- method order and offsets; handlers follow their methods ---
    methods = list(reversed(cap.methods)) if v.get("method_reverse") else list(cap.methods)
    nh = len(cap.handlers)
    method_map, pos = {}, 1 + 8 * nh
    for off, b in methods:
        method_map[off] = pos
        pos += len(b)

    def owner(abs_off):
        for off, b in cap.methods:
            if off <= abs_off < off + len(b):
                return off
        fail("offset 0x%x is in no method" % abs_off)

    def moved(abs_off):
        o = owner(abs_off)
        return method_map[o] + abs_off - o

    def mref(r):
        if r not in method_map:
            fail("method offset 0x%04x is no method start" % r)
        return method_map[r]

    groups = {off: [] for off, _ in cap.methods}
    for i, h in enumerate(cap.handlers):
        groups[owner(u2(h, 0))].append(i)
    handler_order = [i for off, _ in methods for i in groups[off]]
    handler_pos = {old: new for new, old in enumerate(handler_order)}
    first_handler = {}
    for off, _ in methods:
        if groups[off]:
            first_handler[off] = handler_pos[groups[off][0]]

    # --- Method component: bytecode with constant pool indices renumbered ---
    body = bytearray(cap.c[7])
    handler_locs = {1 + 8 * i + 6 for i in range(nh)}
    for loc in cap.loc1:
        if loc not in handler_locs:
            body[loc] = new_index[body[loc]]
    for loc in cap.loc2:
        if loc not in handler_locs:
            body[loc:loc + 2] = p2(new_index[u2(body, loc)])
    method = bytearray([nh])
    for i in handler_order:
        h = cap.handlers[i]
        start, bits, handler, catch = u2(h, 0), u2(h, 2), u2(h, 4), u2(h, 6)
        method += p2(moved(start)) + p2(bits) + p2(moved(handler)) + p2(new_index[catch] if catch else 0)
    for off, b in methods:
        method += body[off:off + len(b)]

    def loc_moved(loc):
        if loc in handler_locs:
            return 1 + 8 * handler_pos[(loc - 1) // 8] + 6
        return moved(loc)
    refloc = encode_deltas([loc_moved(x) for x in cap.loc1]) + encode_deltas([loc_moved(x) for x in cap.loc2])

    # --- ConstantPool ---
    entries = [None] * ncp
    for i in range(ncp):
        e = bytearray(cp[2 + 4 * i: 6 + 4 * i])
        tag = e[0]
        if tag in (CP_CLASS, CP_IFIELD, CP_VMETHOD, CP_SMETHOD_SUPER):
            e[1:3] = p2(cref(u2(e, 1)))
        elif tag == CP_SMETHOD and not e[1] & 0x80:
            e[2:4] = p2(mref(u2(e, 2)))
        elif tag not in (CP_SFIELD, CP_SMETHOD):
            fail("constant pool entry %d: tag %d" % (i, tag))
        entries[new_index[i]] = bytes(e)
    cpool = p2(ncp) + b"".join(entries)

    # --- Class component ---
    klass = bytearray(b"\x00\x00" if minor22 else b"")
    for off, b in classes:
        b = bytearray(b)
        n = b[0] & 0xF
        if (b[0] >> 4) & ACC_INTERFACE:
            for k in range(n):
                b[1 + 2 * k: 3 + 2 * k] = p2(cref(u2(b, 1 + 2 * k)))
        else:
            b[1:3] = p2(cref(u2(b, 1)))
            pub_n, pkg_n = b[7], b[9]
            for k in range(pub_n + pkg_n):
                at = 10 + 2 * k
                t = u2(b, at)
                if t != 0xFFFF:
                    b[at:at + 2] = p2(mref(t))
            at = 10 + 2 * (pub_n + pkg_n)
            for _ in range(n):
                b[at:at + 2] = p2(cref(u2(b, at)))
                at += 3 + b[at + 2]
        klass += b

    # --- Applet ---
    a = bytearray(cap.c[3]) if 3 in cap.c else None
    if a is not None:
        at = 1
        for _ in range(a[0]):
            at += 1 + a[at]
            a[at:at + 2] = p2(mref(u2(a, at)))
            at += 2

    # --- Export ---
    x = bytearray(cap.c[10]) if 10 in cap.c else None
    if x is not None:
        at = 1
        for _ in range(x[0]):
            x[at:at + 2] = p2(cref(u2(x, at)))
            nf, nm = x[at + 2], x[at + 3]
            at += 4 + 2 * nf
            for _ in range(nm):
                x[at:at + 2] = p2(mref(u2(x, at)))
                at += 2

    # --- Descriptor (kept in our order; every reference relocated) ---
    d = bytearray(cap.c[11])
    at = 1
    for _ in range(d[0]):
        acc = d[at + 1]
        d[at + 2:at + 4] = p2(cref(u2(d, at + 2)))
        nif, nf, nm = d[at + 4], u2(d, at + 5), u2(d, at + 7)
        at += 9
        for _ in range(nif):
            d[at:at + 2] = p2(cref(u2(d, at)))
            at += 2
        for _ in range(nf):
            if not d[at + 1] & DESC_ACC_STATIC:
                d[at + 2:at + 4] = p2(cref(u2(d, at + 2)))
            at += 7
        for _ in range(nm):
            off = u2(d, at + 2)
            if not (off == 0 and acc & 0x40):
                d[at + 2:at + 4] = p2(mref(off))
                d[at + 10:at + 12] = p2(first_handler.get(off, 0))
            at += 12
    types_at = at
    for i in range(ncp):                          # constant_pool_types follow the new pool order
        t = cap.c[11][types_at + 2 + 2 * i: types_at + 4 + 2 * i]
        d[types_at + 2 + 2 * new_index[i]: types_at + 4 + 2 * new_index[i]] = t
    at = types_at + 2 + 2 * ncp
    while at < len(d):                            # type descriptors: class_refs in nibbles
        n = d[at]
        nib = [(d[at + 1 + k // 2] >> (0 if k % 2 else 4)) & 0xF for k in range(n)]
        k = 0
        while k < n:
            if nib[k] in (TN_REFERENCE, TN_ARRAY_REFERENCE):
                r = cref((nib[k + 1] << 12) | (nib[k + 2] << 8) | (nib[k + 3] << 4) | nib[k + 4])
                nib[k + 1:k + 5] = [(r >> 12) & 0xF, (r >> 8) & 0xF, (r >> 4) & 0xF, r & 0xF]
                k += 4
            k += 1
        if n % 2:
            nib.append(0)
        d[at + 1: at + 1 + (n + 1) // 2] = bytes((nib[j] << 4) | nib[j + 1] for j in range(0, len(nib), 2))
        at += 1 + (n + 1) // 2

    # --- StaticField: primitives with default values written out as non-default zeros ---
    s = bytearray(cap.c[8])
    if v.get("statics_explicit"):
        at = 6
        for _ in range(u2(s, 4)):
            t, cnt = s[at], u2(s, at + 1)
            at += 3 + cnt
        ndef, nnon = u2(s, at), u2(s, at + 2)
        s = s[:at] + p2(0) + p2(ndef + nnon) + bytes(ndef) + s[at + 4:]

    # --- Header, Import unchanged but for the format ---
    hdr = bytearray(cap.c[1])
    if minor22:
        hdr[4] = 2
        name = cap.pkg_path.encode()
        hdr += bytes([len(name)]) + name

    comps = {1: bytes(hdr), 4: cap.c[4], 5: cpool, 6: bytes(klass), 7: bytes(method), 8: bytes(s), 9: refloc}
    if a is not None:
        comps[3] = bytes(a)
    if x is not None:
        comps[10] = bytes(x)
    if v.get("descriptor", True):
        comps[11] = bytes(d)
    if v.get("debug"):
        comps[12] = debug_component(cap, class_map)
    customs = []
    if v.get("custom"):
        rid = cap.pkg[3:8]
        customs.append((0xA5, rid + b"\xC0\x57", b"custom component: a vendor's private data, skipped by other cards"))
    comps[2] = directory(cap, comps, minor22, customs)
    return comps, customs


def debug_component(cap, class_map):
    """A Debug component (JCVM 6.14) naming the package and its classes: classes without field or
    method entries, which is all a card ignoring the component needs to skip it."""
    strings = [cap.pkg_path.encode(), b"Object", b"Foreign.java"]
    out = bytearray()
    classes = sorted(class_map.values())
    for i, _ in enumerate(classes):
        strings.append(("%s/Class%d" % (cap.pkg_path, i)).encode())
    out += p2(len(strings))
    for s in strings:
        out += p2(len(s)) + s
    out += p2(0) + p2(len(classes))
    for i, loc in enumerate(classes):
        out += p2(3 + i) + p2(0x0001) + p2(loc) + p2(1) + p2(2) + bytes([0]) + p2(0) + p2(0)
    return bytes(out)


def directory(cap, comps, minor22, customs):
    """Directory (JCVM 6.5): component sizes (11 in 2.1, 12 with Debug in 2.2; its own size
    included), then static_field_size_info, import_count and applet_count as they were (the old
    Directory is 2.1: 22 bytes of sizes first), then the custom components."""
    old = cap.c[2]
    n = 12 if minor22 else 11
    tail = bytearray(old[22:30])
    tail.append(len(customs))
    for tag, aid, data in customs:
        tail += bytes([tag]) + p2(len(data)) + bytes([len(aid)]) + aid
    own = 2 * n + len(tail)
    sizes = bytearray()
    for tag in range(1, n + 1):
        sizes += p2(own if tag == 2 else len(comps[tag]) if tag in comps else 0)
    return bytes(sizes + tail)


def stream(comps, customs, order):
    out = bytearray()
    for tag in order:
        if tag == "custom":
            for ctag, _, data in customs:
                out += bytes([ctag]) + p2(len(data)) + data
        elif tag in comps:
            out += bytes([tag]) + p2(len(comps[tag])) + comps[tag]
    return bytes(out)


def jar(comps, pkg_path, order):
    """A JAR as other tools make it: deflated entries in the given order, a short manifest last."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for tag in order:
            if tag in comps:
                z.writestr("%s/javacard/%s.cap" % (pkg_path, NAMES[tag]), bytes([tag]) + p2(len(comps[tag])) + comps[tag])
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\nCreated-By: cardlet tests/foreign/recap.py\r\n\r\n")
    return buf.getvalue()


def read_jar(path):
    with zipfile.ZipFile(path) as z:
        comps, pkg = {}, None
        for name in z.namelist():
            if "/javacard/" in name and name.endswith(".cap"):
                data = z.read(name)
                comps[data[0]] = data[3:]
                if data[0] == 1:
                    pkg = name[:name.index("/javacard/")]
    return Cap(comps, pkg)


VARIANTS = {
    # GlobalPlatform load order, nothing else changed: the plain "other toolchain" stream
    "gp": ({}, GP_ORDER),
    # everything reordered, no Descriptor (as a LOAD often carries it), components reversed
    "reorder": ({"method_reverse": True, "class_reverse": True, "cp_reverse": True, "descriptor": False},
                list(reversed(GP_ORDER))),
    # everything reordered with the Descriptor kept (so the verifier types the moved code), CAP 2.1,
    # components interleaved
    "permuted": ({"method_reverse": True, "class_reverse": True, "cp_reverse": True},
                 [4, 1, 6, 2, 11, 5, 3, 9, 7, 10, 8]),
    # CAP 2.2 with a Debug and a custom component, statics written out, methods and pool reordered
    "v22": ({"cap22": True, "debug": True, "custom": True, "method_reverse": True, "cp_reverse": True,
             "statics_explicit": True}, [2, 1, 9, "custom", 5, 11, 8, 7, 6, 12, 3, 10, 4]),
    # CAP 2.2 without a Descriptor, classes reordered, Debug last
    "v22nodesc": ({"cap22": True, "debug": True, "class_reverse": True, "descriptor": False},
                  GP_ORDER + [12]),
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        cap = read_jar(path)
        for vname, (v, order) in VARIANTS.items():
            comps, customs = relayout(cap, v)
            base = os.path.join(out, "%s-%s" % (name, vname))
            with open(base + ".stream", "wb") as f:
                f.write(stream(comps, customs, order))
            jar_order = [t for t in reversed(order) if t != "custom"]
            with open(base + ".cap", "wb") as f:
                f.write(jar(comps, cap.pkg_path, jar_order))


if __name__ == "__main__":
    main()
