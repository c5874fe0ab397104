#!/usr/bin/env python3
"""Seed corpus for tests/hostile/vm_load_fuzz: each CAP file (a JAR) given on the command line
becomes its component stream (the bytes a GlobalPlatform LOAD carries: tag, size, info, in the
load order; Debug left out), written to OUTDIR/<name>.stream. Usage: mkseed.py OUTDIR FILE.cap..."""
import os
import sys
import zipfile

# Load order (GlobalPlatform): Header, Directory, Import, Applet, Class, Method, StaticField,
# Export, ConstantPool, RefLocation, Descriptor.
ORDER = ["Header", "Directory", "Import", "Applet", "Class", "Method", "StaticField",
         "Export", "ConstantPool", "RefLocation", "Descriptor"]


def stream(path):
    with zipfile.ZipFile(path) as z:
        comps = {}
        for name in z.namelist():
            base = os.path.basename(name)
            if base.endswith(".cap") and "/javacard/" in name:
                comps[base[:-4]] = z.read(name)
    return b"".join(comps[c] for c in ORDER if c in comps)  # each entry is tag, size, info already


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for cap in sys.argv[2:]:
        data = stream(cap)
        if not data:
            sys.exit(f"{cap}: no components")
        name = os.path.splitext(os.path.basename(cap))[0]
        with open(os.path.join(out, name + ".stream"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
