#!/usr/bin/env bash
# Compiles the converter's Java test inputs into OUT (called by conv/module.mk):
#   OUT/{ok,okint,app,sem,big,lib}   packages compiled against the API stubs only
#   OUT/cli                          against the stubs and OUT/lib
#   OUT/samples/<name>               the applets/samples packages
#   OUT/rej/<Name>                   conv/tests/java/rej/<Name>.java alone, with the JDK platform
#                                    classes (String, Thread, long... must compile to be refused)
# A javac failure is reported and recorded in OUT/javac-failed: the conv tests then fail with that
# reason instead of the whole `make unit` stopping. Without javac, OUT/no-javac: the tests skip.
# Environment: JAVAC, JC_JAVAC_FLAGS, API_CLASSES, OUT.
set -u
src=conv/tests/java
rm -rf "$OUT" && mkdir -p "$OUT"
if ! command -v "$JAVAC" >/dev/null 2>&1; then
    echo "javac missing: the converter tests will skip"
    touch "$OUT/no-javac"
    exit 0
fi
failed=0
jc() { # jc OUTDIR [javac options...] -- sources...
    local dir=$1; shift
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    if ! "$JAVAC" $JC_JAVAC_FLAGS -bootclasspath "$API_CLASSES" -d "$dir" "$@"; then
        echo "conv test inputs: javac failed for $dir" >&2
        failed=1
    fi
}
for p in ok okint app sem big lib; do
    jc "$OUT/$p" $(find "$src/$p" -name '*.java' | sort)
done
jc "$OUT/cli" -classpath "$OUT/lib" $(find "$src/cli" -name '*.java' | sort)
for p in hello wallet points-server; do
    jc "$OUT/samples/$p" $(find "applets/samples/$p/src" -name '*.java' | sort)
done
jc "$OUT/samples/points-client" -classpath "$OUT/samples/points-server" \
    $(find applets/samples/points-client/src -name '*.java' | sort)
for f in "$src"/rej/*.java; do
    n=$(basename "$f" .java)
    mkdir -p "$OUT/rej/$n"
    if ! "$JAVAC" -source 8 -target 8 -g -Xlint:-options -nowarn -classpath "$API_CLASSES" -d "$OUT/rej/$n" "$f" 2>&1 |
            grep -v '^Note: '; then :; fi
    if [ ! -e "$OUT/rej/$n/t/rej/$n.class" ]; then
        echo "conv test inputs: javac failed for $f" >&2
        failed=1
    fi
done
if [ $failed -ne 0 ]; then
    touch "$OUT/javac-failed"
else
    echo "javac: converter test inputs in $OUT"
fi
exit 0
