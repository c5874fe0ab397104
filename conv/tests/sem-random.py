#!/usr/bin/env python3
"""Usage: sem-random.py SEED [short] > Sem.java. Writes a random t.sem.Sem for exploring the converter with the
semantic model (conv/conv_semantics_test.c): 40 static methods of short, byte and int arguments mixing
int constants beyond the short range, int locals, array elements and indexes, compound assignments and
every binary operator, in an `int yes` package. Not part of `make unit`; conv/tests/sem-random.sh runs
seeds against a private build tree (docs/converter.md, "Exploring"). With `short`: Java Card style
short and byte expressions (every intermediate cast) for a package without `int yes`."""
import random
import sys

r = random.Random(int(sys.argv[1]))
K = ["0x12345678", "-70000", "0x18000", "65536", "32768", "-32769", "7", "-1", "300", "(short) 0x8000",
     "0x7FFF", "31", "17"]
OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>"]
COMPOUND = ["+", "-", "/", "%", ">>", ">>>", "*"]


def expr(d):
    if d == 0 or r.random() < 0.2:
        return r.choice(["a", "b", "i", "j", "(byte) a", "(short) i", "arr[a & 3]", "iv"] + K)
    k = r.random()
    if k < 0.1:
        return "(- %s)" % expr(d - 1)
    if k < 0.15:
        return "(~%s)" % expr(d - 1)
    if k < 0.25:
        return "(short) %s" % expr(d - 1)
    if k < 0.3:
        return "(byte) %s" % expr(d - 1)
    if k < 0.38:
        return "(%s %s %s ? %s : %s)" % (expr(d - 1), r.choice(["<", ">=", "==", "!="]), expr(d - 1), expr(d - 1),
                                         expr(d - 1))
    if k < 0.43:
        return "barr[%s]" % expr(d - 1)   # an int index: out of range must throw, not wrap
    return "(%s %s %s)" % (expr(d - 1), r.choice(OPS), expr(d - 1))


SK = ["0", "1", "-1", "7", "-128", "127", "255", "0x7FFF", "(short) 0x8000", "15", "16", "31", "300"]


def sexpr(d):
    """A Java Card style short expression: every intermediate cast, so `int no` must convert it."""
    if d == 0 or r.random() < 0.2:
        return r.choice(["a", "b", "c", "(byte) a", "arr[(short) (a & 3)]", "(short) (0x12345 + b)"] + SK)
    k = r.random()
    if k < 0.1:
        return "(short) (- %s)" % sexpr(d - 1)
    if k < 0.15:
        return "(short) ~%s" % sexpr(d - 1)
    if k < 0.22:
        return "(byte) %s" % sexpr(d - 1)
    if k < 0.3:
        return "(%s %s %s ? %s : %s)" % (sexpr(d - 1), r.choice(["<", ">=", "==", "!="]), sexpr(d - 1), sexpr(d - 1),
                                         sexpr(d - 1))
    if k < 0.35:
        return "barr[(short) (%s & 7)]" % sexpr(d - 1)
    return "(short) (%s %s %s)" % (sexpr(d - 1), r.choice(OPS), sexpr(d - 1))


out = ["package t.sem;", "", "public class Sem {"]
if len(sys.argv) > 2 and sys.argv[2] == "short":
    for n in range(40):
        rt = r.choice(["short", "byte"])
        body = "short[] arr = new short[4]; arr[b & 3] = a; byte[] barr = new byte[8]; barr[a & 7] = c; "
        stmt = r.choice(["", "a %s= %s; " % (r.choice(COMPOUND + ["^", "&", "<<"]), sexpr(2)),
                         "c %s= %s; " % (r.choice(COMPOUND), sexpr(2))])
        out.append("    static %s m%d(short a, short b, byte c) { %s%sreturn (%s) %s; }" % (rt, n, body, stmt, rt,
                                                                                         sexpr(3)))
    out.append("}")
    print("\n".join(out))
    sys.exit(0)
for n in range(40):
    rt = r.choice(["short", "int", "byte"])
    body = ("int iv = i ^ %s; short[] arr = new short[4]; arr[b & 3] = a; byte[] barr = new byte[8]; "
            "barr[a & 7] = (byte) j; " % r.choice(K))
    stmt = r.choice(["", "iv %s= %s; " % (r.choice(COMPOUND), expr(2)), "a %s= %s; " % (r.choice(COMPOUND), expr(2))])
    cast = "" if rt == "int" else "(%s) " % rt
    out.append("    static %s m%d(short a, short b, int i, int j) { %s%sreturn %s(%s); }" % (rt, n, body, stmt, cast,
                                                                                          expr(3)))
out.append("}")
print("\n".join(out))
