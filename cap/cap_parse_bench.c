/* Speed figures for `make bench`: parsing the sample CAP (load stream and JAR) and walking its
 * instructions. Prints "name: value unit" lines; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>

#include "cap/cap_parse.h"
#include "cap/cap_testgen.h"
#include "common/cl_util.h"

static double per_op_us(uint64_t ns, unsigned n) { return (double)ns / 1000.0 / n; }

int main(void)
{
    tg_cap_t t;
    tg_build(&t, true);
    size_t slen, jlen;
    uint8_t *stream = tg_stream_std(&t, &slen);
    uint8_t *jar = tg_jar(&t, &jlen);
    cl_error_t e;
    const unsigned n = 20000;

    uint64_t t0 = cl_now_ns();
    for (unsigned i = 0; i < n; i++) {
        cap_file_t cap;
        if (cap_parse(&cap, stream, slen, CAP_PARSE_NO_COPY, &e) != 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
        cap_free(&cap);
    }
    printf("cap_parse_stream_%zub: %.2f us\n", slen, per_op_us(cl_now_ns() - t0, n));

    t0 = cl_now_ns();
    for (unsigned i = 0; i < n; i++) {
        cap_file_t cap;
        if (cap_parse(&cap, jar, jlen, 0, &e) != 0) { fprintf(stderr, "%s\n", e.msg); return 1; }
        cap_free(&cap);
    }
    printf("cap_parse_jar_%zub: %.2f us\n", jlen, per_op_us(cl_now_ns() - t0, n));

    cap_file_t cap;
    if (cap_parse(&cap, stream, slen, 0, &e) != 0) return 1;
    uint64_t insns = 0;
    t0 = cl_now_ns();
    for (unsigned i = 0; i < n; i++) {
        for (unsigned m = 0; m < cap.method_count; m++) {
            cap_insn_iter_t it;
            cap_insn_t in;
            cap_insn_iter_init(&it, &cap.methods[m]);
            while (cap_insn_next(&it, &in) == 1) insns++;
        }
    }
    uint64_t dt = cl_now_ns() - t0;
    printf("cap_insn_walk: %.1f Minsn/s\n", dt ? (double)insns * 1000.0 / (double)dt : 0.0);
    cap_free(&cap);
    free(stream);
    free(jar);
    return 0;
}
