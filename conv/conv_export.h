/* conv_export: the public interface of a Java Card package as tokens — the in-memory model, the
 * standard export file format (JCVM spec chapter 5, format 2.1; 2.2/2.3 also read), the API
 * token list (applets/api/javacard-api.tokens, the grammar of javacard-api-3.0.5.txt) and the
 * export search path (DIR/<package path>/javacard/<last name>.exp). */
#ifndef CONV_EXPORT_H
#define CONV_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

/* Export file access flags (JCVM spec 5.7-5.9). */
#define EXP_ACC_PUBLIC     0x0001
#define EXP_ACC_PROTECTED  0x0004
#define EXP_ACC_STATIC     0x0008
#define EXP_ACC_FINAL      0x0010
#define EXP_ACC_INTERFACE  0x0200
#define EXP_ACC_ABSTRACT   0x0400
#define EXP_ACC_SHAREABLE  0x0800
#define EXP_ACC_REMOTE     0x1000
#define EXP_PKG_LIBRARY    0x01
#define EXP_CONST_TOKEN    0xFF   /* token of a compile-time constant field */

typedef struct {
    char *name, *desc;          /* desc: JVM descriptor */
    uint8_t token;
    uint16_t access;
    int has_const;              /* compile-time constant with value cval */
    int32_t cval;
} conv_exp_member_t;

typedef struct {
    char *name;                 /* fully qualified, '/' separated */
    uint8_t token;
    uint16_t access;
    char **supers;              /* all superclasses, as listed (most general first) */
    int super_count;
    char **ifaces;              /* all superinterfaces */
    int iface_count;
    conv_exp_member_t *fields;
    int field_count;
    conv_exp_member_t *methods; /* static methods, constructors (<init>) and virtual/interface methods */
    int method_count;
} conv_exp_class_t;

typedef struct {
    char *name;                 /* e.g. javacard/framework */
    uint8_t aid[16];
    int aid_len;
    uint8_t major, minor;
    uint8_t flags;              /* EXP_PKG_LIBRARY when the package has no applets */
    conv_exp_class_t *classes;
    int class_count;
} conv_export_t;

void conv_export_free(conv_export_t *x);
/* Frees an array of n exports and the array. */
void conv_export_free_all(conv_export_t *xs, int n);

/* Standard export file bytes <-> model. conv_export_write returns a malloc'd buffer. */
int conv_export_read(conv_export_t *x, const uint8_t *buf, size_t len, const char *what, cl_error_t *e);
uint8_t *conv_export_write(const conv_export_t *x, size_t *out_len, cl_error_t *e);

/* Reads the API token list (every package in it). *out: malloc'd array of *count exports. */
int conv_tokens_parse(const char *text, size_t len, const char *what, conv_export_t **out, int *count, cl_error_t *e);

/* Export path handling: "pkg/name" -> "DIR/pkg/name/javacard/name.exp". */
int conv_export_path(const char *dir, const char *pkg, char *out, size_t cap);
/* Finds and reads the export file of pkg in a ':'-separated list of directories. */
int conv_export_find(const char *exportpath, const char *pkg, conv_export_t *x, cl_error_t *e);

/* Lookups in a model. */
const conv_exp_class_t *conv_export_class(const conv_export_t *x, const char *name);
const conv_exp_member_t *conv_export_method(const conv_exp_class_t *c, const char *name, const char *desc);
const conv_exp_member_t *conv_export_field(const conv_exp_class_t *c, const char *name);

#endif
