#!/usr/bin/env bash
# Usage: conv/tests/sem-random.sh FIRST LAST [BUILD] [short]: for each seed, a random t.sem.Sem
# (conv/tests/sem-random.py) replaces the compiled sem package of BUILD (default build/sem-random,
# a private tree: never the one `make unit` uses) and conv_semantics_test compares JVM and JCVM
# models on it (`short`: short-only methods converted without `int yes`). Prints one line per seed that disagrees (or does not compile); exit 1 if any.
set -u
first=$1 last=$2 build=${3:-build/sem-random} mode=${4:-int}
make -s BUILD="$build" "$build/test/conv/conv_semantics_test" >/dev/null || exit 2
work=$(mktemp -d) && trap 'rm -rf "$work"' EXIT
bad=0
for s in $(seq "$first" "$last"); do
    rm -rf "$work/src" "$work/cls" && mkdir -p "$work/src/t/sem" "$work/cls"
    python3 conv/tests/sem-random.py "$s" "$mode" >"$work/src/t/sem/Sem.java"
    if ! javac -source 8 -target 8 -g -encoding UTF-8 -Xlint:-options -implicit:none \
         -bootclasspath "$build/api/classes" -d "$work/cls" "$work/src/t/sem/Sem.java" 2>"$work/javac.log"; then
        echo "seed $s: javac failed"; bad=1; continue
    fi
    rm -rf "$build/conv-tests/sem" && cp -r "$work/cls" "$build/conv-tests/sem"
    out=$(CONV_SEM_INT=$([ "$mode" = short ] && echo 0 || echo 1) CK_RUN_CASE=semantics "$build/test/conv/conv_semantics_test" 2>&1 | grep -E "t_same_results:|t\.sem:")
    if [ -n "$out" ]; then echo "seed $s: $out"; bad=1; fi
done
exit $bad
