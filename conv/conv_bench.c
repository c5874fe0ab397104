/* Speed figures for `make bench`: converting the wallet sample (class files -> CAP + export file)
 * and parsing one class file. Prints "name: value unit" lines; asserts nothing.
 * Usage: conv_bench BUILD_DIR (the wallet classes and API export files come from make applets). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cl_util.h"
#include "conv/conv_classfile.h"
#include "conv/conv_pkg.h"

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: conv_bench BUILD_DIR\n"); return 2; }
    char classes[4096], exports[4096], conf_path[] = "applets/samples/wallet/cap.conf";
    snprintf(classes, sizeof classes, "%s/applets/classes/wallet", argv[1]);
    snprintf(exports, sizeof exports, "%s/api/exports", argv[1]);
    cl_error_t e;
    size_t len;
    uint8_t *t = cl_read_file(conf_path, 1u << 16, &len, &e);
    if (!t) { fprintf(stderr, "%s\n", e.msg); return 1; }
    conv_conf_t conf;
    memset(&conf, 0, sizeof conf);
    if (conv_conf_parse(&conf, (const char *)t, len, conf_path, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
    free(t);
    const unsigned n = 200;
    size_t cap_len = 0;
    uint64_t t0 = cl_now_ns();
    for (unsigned i = 0; i < n; i++) {
        uint8_t *cap = NULL, *exp = NULL;
        size_t el;
        if (conv_convert(&conf, classes, exports, &cap, &cap_len, &exp, &el, &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
        free(cap);
        free(exp);
    }
    printf("conv_wallet_%zub: %.1f us\n", cap_len, (double)(cl_now_ns() - t0) / 1000.0 / n);
    char cls[4200];
    snprintf(cls, sizeof cls, "%s/com/cardlet/samples/wallet/Wallet.class", classes);
    uint8_t *cf_bytes = cl_read_file(cls, 1u << 20, &len, &e);
    if (!cf_bytes) { fprintf(stderr, "%s\n", e.msg); return 1; }
    const unsigned m = 20000;
    t0 = cl_now_ns();
    for (unsigned i = 0; i < m; i++) {
        conv_classfile_t cf;
        if (conv_cf_parse(&cf, cf_bytes, len, "Wallet.class", &e)) { fprintf(stderr, "%s\n", e.msg); return 1; }
        conv_cf_free(&cf);
    }
    printf("conv_classfile_parse_%zub: %.2f us\n", len, (double)(cl_now_ns() - t0) / 1000.0 / m);
    free(cf_bytes);
    conv_conf_free(&conf);
    return 0;
}
