#!/usr/bin/env python3
"""Usage: gen-random.py VMCONFORM_SRC_DIR [VMCONFORM16_SRC_DIR]. Writes, into the first:
  RandExpr.java: seeded random expressions for the differential test (Cases INS 0x10, P1 = number);
  RandProg.java: seeded random small programs (Cases INS 0x12): locals of every primitive type, a
    short array, an object with fields (nested class), if/else, switch, bounded nested loops,
    try/catch and try/finally, compound assignments;
and into the second (package vmconform16, `int no`): Rand16.java, short-only expressions and programs.

Half the expressions are short-typed the Java Card way (every intermediate cast to short or byte,
so the converter must produce 16-bit instructions); the other half compute in int (the package is
`int yes`) with short and byte operands mixed in, so the converter has to widen and narrow in both
operand orders. Division and remainder may divide by zero: both sides then throw
ArithmeticException, which Cases.run reports. The output is committed; rerun after changing this
script (same seed, same file)."""
import os
import random
import sys

SEED = int(os.environ.get("VMT_SEED", "20261128"))  # VMT_SEED: explore other programs (not committed)
COUNT = 200
CONSTS = ["0", "1", "-1", "2", "7", "-128", "127", "255", "0x7FFF", "(short) 0x8000", "15", "16", "31", "300"]
OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"]


def short_expr(r, depth):
    if depth == 0 or r.random() < 0.25:
        return r.choice(["a", "b", "c", "(short) c", "(byte) a"] + ["(short) (%s)" % k for k in CONSTS])
    k = r.random()
    if k < 0.1:
        return "(short) -%s" % short_expr(r, depth - 1)
    if k < 0.17:
        return "(short) ~%s" % short_expr(r, depth - 1)
    if k < 0.25:
        return "(byte) %s" % short_expr(r, depth - 1)
    if k < 0.33:
        cmp = r.choice(["<", "<=", ">", ">=", "==", "!="])
        return "(%s %s %s ? %s : %s)" % (short_expr(r, depth - 1), cmp, short_expr(r, depth - 1),
                                          short_expr(r, depth - 1), short_expr(r, depth - 1))
    return "(short) (%s %s %s)" % (short_expr(r, depth - 1), r.choice(OPS), short_expr(r, depth - 1))


def int_expr(r, depth):
    if depth == 0 or r.random() < 0.25:
        return r.choice(["x", "y", "a", "b", "c", "0x12345678", "-70000", "65536", "1", "31", "-1"])
    k = r.random()
    if k < 0.1:
        return "(short) %s" % int_expr(r, depth - 1)
    if k < 0.15:
        return "(byte) %s" % int_expr(r, depth - 1)
    if k < 0.22:
        return "-(%s)" % int_expr(r, depth - 1)
    if k < 0.3:
        cmp = r.choice(["<", "<=", ">", ">=", "==", "!="])
        return "(%s %s %s ? %s : %s)" % (int_expr(r, depth - 1), cmp, int_expr(r, depth - 1),
                                          int_expr(r, depth - 1), int_expr(r, depth - 1))
    return "(%s %s %s)" % (int_expr(r, depth - 1), r.choice(OPS), int_expr(r, depth - 1))


PROGS = 120
SHORT_VARS = ["v1", "v2"]


WITH_INT = [True]  # False while writing the short-only package (no int anywhere)
# try statements left in the current program: one in every third program, because a CAP's Method
# component holds at most 255 exception handlers for the whole package (javac's finally makes several)
TRY_BUDGET = [0]


def pleaf(r):
    return r.choice(["v1", "v2", "bt", "(short) iv" if WITH_INT[0] else "v2", "a", "b", "c", "arr[(short) (v1 & 3)]", "k0",
                     "(short) 3", "(short) -1", "(short) 0x7FFF", "(short) 200", "(short) 0x8000", "cell.s", "cell.b"])


def pexpr(r, depth):
    if depth == 0 or r.random() < 0.3:
        return pleaf(r)
    if r.random() < 0.15:
        return "(short) -%s" % pexpr(r, depth - 1)
    return "(short) (%s %s %s)" % (pexpr(r, depth - 1), r.choice(OPS), pexpr(r, depth - 1))


def pcond(r):
    k = r.random()
    if k < 0.2:
        return "z"
    if k < 0.3:
        return "!z"
    return "%s %s %s" % (pexpr(r, 1), r.choice(["<", "<=", ">", ">=", "==", "!="]), pexpr(r, 1))


def pstmts(r, depth, n, ind):
    out = []
    for _ in range(n):
        k = r.random()
        pad = "    " * ind
        if depth > 0 and TRY_BUDGET[0] > 0 and k < 0.2:
            TRY_BUDGET[0] -= 1
            if r.random() < 0.5:
                out.append("%stry {\n%s%s} catch (ArithmeticException e) {\n%s    v2 = (short) (v2 + 1);\n%s}\n"
                           % (pad, pstmts(r, depth - 1, 2, ind + 1), pad, pad, pad))
            else:
                out.append("%stry {\n%s%s} finally {\n%s    v1 ^= (short) 0x55;\n%s}\n"
                           % (pad, pstmts(r, depth - 1, 2, ind + 1), pad, pad, pad))
        elif k < 0.12:
            out.append("%scell.%s = %s;\n" % (pad, r.choice(["s", "next.s"]), pexpr(r, 2)))
        elif k < 0.14:
            out.append("%scell.b = (byte) %s;\n" % (pad, pexpr(r, 1)))
        elif depth > 0 and k < 0.22:
            out.append("%sif (%s) {\n%s%s} else {\n%s%s}\n" % (pad, pcond(r), pstmts(r, depth - 1, 2, ind + 1), pad,
                                                               pstmts(r, depth - 1, 1, ind + 1), pad))
        elif depth > 0 and k < 0.25:
            var = "k%d" % depth
            out.append("%sfor (short %s = 0; %s < %d; %s++) {\n%s%s}\n" % (pad, var, var, r.randint(1, 4), var,
                                                                       pstmts(r, depth - 1, 2, ind + 1), pad))
        elif depth > 0 and k < 0.32:
            cases = sorted(r.sample(range(-3, 9), 3))
            body = "".join("%s    case %d:\n%s%s        break;\n" % (pad, c, pstmts(r, 0, 1, ind + 2), pad) for c in cases)
            out.append("%sswitch ((short) (%s & 7)) {\n%s%s    default:\n%s%s}\n" % (pad, pexpr(r, 1), body, pad,
                                                                              pstmts(r, 0, 1, ind + 2), pad))
        elif k < 0.45:
            out.append("%s%s = %s;\n" % (pad, r.choice(SHORT_VARS), pexpr(r, 2)))
        elif k < 0.52:
            out.append("%sbt = (byte) %s;\n" % (pad, pexpr(r, 2)))
        elif k < 0.6 and WITH_INT[0]:
            out.append("%siv = iv * %d + %s;\n" % (pad, r.choice([3, 7, 65537, -1]), pexpr(r, 1)))
        elif k < 0.6:
            out.append("%sv2 = (short) (v2 * %d + %s);\n" % (pad, r.choice([3, 7, -1]), pexpr(r, 1)))
        elif k < 0.66:
            out.append("%sz = %s;\n" % (pad, pcond(r)))
        elif k < 0.76:
            out.append("%sarr[(short) (%s & 3)] = %s;\n" % (pad, pexpr(r, 1), pexpr(r, 2)))
        elif k < 0.84:
            op, e = r.choice(["+", "-", "*", "^", "|", "&", "<<", ">>"]), pexpr(r, 1)
            if op in "+-" and e == "(short) 0x8000":
                e = "(short) 0x7FFF"  # javac turns += -32768 into isub 32768: refused by conv (docs/testing-vm.md 5)
            out.append("%s%s %s= %s;\n" % (pad, r.choice(SHORT_VARS), op, e))
        elif k < 0.9:
            out.append("%s%s%s;\n" % (pad, r.choice(SHORT_VARS), r.choice(["++", "--"])))
        else:
            out.append("%sbt += (byte) %s;\n" % (pad, pexpr(r, 1)))
    return "".join(out)


def prog_methods(r, out, count, prefix):
    for i in range(count):
        TRY_BUDGET[0] = 1 if i % 3 == 0 else 0
        out.append("    static short %s%d(short a, short b, byte c) {\n" % (prefix, i))
        out.append("        short v1 = a;\n        short v2 = b;\n        byte bt = c;\n")
        if WITH_INT[0]:
            out.append("        int iv = a * 3;\n")
        out.append("        boolean z = a < b;\n        short k0 = 1;\n        short[] arr = new short[4];\n"
                   "        Cell cell = new Cell();\n        cell.next = cell;\n        if ((a & 1) != 0) cell.next = new Cell();\n")
        out.append(pstmts(r, 2, 6, 2))
        iv = "(short) iv ^ (short) (iv >> 16) ^ " if WITH_INT[0] else ""
        out.append("        return (short) (v1 ^ v2 ^ bt ^ %sarr[0] ^ arr[1] ^ arr[2] ^ arr[3] ^ (z ? 1 : 0) ^ k0 ^ cell.s ^ cell.b "
                   "^ cell.next.s);\n    }\n\n" % iv)


CELL = ("    /** The programs' object: fields of two types and a reference (to itself or another cell). */\n"
        "    static final class Cell {\n        short s;\n        byte b;\n        Cell next;\n    }\n\n")


def progs(path):
    r = random.Random(SEED + 1)
    out = ["package com.cardlet.tests.vmconform;\n\n",
           "// GENERATED by tests/vm/gen-random.py (seed %d): do not edit, rerun the script.\n\n" % (SEED + 1),
           "/** Random small programs for the differential test (locals, array, branches, switches, loops). */\n",
           "final class RandProg {\n    private RandProg() {\n    }\n\n", CELL]
    prog_methods(r, out, PROGS, "p")
    out.append("    static short run(short op, short a, short b, byte c) {\n        switch (op) {\n")
    for i in range(PROGS):
        out.append("        case %d: return p%d(a, b, c);\n" % (i, i))
    out.append("        default: return (short) 0x7777;\n        }\n    }\n}\n")
    with open(path, "w") as f:
        f.write("".join(out))


SHORT_EXPRS = 150
SHORT_PROGS = 80


def short_only(path):
    """Rand16.java for the `int no` package vmconform16: what most applets are, converted by the
    converter's short-only path (where an uncast int would be refused, not silently widened)."""
    r = random.Random(SEED + 2)
    WITH_INT[0] = False
    out = ["package com.cardlet.tests.vmconform16;\n\n",
           "// GENERATED by tests/vm/gen-random.py (seed %d): do not edit, rerun the script.\n\n" % (SEED + 2),
           "/** Random short-only expressions (op < %d) and programs (op >= %d) for the differential test. */\n"
           % (SHORT_EXPRS, SHORT_EXPRS),
           "public final class Rand16 {\n    private Rand16() {\n    }\n\n", CELL]
    for i in range(SHORT_EXPRS):
        out.append("    static short e%d(short a, short b, byte c) {\n        return %s;\n    }\n\n" % (i, short_expr(r, 4)))
    prog_methods(r, out, SHORT_PROGS, "p")
    out.append("    public static short run(short op, short a, short b, byte c) {\n        switch (op) {\n")
    for i in range(SHORT_EXPRS):
        out.append("        case %d: return e%d(a, b, c);\n" % (i, i))
    for i in range(SHORT_PROGS):
        out.append("        case %d: return p%d(a, b, c);\n" % (SHORT_EXPRS + i, i))
    out.append("        default: return (short) 0x7777;\n        }\n    }\n}\n")
    with open(path, "w") as f:
        f.write("".join(out))
    WITH_INT[0] = True


def main():
    r = random.Random(SEED)
    out = ["package com.cardlet.tests.vmconform;\n\n",
           "// GENERATED by tests/vm/gen-random.py (seed %d): do not edit, rerun the script.\n\n" % SEED,
           "/** Random expressions, short-typed and int-typed, for the differential test. */\n",
           "final class RandExpr {\n    private RandExpr() {\n    }\n\n"]
    for i in range(COUNT):
        if i % 2 == 0:
            body = "        return %s;\n" % short_expr(r, 4)
        else:
            body = ("        int x = a * 65536 + b;\n        int y = (short) (b ^ c) * 3;\n"
                    "        return (short) (%s);\n" % int_expr(r, 4))
        out.append("    static short e%d(short a, short b, byte c) {\n%s    }\n\n" % (i, body))
    out.append("    static short run(short op, short a, short b, byte c) {\n        switch (op) {\n")
    for i in range(COUNT):
        out.append("        case %d: return e%d(a, b, c);\n" % (i, i))
    out.append("        default: return (short) 0x7777;\n        }\n    }\n}\n")
    with open(os.path.join(sys.argv[1], "RandExpr.java"), "w") as f:
        f.write("".join(out))
    progs(os.path.join(sys.argv[1], "RandProg.java"))
    if len(sys.argv) > 2:
        short_only(os.path.join(sys.argv[2], "Rand16.java"))


if __name__ == "__main__":
    main()
