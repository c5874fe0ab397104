/* libFuzzer target: the CAP parser (JAR and load-stream paths), the zip reader on its own, and on
 * accepted input everything built on the parse (instruction walk, branch targets, the dumper), so
 * anything the parser lets through is exercised the way the VM and `cardlet cap dump` use it.
 * Build and run: make fuzz-run-cap FUZZ_SECONDS=60 (see cap/module.mk). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap_dump.h"
#include "cap/cap_parse.h"
#include "cap/cap_testgen.h"
#include "cap/cap_zip.h"
#include "cap/jc_opcodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull(void)
{
    static FILE *f;
    if (!f) f = fopen("/dev/null", "w");
    return f;
}

/* Random bytes rarely get past the first components, so an input starting with 0xA5 is a patch
 * list for the (valid) sample CAP instead: byte 1 picks the variant, then (u16 offset, u8 xor)
 * triples. Small changes deep inside a valid file reach the cross-component checks. */
static size_t patched_sample(const uint8_t *data, size_t size, uint8_t *out, size_t cap_out)
{
    static uint8_t *samples[2];
    static size_t lens[2];
    if (!samples[0]) {
        for (int v = 0; v < 2; v++) {
            tg_cap_t t;
            tg_build(&t, v == 0);
            samples[v] = tg_stream_std(&t, &lens[v]);
        }
    }
    int v = size > 1 ? data[1] & 1 : 0;
    if (lens[v] > cap_out) return 0;
    memcpy(out, samples[v], lens[v]);
    for (size_t i = 2; i + 3 <= size; i += 3) {
        size_t off = ((size_t)data[i] << 8 | data[i + 1]) % lens[v];
        out[off] ^= data[i + 2];
    }
    return lens[v];
}

static void run_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 0xA5) {
        static uint8_t buf[16384];
        size_t n = patched_sample(data, size, buf, sizeof(buf));
        if (n) {
            /* a heap copy of exactly n bytes, so ASan sees any over-read */
            uint8_t *h = malloc(n);
            memcpy(h, buf, n);
            run_one(h, n);
            free(h);
        }
        return 0;
    }
    run_one(data, size);
    return 0;
}

static void run_one(const uint8_t *data, size_t size)
{
    cl_error_t e;
    cap_file_t cap;
    if (cap_parse(&cap, data, size, CAP_PARSE_NO_COPY, &e) == 0) {
        for (unsigned i = 0; i < cap.method_count; i++) {
            cap_insn_iter_t it;
            cap_insn_t in;
            cap_insn_iter_init(&it, &cap.methods[i]);
            int rc;
            while ((rc = cap_insn_next(&it, &in)) == 1) {
                int32_t t[8];
                int n = cap_insn_targets(&in, t, 8);
                for (int k = 0; k < n && k < 8; k++)
                    if (t[k] < 0 || t[k] >= cap.methods[i].code_len) abort(); /* the parser promised valid targets */
            }
            if (rc != 0) abort(); /* the parser promised decodable bytecode */
        }
        if (devnull()) cap_dump(&cap, NULL, devnull());
        cap_free(&cap);
    }
    cap_zip_t z;
    if (cap_zip_open(&z, data, size, &e) == 0) {
        for (size_t i = 0; i < z.count; i++) {
            size_t n;
            uint8_t *d = cap_zip_extract(&z, &z.entries[i], 1u << 20, &n, &e);
            free(d);
        }
        cap_zip_close(&z);
    }
}
