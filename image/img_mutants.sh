#!/usr/bin/env bash
# img_mutants: shows the image tests can fail. Each mutant breaks one rule the design depends on
# (an fsync, an order, a check); the named test program must then fail. Builds in a private copy
# of common/ and image/, so the working tree is never touched. Run by `make mutants-image`.
# Needs gcc, check, zlib, OpenSSL (as the build) and python3 (for the exact text replacement).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cardlet-img-mutants-XXXXXX")
trap 'rm -rf "$work"' EXIT
# A failing test leaves its files behind (Check skips the teardown): keep them in a directory of
# ours, on tmpfs when there is one (the tests fsync a lot).
data_base=/dev/shm; [[ -w $data_base ]] || data_base=${TMPDIR:-/tmp}
data=$(mktemp -d "$data_base/cardlet-img-mutants-XXXXXX")
trap 'rm -rf "$work" "$data"' EXIT
export IMG_TEST_DIR="$data"
CFLAGS="-D_GNU_SOURCE -I. -std=c11 -O1 -g -w -pthread"
LIBS="$(pkg-config --libs check 2>/dev/null || echo -lcheck) -lcrypto -lz -lm -pthread"

# file ~ exact text ~ replacement ~ test program that must fail (\n in the texts is a newline)
mutants=(
  'img.c~    if (img_io_fsync(img->wal_fd) != 0) goto io_error;~    /* no log fsync before the checkpoint */~img_power_test'
  'img.c~    if (img_io_fsync(img->fd) != 0) goto io_error;~    /* no main-file fsync */~img_power_test'
  'img.c~if (img->sync == IMG_SYNC_FULL && img_io_fdatasync(img->wal_fd) != 0) {~if (0) {~img_power_test'
  'img.c~    /* 2. Changed pages~    if (wal_reset(img, img->generation + 1) != 0) goto io_error; /* log reset first */\n    /* 2. Changed pages~img_cut_test'
  'img.c~if (scan->file_bytes != scan->valid_end &&~if (0 && scan->file_bytes != scan->valid_end &&~img_cut_test'
  'img.c~if (wal_reset(img, img->generation + 1) != 0) {~if (wal_reset(img, img->generation) != 0) {~img_cut_test'
  'img.c~    if (img->group_open || img->wal_end < img->checkpoint_at) return;~    if (img->wal_end < img->checkpoint_at) return;~img_test'
  'img.c~    if (create_size && create_size != img->hdr.area_size) {~    if (0) {~img_test'
  'img.c~        if (scan.records > 0) {~        if (0) {~img_test'
  'img.c~    if (!img->group_open && memcmp(img->mem + off, src, len) == 0) return 0;~    if (memcmp(img->mem + off, src, len) == 0) return 0;~img_test'
  'img_format.c~    if (cl_get32(buf + len - IMG_REC_TAIL) != img_crc(seed, buf, len - IMG_REC_TAIL)) return 0;~~img_cut_test'
  'img_format.c~    if (version != IMG_VERSION) {~    if (0) {~img_test'
  'img_format.c~        if ((uint64_t)off + elen > area_size) return 0;~~img_format_test'
  'img_replay.c~            if (dirty) {~            if (0) {~img_cut_test'
  'img_group.c~        if (log_group_ranges(img) != 0) img->broken = true;~~img_cut_test'
  'img_group.c~    for (uint32_t i = img->n_entries; i-- > 0;) {\n        const struct img_group_entry *g = &img->entries[i];\n        memcpy(img->mem~    for (uint32_t i = 0; i < img->n_entries; i++) {\n        const struct img_group_entry *g = &img->entries[i];\n        memcpy(img->mem~img_test'
  'img_group.c~    for (uint32_t i = 0; i < img->n_entries; i++) {\n        const struct img_group_entry *g = &img->entries[i];\n        cl_put32(p, g->off);~    for (uint32_t i = 0; i + 1 < img->n_entries; i++) {\n        const struct img_group_entry *g = &img->entries[i];\n        cl_put32(p, g->off);~img_crash_test'
)

survived=0
n=0
for m in "${mutants[@]}"; do
  n=$((n + 1))
  IFS='~' read -r file old new test <<<"$m"
  rm -rf "$work/t" && mkdir -p "$work/t" && cp -r "$here/common" "$here/image" "$work/t/"
  if ! python3 - "$work/t/image/$file" "$old" "$new" <<'PY'
import sys
p, old, new = sys.argv[1], sys.argv[2].replace('\\n', '\n'), sys.argv[3].replace('\\n', '\n')
s = open(p).read()
if old not in s:
    sys.exit("mutant text not found in " + p)
open(p, 'w').write(s.replace(old, new, 1))
PY
  then echo "mutant $n ($file): NOT APPLIED (code changed? update this script)"; survived=$((survived + 1)); continue; fi
  ( cd "$work/t" && mkdir -p o && for c in common/*.c $(ls image/*.c | grep -Ev '_(test|bench|fuzz)\.c$'); do
      cc $CFLAGS -c "$c" -o "o/$(basename "$c" .c).o" || exit 1; done &&
    cc $CFLAGS "image/$test.c" o/*.o -o "o/$test" $LIBS ) >/dev/null 2>&1 ||
    { echo "mutant $n ($file): does not build"; survived=$((survived + 1)); continue; }
  if (cd "$work/t" && IMG_CRASH_ROUNDS=300 CK_DEFAULT_TIMEOUT=120 "o/$test" >/dev/null 2>&1); then
    echo "mutant $n ($file): SURVIVED $test"; survived=$((survived + 1))
  else
    echo "mutant $n ($file): killed by $test"
  fi
done
echo "image mutants: $((n - survived)) of $n killed"
((survived == 0))
