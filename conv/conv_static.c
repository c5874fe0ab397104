/* conv_static: the Java Card replacement for <clinit> (JCVM spec 2.2.4.6 and 6.10). A Java Card
 * class initializer may only give static fields constant primitive values and primitive arrays
 * constant contents (`static final byte[] X = {1, 2, 3}`); the converter runs it symbolically and
 * records the results in the Static Field component. Anything else is rejected with its line. */
#include "conv/conv_pkg.h"

#include <stdlib.h>
#include <string.h>

enum { SV_INT, SV_ARRAY, SV_NULL };
typedef struct {
    int kind;
    int32_t v;
    int arr;    /* index into arrays */
} sv_t;

typedef struct {
    int atype;  /* JVM newarray type: 4 boolean 8 byte 9 short 10 int */
    int32_t *vals;
    int n;
} sarr_t;

static int elem_size(int atype) { return atype == 9 ? 2 : atype == 10 ? 4 : 1; }

int conv_static_init(conv_pkg_t *p, int ci, cl_error_t *e)
{
    conv_class_t *c = &p->classes[ci];
    conv_method_t *m = NULL;
    for (int i = 0; i < c->method_count; i++)
        if (!strcmp(c->methods[i].cf->name, "<clinit>")) m = &c->methods[i];
    if (!m) return 0;
    const uint8_t *code = m->cf->code;
    uint32_t len = m->cf->code_len, pc = 0;
    sv_t st[16];
    int sp = 0, rc = -1, na = 0;
    sarr_t arrs[64];
    char w[300];
    memset(arrs, 0, sizeof arrs);
#define NEED(k) do { if (pc + (k) >= len) goto unsupported; } while (0)
#define PUSH(K, V) do { if (sp >= 16) goto unsupported; st[sp].kind = (K); st[sp].v = (V); st[sp].arr = -1; sp++; } while (0)
    while (pc < len) {
        uint8_t op = code[pc];
        uint32_t at = pc;
        switch (op) {
        case 0x01: PUSH(SV_NULL, 0); pc++; break;                          /* aconst_null */
        case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08:
            PUSH(SV_INT, op - 0x03); pc++; break;                          /* iconst_m1..5 */
        case 0x10: NEED(1); PUSH(SV_INT, (int8_t)code[pc + 1]); pc += 2; break;
        case 0x11: NEED(2); PUSH(SV_INT, (int16_t)cl_get16(code + pc + 1)); pc += 3; break;
        case 0x12: case 0x13: {                                            /* ldc, ldc_w */
            uint16_t idx;
            if (op == 0x12) { NEED(1); idx = code[pc + 1]; pc += 2; } else { NEED(2); idx = cl_get16(code + pc + 1); pc += 3; }
            if (idx == 0 || idx >= c->cf.cp_count || c->cf.cp[idx].tag != CF_INTEGER) goto unsupported;
            PUSH(SV_INT, c->cf.cp[idx].ival);
            break;
        }
        case 0xbc: {                                                       /* newarray */
            NEED(1);
            int t = code[pc + 1];
            if (sp < 1 || st[sp - 1].kind != SV_INT || (t != 4 && t != 8 && t != 9 && t != 10) || na >= 64) goto unsupported;
            int32_t n = st[sp - 1].v;
            if (n < 0 || n > 32767) goto unsupported;
            arrs[na].atype = t;
            arrs[na].n = n;
            arrs[na].vals = calloc((size_t)n + 1, sizeof(int32_t));
            if (!arrs[na].vals) { cl_seterr(e, "out of memory"); goto out; }
            st[sp - 1].kind = SV_ARRAY;
            st[sp - 1].arr = na++;
            pc += 2;
            break;
        }
        case 0x59:                                                         /* dup */
            if (sp < 1 || sp >= 16) goto unsupported;
            st[sp] = st[sp - 1]; sp++; pc++; break;
        case 0x54: case 0x55: case 0x56: case 0x4f: {                      /* bastore castore sastore iastore */
            if (op == 0x55) goto unsupported;
            if (sp < 3 || st[sp - 3].kind != SV_ARRAY || st[sp - 2].kind != SV_INT || st[sp - 1].kind != SV_INT) goto unsupported;
            sarr_t *a = &arrs[st[sp - 3].arr];
            int32_t idx = st[sp - 2].v;
            if (idx < 0 || idx >= a->n) goto unsupported;
            a->vals[idx] = st[sp - 1].v;
            sp -= 3; pc++;
            break;
        }
        case 0xb3: {                                                       /* putstatic */
            NEED(2);
            const char *cls, *nm, *ds;
            if (conv_cf_member_ref(&c->cf, cl_get16(code + pc + 1), &cls, &nm, &ds) || strcmp(cls, c->name) || sp < 1) goto unsupported;
            conv_field_t *f = NULL;
            for (int i = 0; i < c->field_count; i++)
                if (c->fields[i].is_static && !strcmp(c->fields[i].cf->name, nm) && !strcmp(c->fields[i].cf->desc, ds)) f = &c->fields[i];
            if (!f) goto unsupported;
            sv_t v = st[--sp];
            if (v.kind == SV_INT && f->vt != VT_REF) {
                f->has_init = 1;
                f->init_value = f->vt == VT_BYTE ? (int8_t)v.v : f->vt == VT_SHORT ? (int16_t)v.v : f->vt == VT_BOOL ? (v.v & 1) : v.v;
            } else if (v.kind == SV_ARRAY && f->vt == VT_REF) {
                sarr_t *a = &arrs[v.arr];
                int es = elem_size(a->atype);
                free(f->array_init);
                f->array_init_len = a->n * es;
                f->array_init = malloc((size_t)f->array_init_len + 1);
                if (!f->array_init) { cl_seterr(e, "out of memory"); goto out; }
                for (int i = 0; i < a->n; i++) {
                    uint8_t *q = f->array_init + i * es;
                    if (es == 1) q[0] = (uint8_t)a->vals[i];
                    else if (es == 2) cl_put16(q, (uint16_t)a->vals[i]);
                    else cl_put32(q, (uint32_t)a->vals[i]);
                }
                f->array_init_type = a->atype == 4 ? 2 : a->atype == 8 ? 3 : a->atype == 9 ? 4 : 5;
                if (f->array_init_type == 5 && !p->conf.int_support) goto unsupported;
                if (f->array_init_len > 0xFFFF) goto unsupported;
            } else if (v.kind != SV_NULL || f->vt != VT_REF) {
                goto unsupported;
            }
            pc += 3;
            break;
        }
        case 0xb1: pc = len; break;                                        /* return */
        default:
            goto unsupported;
        }
        (void)at;
        continue;
    unsupported:
        conv_where(w, sizeof w, c, m, at);
        cl_seterr(e, "%s: unsupported static initializer: only constant primitive values and primitive arrays of "
                     "constants may initialize static fields", w);
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; i < na; i++) free(arrs[i].vals);
    return rc;
#undef NEED
#undef PUSH
}
