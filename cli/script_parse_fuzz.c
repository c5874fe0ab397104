/* libFuzzer target for what `cardlet script` reads from files: both script formats, expected-response patterns
 * and recorded transcripts. Any input must end in a result or a clear error, never a crash or an over-read.
 * Built by tests/module.mk (make fuzz); run: make fuzz-run-script FUZZ_SECONDS=60. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy without a terminator: the parsers must stay within len, and ASan sees any byte past it. */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    memcpy(text, data, size);
    static const enum script_format fmts[] = { SCRIPT_AUTO, SCRIPT_SCRIPTOR, SCRIPT_APDUTOOL };
    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
        struct script s;
        cl_error_t e;
        if (script_parse("fuzz", text, size, fmts[f], &s, &e) == 0) {
            for (size_t i = 0; i < s.n; i++) {
                const struct script_step *st = &s.steps[i];
                if (st->op == SOP_APDU && (st->apdu_len < 4 || st->apdu_len > SCRIPT_APDU_MAX)) abort();
                if (st->expect && st->apdu) script_pattern_match(st->expect, st->expect_len, st->apdu, st->apdu_len);
            }
            script_free(&s);
        } else if (!strchr(e.msg, ':')) {
            abort(); /* every parse error names where */
        }
    }
    /* Patterns take a C string: the first half as pattern, the second as a response to match. */
    size_t half = size / 2;
    char *pat_text = malloc(half + 1);
    if (pat_text) {
        memcpy(pat_text, data, half);
        pat_text[half] = 0;
        int16_t pat[SCRIPT_PAT_MAX];
        char why[160];
        long n = script_pattern_parse(pat_text, pat, SCRIPT_PAT_MAX, why, sizeof why);
        if (n > 0) {
            script_pattern_match(pat, (size_t)n, data + half, size - half);
            char out[SCRIPT_PAT_MAX * 4 + 1];
            script_pattern_format(pat, (size_t)n, out, sizeof out);
        }
        free(pat_text);
    }
    struct script_transcript t;
    cl_error_t e;
    if (script_transcript_parse("fuzz", text, size, &t, &e) == 0) script_transcript_free(&t);
    if (size >= 6) {
        char *line = script_apdutool_line(data, size / 2, data + size / 2, size - size / 2);
        free(line);
    }
    free(text);
    return 0;
}
