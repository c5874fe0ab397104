#!/usr/bin/env python3
"""Check compiled API stubs against the tokens file, through javap.

    check-api-stubs.py TOKENS CLASSDIR

Every class, constructor, method and constant of TOKENS must exist in CLASSDIR with the
same kind, hierarchy, descriptor and value, and nothing else may be visible to an applet
(public or protected). Reads the class files with `javap -p -s -constants` (the JDK's own
reader), independently of the generator, so a generator bug cannot hide itself.
Exit 0: all match; 1: differences (listed); 2: usage or tool failure.
"""
import os
import re
import subprocess
import sys

import importlib.util

_spec = importlib.util.spec_from_file_location(
    "gen_api_stubs", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                                  "gen-api-stubs.py"))
_gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_gen)   # only its tokens-file parser is used, not its Java knowledge

_PRIM_DESC = {"byte": "B", "short": "S", "boolean": "Z", "int": "I", "void": "V",
              "long": "J", "char": "C", "float": "F", "double": "D"}


class JClass:
    def __init__(self, name, mods, kind, superclass, interfaces):
        self.name = name            # internal form, java/lang/Object
        self.mods = mods
        self.kind = kind            # "class" or "interface"
        self.superclass = superclass
        self.interfaces = interfaces
        self.methods = []           # (mods, sig); constructors as <init>
        self.fields = []            # (mods, name, desc, value or None)

    @property
    def visible(self):
        return "public" in self.mods or "protected" in self.mods


def internal(dotted):
    return dotted.replace(".", "/")


_HEAD_RE = re.compile(r"^((?:\w+ )*)(class|interface) (\S+)(?: extends ([^{]+?))?"
                      r"(?: implements ([^{]+?))? \{$")
_MEMBER_RE = re.compile(r"^  (\S.*);$")
_DESC_RE = re.compile(r"^    descriptor: (\S+)$")


def read_classes(classdir):
    # By file path: given class names, javap would take java.lang.* from the JDK instead.
    paths = []
    for root, _, files in os.walk(classdir):
        paths += [os.path.join(root, f) for f in files if f.endswith(".class")]
    if not paths:
        raise RuntimeError("no class files under " + classdir)
    out = subprocess.run(["javap", "-p", "-s", "-constants"] + sorted(paths),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if out.returncode != 0:
        raise RuntimeError("javap failed: " + out.stderr.strip())
    classes, cur, pending = {}, None, None
    for line in out.stdout.splitlines():
        m = _HEAD_RE.match(line)
        if m:
            mods = m.group(1).split()
            kind = m.group(2)
            ext = [internal(x.strip()) for x in (m.group(4) or "").split(",") if x.strip()]
            impl = [internal(x.strip()) for x in (m.group(5) or "").split(",") if x.strip()]
            if kind == "interface":
                cur = JClass(internal(m.group(3)), mods, kind, None, ext)
            else:
                # javap leaves out "extends java.lang.Object".
                sup = ext[0] if ext else None
                if sup is None and internal(m.group(3)) != "java/lang/Object":
                    sup = "java/lang/Object"
                cur = JClass(internal(m.group(3)), mods, kind, sup, impl)
            classes[cur.name] = cur
            continue
        # Descriptor first: "    descriptor: ()Lx/Y;" also ends in ';'.
        m = _DESC_RE.match(line)
        if m and cur is not None and pending is not None:
            add_member(cur, pending, m.group(1))
            pending = None
            continue
        m = _MEMBER_RE.match(line)
        if m and cur is not None:
            pending = m.group(1)
    return classes


def add_member(cls, decl, desc):
    if decl == "static {}":
        return
    value = None
    if " = " in decl:
        decl, value = decl.split(" = ", 1)
    if "(" in decl:
        head = decl[:decl.index("(")]
        words = head.split()
        name = words[-1]
        mods = words[:-1]
        if internal(name) == cls.name:      # constructor: javap prints the class name
            name = "<init>"
        else:
            mods = mods[:-1]                # drop the return type
        cls.methods.append((mods, name + desc))
    else:
        words = decl.split()
        cls.fields.append((words[:-2], words[-1], desc, value))


def kind_of(jc):
    if jc.kind == "interface":
        return "interface"
    return "abstract class" if "abstract" in jc.mods else "class"


def visible(mods):
    return "public" in mods or "protected" in mods


def check(tokens_path, classdir):
    _, tokens = _gen.parse_tokens(tokens_path)
    classes = read_classes(classdir)
    problems = []
    counts = {"classes": 0, "methods": 0, "constants": 0}

    public = {n for n, c in classes.items() if c.visible}
    for n in sorted(public - set(tokens)):
        problems.append("%s: public type not in the API" % n)
    for n in sorted(set(tokens) - public):
        problems.append("%s: missing (or not public)" % n)

    def chain(name):
        out = []
        while name in classes and classes[name].superclass:
            name = classes[name].superclass
            out.append(name)
        return list(reversed(out))

    def all_ifaces(name, seen=None):
        seen = set() if seen is None else seen
        c = classes.get(name)
        if c is None:
            return seen
        for i in c.interfaces:
            if i not in seen:
                seen.add(i)
                all_ifaces(i, seen)
        if c.superclass:
            all_ifaces(c.superclass, seen)
        return seen

    def virtuals(name, seen=None):
        """Visible instance methods, own and inherited (superclasses and superinterfaces)."""
        seen = set() if seen is None else seen
        c = classes.get(name)
        if c is None:
            return seen
        for mods, sig in c.methods:
            if visible(mods) and "static" not in mods and not sig.startswith("<init>"):
                seen.add(sig)
        if c.superclass:
            virtuals(c.superclass, seen)
        for i in c.interfaces:
            virtuals(i, seen)
        return seen

    for name in sorted(set(tokens) & public):
        t, j = tokens[name], classes[name]
        counts["classes"] += 1
        if t.kind != kind_of(j):
            problems.append("%s: is %s, API says %s" % (name, kind_of(j), t.kind))
        want_chain = [] if t.is_interface else t.supers
        if chain(name) != want_chain:
            problems.append("%s: superclasses %s, API says %s" % (name, chain(name), want_chain))
        if all_ifaces(name) != set(t.interfaces):
            problems.append("%s: interfaces %s, API says %s"
                            % (name, sorted(all_ifaces(name)), sorted(t.interfaces)))

        def compare(what, have, want):
            for s in sorted(have - want):
                problems.append("%s: extra %s %s" % (name, what, s))
            for s in sorted(want - have):
                problems.append("%s: missing %s %s" % (name, what, s))

        own = [(m, s) for m, s in j.methods if visible(m)]
        compare("constructor", {s for m, s in own if s.startswith("<init>")},
                {m.sig for m in t.of_kind("constructor")})
        compare("static method", {s for m, s in own if "static" in m and not s.startswith("<")},
                {m.sig for m in t.of_kind("static")})
        want_virtual = {m.sig for m in t.of_kind("virtual")}
        have_virtual = virtuals(name)
        compare("virtual method", have_virtual, want_virtual)
        counts["methods"] += len(t.of_kind("constructor")) + len(t.of_kind("static")) + \
            len(want_virtual)

        consts = {}
        others = set()
        for mods, fname, desc, value in j.fields:
            if not visible(mods):
                continue
            if "static" in mods and "final" in mods and value is not None:
                consts[fname + ":" + desc] = int(value)
            else:
                others.add("%s %s:%s" % ("static" if "static" in mods else "instance", fname, desc))
        want_consts = {m.sig: m.value for m in t.of_kind("const")}
        compare("constant", set(consts), set(want_consts))
        for s in sorted(set(consts) & set(want_consts)):
            if consts[s] != want_consts[s]:
                problems.append("%s: constant %s = %d, API says %d"
                                % (name, s, consts[s], want_consts[s]))
        counts["constants"] += len(want_consts)
        compare("field", others,
                {"%s %s" % ("static" if m.static else "instance", m.sig)
                 for m in t.of_kind("field")})
    return problems, counts


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: check-api-stubs.py TOKENS CLASSDIR\n")
        return 2
    try:
        problems, counts = check(argv[1], argv[2])
    except (RuntimeError, OSError, _gen.ApiError) as e:
        sys.stderr.write("check-api-stubs: %s\n" % e)
        return 2
    for p in problems:
        print("check-api-stubs: " + p)
    if problems:
        print("check-api-stubs: FAIL, %d difference(s)" % len(problems))
        return 1
    print("check-api-stubs: OK, %(classes)d classes, %(methods)d methods, "
          "%(constants)d constants match the tokens file" % counts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
