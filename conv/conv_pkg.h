/* conv_pkg: the package being converted — its classes, their tokens and layout, the imported
 * packages (through export files) and the CAP constant pool being built. Shared by the passes:
 *   conv_pkg_load      read the .class files of one package directory, check what Java Card forbids
 *   conv_pkg_tokens    assign class, method and field tokens (JCVM spec 4.3.7), static field image
 *   conv_xlate_method  JVM bytecode -> JCVM bytecode (conv_xlate.c), filling the constant pool
 *   conv_cap_build     components and the JAR (conv_cap.c) */
#ifndef CONV_PKG_H
#define CONV_PKG_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"
#include "conv/conv_classfile.h"
#include "conv/conv_export.h"

#define CONV_MAX_APPLETS 16
#define CONV_MAX_IMPORTS 128

typedef struct {
    char *package;              /* a.b.c or a/b/c (stored with '/') */
    uint8_t aid[16];
    int aid_len;
    int major, minor;
    int int_support;            /* `int yes` */
    struct { char *cls; uint8_t aid[16]; int aid_len; } applets[CONV_MAX_APPLETS];
    int applet_count;
} conv_conf_t;

/* Parses cap.conf text. 0 or -1 with e set. */
int conv_conf_parse(conv_conf_t *c, const char *text, size_t len, const char *what, cl_error_t *e);
/* "a.b.c" or "a/b/c" -> stored form; "M.N" version; hex AID; "Class=AID" applet. */
int conv_conf_set_package(conv_conf_t *c, const char *v, cl_error_t *e);
int conv_conf_set_aid(uint8_t *aid, int *len, const char *hex, cl_error_t *e);
int conv_conf_set_version(conv_conf_t *c, const char *v, cl_error_t *e);
int conv_conf_add_applet(conv_conf_t *c, const char *cls, const char *aidhex, cl_error_t *e);
void conv_conf_free(conv_conf_t *c);

/* Value kinds of Java Card: the JCVM has no char/long/float/double. */
enum conv_vtype { VT_VOID, VT_BOOL, VT_BYTE, VT_SHORT, VT_INT, VT_REF, VT_BAD };
/* Kind of a JVM field descriptor (first character decides); arrays and classes are VT_REF. */
int conv_vtype_of(const char *desc);

typedef struct {
    const conv_cf_field_t *cf;
    int is_static;
    int vt;                     /* enum conv_vtype */
    int is_const;               /* static final primitive with ConstantValue: inlined, not in the image */
    int token;                  /* instance field token; public static field token; 0xFF none */
    int offset;                 /* static field: offset in the static field image */
    /* initial value from <clinit> */
    int has_init;
    int32_t init_value;         /* primitive non-default value */
    uint8_t *array_init;        /* primitive array initializer: element bytes (big-endian) */
    int array_init_len, array_init_type;  /* bytes; 2 boolean 3 byte 4 short 5 int */
} conv_field_t;

typedef struct {
    const conv_cf_method_t *cf;
    int is_static, is_ctor, is_private, is_abstract, is_public;
    int is_virtual;             /* non-static, non-constructor, non-private */
    int token;                  /* virtual (0x80 set for package tokens), static/ctor token, or 0xFF */
    /* translation result */
    uint8_t *code;              /* JCVM bytecode */
    int code_len;
    int max_stack, nargs, max_locals;
    int handler_first, handler_count;   /* in the package-wide handler table */
    int offset;                 /* of the method_info in the Method component */
    /* offsets (within code) of 1-byte and 2-byte constant pool indices, for RefLocation */
    int *ref1, nref1, *ref2, nref2;
} conv_method_t;

typedef struct {
    conv_classfile_t cf;
    const char *name;           /* cf.this_name */
    int is_interface, is_shareable, is_public, is_abstract;
    int token;
    int super_internal;         /* index of the superclass in the package, or -1 */
    int offset;                 /* class_info offset in the Class component */
    conv_field_t *fields;
    int field_count;
    conv_method_t *methods;
    int method_count;
    int max_public_vtoken, max_package_vtoken;  /* highest tokens incl. inherited, -1 none */
    int instance_size;          /* declared_instance_size in 16-bit cells */
    int first_ref_token, ref_count;
    int emitted;                /* index in emission order (interfaces first) */
} conv_class_t;

/* A class known to the converter: one of ours, or an imported one. */
typedef struct {
    int internal;               /* 1: pkg->classes[index] */
    int index;
    int import;                 /* imported package index (import component order) */
    const conv_exp_class_t *ext;
} conv_cref_t;

/* Symbolic CAP constant pool entry; resolved to bytes once offsets are known. */
typedef struct {
    uint8_t tag;                /* CAP_CP_* */
    conv_cref_t cls;            /* class part (class refs, instance field, virtual and super method refs) */
    int token;                  /* field/method token for external or virtual refs */
    int field;                  /* internal static field: index in class, else -1 */
    int method;                 /* internal static method / ctor: index in class, else -1 */
    char *type_desc;            /* JVM descriptor of the member, for the Descriptor component */
} conv_cpe_t;

typedef struct {
    uint16_t start, end, handler;   /* offsets in the Method component */
    uint16_t catch_cp;              /* constant pool index of the class, 0 for finally (any) */
    int any;
} conv_handler_t;

typedef struct {
    conv_conf_t conf;
    const char *exportpath;
    conv_class_t *classes;
    int class_count;
    int *order;                 /* emission order: interfaces first, superclasses before subclasses */
    conv_export_t imports[CONV_MAX_IMPORTS];
    int import_count;
    conv_cpe_t *cp;
    int cp_count;
    conv_handler_t *handlers;
    int handler_count;
    int static_image_size, static_ref_count;
    int uses_int;
    int exports;                /* the package has public classes / shareable interfaces: write .exp */
} conv_pkg_t;

/* Loads every .class file of the package from classdir/<package path>/. */
int conv_pkg_load(conv_pkg_t *p, const char *classdir, cl_error_t *e);
/* Tokens, instance layout, static image (runs <clinit> analysis). */
int conv_pkg_tokens(conv_pkg_t *p, cl_error_t *e);
void conv_pkg_free(conv_pkg_t *p);

/* Class lookup by internal name: ours or through the export path (loading it once). */
int conv_pkg_class(conv_pkg_t *p, const char *name, conv_cref_t *out, cl_error_t *e);
/* Superclass of a class (0) or -1 when it has none (java/lang/Object). */
int conv_pkg_super(conv_pkg_t *p, const conv_cref_t *c, conv_cref_t *out, cl_error_t *e);
int conv_pkg_is_interface(const conv_pkg_t *p, const conv_cref_t *c);
int conv_pkg_same_class(const conv_cref_t *a, const conv_cref_t *b);
/* Index of our class by name, -1 if not ours. */
int conv_pkg_find_internal(const conv_pkg_t *p, const char *name);

/* Constant pool entry for a reference: returns its index (adding it when new) or -1. */
int conv_pkg_cp_add(conv_pkg_t *p, const conv_cpe_t *ent, cl_error_t *e);

/* Message helper: "Class.method (File.java:LINE): " prefix. */
void conv_where(char *buf, size_t cap, const conv_class_t *c, const conv_method_t *m, uint32_t pc);

/* Translates every method of the package (conv_cap.c). */
int conv_pkg_translate(conv_pkg_t *p, cl_error_t *e);
/* Translates one method (conv_xlate.c). */
int conv_xlate_method(conv_pkg_t *p, int cls, int meth, cl_error_t *e);
/* Builds the CAP file (JAR bytes) and, when exp is not NULL and the package exports, the export file. */
int conv_cap_build(conv_pkg_t *p, uint8_t **cap, size_t *cap_len, uint8_t **exp, size_t *exp_len, cl_error_t *e);

/* META-INF/MANIFEST.MF text of the package (conv_manifest.c); malloc'd, NULL when out of memory. */
char *conv_manifest(const conv_pkg_t *p, size_t *len);

/* Whole conversion: conf + class directory + export path -> CAP bytes (+ export bytes, may be NULL). */
int conv_convert(const conv_conf_t *conf, const char *classdir, const char *exportpath, uint8_t **cap,
                 size_t *cap_len, uint8_t **exp, size_t *exp_len, cl_error_t *e);

#endif
