/* conv_classfile: a strict reader of Java class files (JVM spec chapter 4), limited to what the
 * converter needs: constant pool, fields (with ConstantValue), methods (with Code, exception table,
 * LineNumberTable and LocalVariableTable). Every length and index is checked against the buffer
 * and the constant pool, so a malformed class file gives a clear error and never an over-read.
 * The parsed structure owns copies of everything it keeps; the input buffer may be freed after. */
#ifndef CONV_CLASSFILE_H
#define CONV_CLASSFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

/* Constant pool tags (JVM spec 4.4). */
enum conv_cf_tag {
    CF_UTF8 = 1, CF_INTEGER = 3, CF_FLOAT = 4, CF_LONG = 5, CF_DOUBLE = 6, CF_CLASS = 7,
    CF_STRING = 8, CF_FIELDREF = 9, CF_METHODREF = 10, CF_IMETHODREF = 11, CF_NAMEANDTYPE = 12,
    CF_METHODHANDLE = 15, CF_METHODTYPE = 16, CF_DYNAMIC = 17, CF_INVOKEDYNAMIC = 18,
    CF_MODULE = 19, CF_PACKAGE = 20
};

/* Class file access flags we look at. */
#define CF_ACC_PUBLIC       0x0001
#define CF_ACC_PRIVATE      0x0002
#define CF_ACC_PROTECTED    0x0004
#define CF_ACC_STATIC       0x0008
#define CF_ACC_FINAL        0x0010
#define CF_ACC_SYNCHRONIZED 0x0020
#define CF_ACC_VOLATILE     0x0040
#define CF_ACC_TRANSIENT    0x0080
#define CF_ACC_NATIVE       0x0100
#define CF_ACC_INTERFACE    0x0200
#define CF_ACC_ABSTRACT     0x0400
#define CF_ACC_SYNTHETIC    0x1000
#define CF_ACC_ENUM         0x4000

typedef struct {
    uint8_t tag;            /* 0 for the unusable slot after a long/double and for index 0 */
    uint16_t a, b;          /* class/string/nat: a = name/utf8 index; refs: a = class, b = nat; nat: a name, b desc */
    int32_t ival;           /* CONSTANT_Integer */
    char *utf8;             /* CONSTANT_Utf8, NUL-terminated copy (modified UTF-8 kept as is) */
} conv_cf_const_t;

typedef struct { uint16_t start_pc, end_pc, handler_pc, catch_type; } conv_cf_handler_t;
typedef struct { uint16_t start_pc, line; } conv_cf_line_t;
typedef struct { uint16_t start_pc, length, index; char *name; char *desc; } conv_cf_local_t;

typedef struct {
    uint16_t access;
    char *name, *desc;
    int has_const;          /* ConstantValue attribute present */
    uint16_t const_index;   /* its constant pool index */
} conv_cf_field_t;

typedef struct {
    uint16_t access;
    char *name, *desc;
    int has_code;
    uint16_t max_stack, max_locals;
    uint8_t *code;
    uint32_t code_len;
    conv_cf_handler_t *handlers;
    uint16_t handler_count;
    conv_cf_line_t *lines;
    uint32_t line_count;
    conv_cf_local_t *locals;
    uint32_t local_count;
} conv_cf_method_t;

typedef struct {
    uint16_t minor, major;
    conv_cf_const_t *cp;
    uint16_t cp_count;      /* entries 1..cp_count-1 are valid */
    uint16_t access;
    char *this_name, *super_name;   /* internal form (a/b/C); super_name NULL for java/lang/Object */
    char **interfaces;
    uint16_t interface_count;
    conv_cf_field_t *fields;
    uint16_t field_count;
    conv_cf_method_t *methods;
    uint16_t method_count;
    char *source_file;      /* SourceFile attribute, or NULL */
} conv_classfile_t;

/* Parses a class file from memory. 0 on success; -1 with e set (nothing to free) otherwise.
 * what names the input in messages (usually the path). */
int conv_cf_parse(conv_classfile_t *cf, const uint8_t *buf, size_t len, const char *what, cl_error_t *e);
void conv_cf_free(conv_classfile_t *cf);

/* Constant pool accessors: NULL / -1 when the index is out of range or of another tag. */
const char *conv_cf_utf8(const conv_classfile_t *cf, uint16_t idx);
const char *conv_cf_class_name(const conv_classfile_t *cf, uint16_t idx);
/* For Fieldref/Methodref/InterfaceMethodref: owner class, member name and descriptor. */
int conv_cf_member_ref(const conv_classfile_t *cf, uint16_t idx, const char **cls, const char **name,
                       const char **desc);

/* Source line of a bytecode offset in a method (0 when unknown: no LineNumberTable). */
int conv_cf_line_of(const conv_cf_method_t *m, uint32_t pc);

/* Number of argument slots of a JVM method descriptor in JVM words (long/double 2) and checks its
 * syntax. -1 on a malformed descriptor. */
int conv_desc_arg_count(const char *desc);

#endif
