#!/usr/bin/env python3
"""Which Java Card API methods does no applet of this tree call? (docs/testing-api.md, "Coverage")

Usage: tests/api/api_coverage.py TOKENS CARDLET CAP... [--exempt FILE]

Reads the API (the tokens file: every class, interface and method with its token), disassembles
each CAP with `cardlet cap dump` and collects the API methods its bytecode invokes:
  - invokestatic / invokevirtual / invokespecial of an API class: named in the dump;
  - invokevirtual through one of the package's own classes (an inherited API method called on
    `this`, e.g. register()): the class's superclass chain leads to the API class, whose virtual
    method with that token is the one called;
  - invokeinterface: the interface and its method token.
A method counts as called when a call names it on its declaring class or on a subclass or
implementing class. Prints every API method declared by the API (inherited copies are not counted
twice, Object.equals is left out) that no CAP calls and the exempt file does not excuse, and exits
1 if there is one. The exempt file: "CLASS.NAMEDESC  # reason", one per line.
"""
import re
import subprocess
import sys

DECL = re.compile(r'(class|abstract class|interface) (\d+) (\S+)(?: extends (\S+))?(?: implements (\S+))?$')
MEMBER = re.compile(r'\s+(constructor|static method|virtual method) (\d+) (\S+)$')
NAMED_CALL = re.compile(r'invoke\w+ .*// (\S+/\S+)\.(<init>\S*|[A-Za-z_$][\w$]*\(\S*)')
OWN_CALL = re.compile(r'invoke(?:virtual|special) .*// (class@0x[0-9a-f]+)(?: \(token \d+\))? method token (\d+)')
IFACE_CALL = re.compile(r'invokeinterface nargs \d+, 0x[0-9a-f]+, method (\d+) // (\S+) \(')
OWN_CLASS = re.compile(r'^\s+(?:interface|class) (class@0x[0-9a-f]+)\b.* extends (\S+)')


def read_api(path):
    """{name: {'supers': [...], 'ifaces': [...], 'methods': [(kind, token, namedesc)]}}"""
    api, cur = {}, None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip() or line.startswith('#') or line.startswith('package '):
                continue
            m = DECL.match(line)
            if m:
                cur = {'supers': [s for s in (m.group(4) or '').split(',') if s],
                       'ifaces': [s for s in (m.group(5) or '').split(',') if s], 'methods': []}
                api[m.group(3)] = cur
                continue
            m = MEMBER.match(line)
            if m and cur is not None:
                cur['methods'].append((m.group(1), int(m.group(2)), m.group(3)))
    return api


def ancestors(api, name):
    seen, todo = set(), [name]
    while todo:
        c = api.get(todo.pop())
        for s in (c['supers'] + c['ifaces']) if c else []:
            if s not in seen:
                seen.add(s)
                todo.append(s)
    return seen


def calls_in(api, cardlet, cap):
    """The (class, namedesc) pairs the CAP's bytecode invokes."""
    dump = subprocess.run([cardlet, 'cap', 'dump', cap], capture_output=True, text=True, check=True).stdout
    supers = {}
    for line in dump.splitlines():
        m = OWN_CLASS.match(line)
        if m:
            supers[m.group(1)] = m.group(2)
    found = set()
    for line in dump.splitlines():
        m = NAMED_CALL.search(line)
        if m:
            found.add((m.group(1), m.group(2)))
            continue
        m = OWN_CALL.search(line)
        if m and int(m.group(2)) < 128:          # tokens >= 128 are the package's own methods
            c, hops = m.group(1), 0
            while c in supers and hops < 64:      # up to the first API class
                c, hops = supers[c], hops + 1
            for kind, token, nd in api.get(c, {'methods': []})['methods']:
                if kind == 'virtual method' and token == int(m.group(2)):
                    found.add((c, nd))
            continue
        m = IFACE_CALL.search(line)
        if m and m.group(2) in api:
            for kind, token, nd in api[m.group(2)]['methods']:
                if kind == 'virtual method' and token == int(m.group(1)):
                    found.add((m.group(2), nd))
    return found


def main(argv):
    exempt_path = None
    if '--exempt' in argv:
        i = argv.index('--exempt')
        exempt_path = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    api = read_api(argv[0])
    called = set()
    for cap in argv[2:]:
        called |= calls_in(api, argv[1], cap)
    exempt = set()
    if exempt_path:
        with open(exempt_path, encoding='utf-8') as f:
            for line in f:
                words = line.split('#', 1)[0].split()
                if words:
                    exempt.add(words[0])
    # Who calls what: a call on X counts for the declaring class C when X is C or below it.
    below = {}
    for x, nd in called:
        for c in {x} | ancestors(api, x):
            below.setdefault((c, nd), True)
    missing, declared, n_called, n_exempt, stale = [], 0, 0, 0, set(exempt)
    for name, c in sorted(api.items()):
        inherited = set()
        for a in ancestors(api, name):
            inherited |= {nd for kind, _, nd in api.get(a, {'methods': []})['methods'] if kind == 'virtual method'}
        for kind, _, nd in c['methods']:
            if nd.startswith('equals(') or (kind == 'virtual method' and nd in inherited):
                continue
            declared += 1
            key = name + '.' + nd
            stale.discard(key)
            if (name, nd) in below:
                n_called += 1
                if key in exempt:
                    print('api-coverage: %s is called now: remove it from the exempt list' % key)
            elif key in exempt:
                n_exempt += 1
            else:
                missing.append('%s %s' % (kind, key))
    for key in sorted(stale):
        print('api-coverage: exempt %s is no API method' % key)
    print('api-coverage: %d API methods, %d called from the applets, %d exempt, %d not called' %
          (declared, n_called, n_exempt, len(missing)))
    for m in missing:
        print('  not called: ' + m)
    return 1 if missing or stale else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
