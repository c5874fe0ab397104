/* libFuzzer target: the converter's readers of untrusted input — class files, export files and
 * token lists. Any input must give a clean error or a parse, never a crash or an over-read. */
#include <stdint.h>
#include <stdlib.h>

#include "conv/conv_classfile.h"
#include "conv/conv_export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_error_t e;
    conv_classfile_t cf;
    if (conv_cf_parse(&cf, data, size, "fuzz", &e) == 0) conv_cf_free(&cf);
    conv_export_t x;
    if (conv_export_read(&x, data, size, "fuzz", &e) == 0) {
        size_t n;
        uint8_t *b = conv_export_write(&x, &n, &e);
        free(b);
        conv_export_free(&x);
    }
    conv_export_t *pk = NULL;
    int np = 0;
    if (conv_tokens_parse((const char *)data, size, "fuzz", &pk, &np, &e) == 0) conv_export_free_all(pk, np);
    return 0;
}
