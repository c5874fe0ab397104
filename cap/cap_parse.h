/* cap_parse: strict parser of CAP files (JCVM spec 3.0.5 classic, chapter 6, CAP format 2.1/2.2).
 *
 * Input: either a JAR (zip) holding .../javacard/<Component>.cap entries, or the concatenated
 * component stream a GlobalPlatform LOAD carries (tag u1, size u2, info[size], back to back, any
 * order). Descriptor is optional, Debug is ignored, custom components (tag >= 128) are skipped.
 *
 * Every count, offset, length and index is checked before use, within each component and across
 * components (sizes against Directory, class refs at class_info starts, method offsets at method
 * starts, constant pool indices and tags per instruction, branch targets at instruction starts,
 * exception handlers inside one method, RefLocation entries at constant pool index operands, ...).
 * On failure nothing is returned (the cap_file_t is zeroed) and e holds one message naming the
 * component and the offset of the first problem, relative to the component's info (the bytes after
 * tag and size, which is what every offset inside a CAP file is relative to):
 *     "Method component: offset 0x1a2: handler end beyond method"
 *
 * Lifetime: the parsed structs point into cap->data. cap_parse() copies the input, so cap->data is
 * owned and lives until cap_free(); with CAP_PARSE_NO_COPY (component stream only) cap->data is the
 * caller's buffer, which must then outlive the cap_file_t. Decoded arrays are malloc'd and freed by
 * cap_free(). */
#ifndef CAP_PARSE_H
#define CAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap_consts.h"
#include "common/cl_util.h"

#define CAP_PARSE_NO_COPY 0x1u   /* component stream: keep pointers into the caller's buffer */
#define CAP_PARSE_MAX_INPUT (4u * 1024 * 1024)

typedef struct {
    uint8_t minor, major;
    uint8_t aid_len;
    const uint8_t *aid;
} cap_package_t;

/* class_ref: internal (offset of a class_info/interface_info in the Class component info) or
 * external (package token = index into Import, class token). */
typedef struct {
    uint16_t raw;
    bool external;
    uint16_t offset;            /* internal */
    uint8_t pkg_token, class_token; /* external */
} cap_classref_t;

typedef struct {
    uint8_t tag;                /* enum cap_cp_tag */
    /* Classref, InstanceFieldref, VirtualMethodref, SuperMethodref: the class; Static*ref external:
     * cls.external with pkg_token/class_token. */
    cap_classref_t cls;
    uint8_t token;              /* field/method token (not for Classref or internal static refs) */
    bool external;              /* Static*ref: external (by token) or internal (by offset) */
    uint16_t offset;            /* internal StaticFieldref: static image offset; StaticMethodref: Method info offset */
} cap_cp_entry_t;

typedef struct {
    uint8_t tag;
    uint16_t size;
    uint8_t aid_len;
    const uint8_t *aid;
} cap_custom_info_t;

typedef struct {
    uint16_t component_sizes[12];   /* by tag-1; 11 entries in CAP 2.1 (Debug size 0) */
    uint16_t image_size, array_init_count, array_init_size;
    uint8_t import_count, applet_count, custom_count;
    cap_custom_info_t *customs;
} cap_directory_t;

typedef struct {
    uint8_t aid_len;
    const uint8_t *aid;
    uint16_t install_method_offset;  /* a method start in the Method component */
} cap_applet_t;

/* One class or interface of the Class component, in component order. */
typedef struct {
    uint16_t offset;            /* of its class_info/interface_info in the Class info */
    uint16_t end;               /* offset just past it */
    bool is_interface;
    uint8_t flags;              /* CAP_ACC_INTERFACE/SHAREABLE/REMOTE */
    uint8_t interface_count;    /* interface: superinterfaces; class: implemented interfaces */
    cap_classref_t interfaces[15];
    /* classes only: */
    bool has_super;             /* false for java.lang.Object (super_class_ref 0xFFFF) */
    cap_classref_t super;
    uint8_t declared_instance_size, first_reference_token, reference_count;
    uint8_t public_method_table_base, public_method_table_count;
    uint8_t package_method_table_base, package_method_table_count;
    const uint8_t *public_vtable;   /* public_method_table_count big-endian u2 Method offsets (0xFFFF: none) */
    const uint8_t *package_vtable;
    uint8_t iface_method_count[15]; /* per implemented interface: count and index[] (interface token -> */
    const uint8_t *iface_method_index[15]; /*   virtual method token) */
    /* remote (CAP 2.2, ACC_REMOTE): raw, validated for length only */
    const uint8_t *remote;
    uint16_t remote_len;
    const uint8_t *name; uint8_t name_len; /* remote interface name (interfaces with ACC_REMOTE) */
} cap_class_t;

typedef struct {
    uint16_t start, end;        /* try block [start, end) in Method info offsets */
    uint16_t handler;
    uint16_t catch_type;        /* cp index of a Classref, 0 = any (finally) */
    bool stop;
    uint16_t method;            /* index into cap_file_t.methods of the method holding it */
} cap_handler_t;

typedef struct {
    uint16_t offset;            /* method_info start in the Method info */
    uint8_t flags;              /* CAP_METHOD_ACC_EXTENDED / _ABSTRACT */
    uint8_t max_stack, nargs, max_locals;
    uint16_t code_offset;       /* bytecode start in the Method info */
    uint16_t code_len;          /* 0 for abstract methods */
    const uint8_t *code;
} cap_method_t;

typedef struct {
    uint8_t type;               /* CAP_TN_BOOLEAN..CAP_TN_INT (2..5) */
    uint16_t count;             /* bytes in values */
    const uint8_t *values;
} cap_array_init_t;

typedef struct {
    uint16_t image_size, reference_count, array_init_count;
    cap_array_init_t *array_inits;
    uint16_t default_value_count, non_default_value_count;
    const uint8_t *non_default_values;
} cap_static_field_t;

typedef struct {
    uint16_t class_offset;
    uint8_t static_field_count, static_method_count;
    const uint8_t *static_field_offsets;   /* u2 each, into the static field image */
    const uint8_t *static_method_offsets;  /* u2 each, method starts in the Method info */
} cap_export_class_t;

typedef struct {
    uint8_t token, access_flags;
    const uint8_t *field_ref;   /* 3 bytes: static ref or (class_ref, token) */
    uint16_t type;              /* CAP_TYPE_PRIMITIVE|t, or offset into type_descriptor_info */
} cap_desc_field_t;

typedef struct {
    uint8_t token, access_flags;
    uint16_t method_offset, type_offset, bytecode_count, handler_count, handler_index;
    uint16_t at;                /* offset of this method_descriptor_info in the Descriptor info */
} cap_desc_method_t;

typedef struct {
    uint8_t token, access_flags;
    cap_classref_t this_class;
    uint8_t interface_count;
    uint16_t field_count, method_count;
    const uint8_t *interfaces;      /* interface_count class_refs (u2 each) */
    cap_desc_field_t *fields;
    cap_desc_method_t *methods;
} cap_desc_class_t;

typedef struct {
    uint8_t class_count;
    cap_desc_class_t *classes;
    uint16_t types_offset;          /* offset of type_descriptor_info in the Descriptor info */
    uint16_t cp_count;
    const uint8_t *cp_types;        /* u2 each: offset into type_descriptor_info or 0xFFFF */
    const uint8_t *types;           /* type_descriptor_info itself */
    uint16_t types_len;
} cap_descriptor_t;

/* A component as found in the input. */
typedef struct {
    bool present;
    uint16_t size;
    const uint8_t *info;
} cap_component_t;

typedef struct {
    const uint8_t *data;            /* the component stream all pointers point into */
    size_t data_len;
    uint8_t *owned;                 /* == data when owned */
    bool from_jar;
    char jar_dir[256];              /* "com/x/javacard/" when read from a JAR */

    cap_component_t comp[CAP_COMP_DEBUG + 1];   /* by tag; [0] unused */

    /* Header */
    uint8_t cap_minor, cap_major, flags;        /* flags: CAP_HDR_ACC_* */
    cap_package_t package;
    uint8_t name_len;                           /* package name (CAP 2.2), not NUL-terminated; 0 if absent */
    const char *name;

    cap_directory_t dir;

    uint8_t applet_count;
    cap_applet_t *applets;

    uint8_t import_count;
    cap_package_t *imports;

    uint16_t cp_count;
    cap_cp_entry_t *cp;

    /* Class component */
    uint16_t signature_pool_len;
    const uint8_t *signature_pool;
    uint16_t class_count;                       /* classes and interfaces */
    cap_class_t *classes;

    /* Method component */
    uint8_t handler_count;
    cap_handler_t *handlers;
    uint16_t method_count;
    cap_method_t *methods;                      /* sorted by offset */

    cap_static_field_t sfield;

    /* RefLocation, decoded to absolute Method info offsets (ascending) */
    uint16_t byte_loc_count, byte2_loc_count;
    uint16_t *byte_locs, *byte2_locs;

    uint8_t export_count;
    cap_export_class_t *exports;

    bool has_descriptor;
    cap_descriptor_t desc;
} cap_file_t;

/* Parses a JAR or a component stream (auto-detected). 0, or -1 with e set and *cap zeroed. */
int cap_parse(cap_file_t *cap, const uint8_t *buf, size_t len, unsigned flags, cl_error_t *e);
/* Reads and parses a file (JAR or component stream). */
int cap_parse_file(cap_file_t *cap, const char *path, cl_error_t *e);
void cap_free(cap_file_t *cap);

/* The load file (component stream) in the order GlobalPlatform LOAD sends it: Header, Directory,
 * Import, Applet, Class, Method, StaticField, Export, ConstantPool, RefLocation, then Descriptor
 * when with_descriptor and present. Malloc'd; NULL on allocation failure. */
uint8_t *cap_load_file(const cap_file_t *cap, bool with_descriptor, size_t *len);

/* Standard component names ("Header", ... "Debug"), "custom" for tags >= 128, NULL otherwise. */
const char *cap_component_name(int tag);

/* ---- helpers shared by the VM's loader and the dumper ---- */

/* The class or interface whose info starts at offset, or NULL. */
const cap_class_t *cap_class_at(const cap_file_t *cap, uint16_t offset);
/* The method whose method_info starts at offset, or NULL. */
const cap_method_t *cap_method_at(const cap_file_t *cap, uint16_t offset);
/* The method containing Method info offset off (header or bytecode), or NULL. */
const cap_method_t *cap_method_containing(const cap_file_t *cap, uint16_t off);
/* The class with this class token: needs the Descriptor (tokens are not in the Class component);
 * NULL if absent or no Descriptor. */
const cap_class_t *cap_class_by_token(const cap_file_t *cap, uint8_t token);
/* Export component lookups by token (its tables are indexed by class token, then by static field /
 * static method token). -1 / NULL when the token is not exported. */
const cap_export_class_t *cap_export_class(const cap_file_t *cap, uint8_t class_token);
int cap_export_static_method(const cap_file_t *cap, uint8_t class_token, uint8_t method_token); /* Method offset */
int cap_export_static_field(const cap_file_t *cap, uint8_t class_token, uint8_t field_token);   /* image offset */
/* Method offset of virtual method token (high bit set: package-visible table) in class c's own
 * table; -1 if the token is below the table base (inherited) or beyond it, or the entry is 0xFFFF. */
int cap_class_virtual_method(const cap_class_t *c, uint8_t token);
/* Decodes a class_ref u2. */
cap_classref_t cap_classref_decode(uint16_t raw);
/* Constant pool entry i, or NULL if out of range. */
const cap_cp_entry_t *cap_cp_get(const cap_file_t *cap, uint16_t index);

/* Instruction iterator over one method's bytecode. Instructions were validated at parse time,
 * so on a parsed cap_file_t next() only stops at the end. */
typedef struct {
    const uint8_t *code;
    uint16_t len;
    uint16_t pc;                /* offset of the current instruction within the method's bytecode */
    uint16_t base;              /* Method info offset of code[0] */
} cap_insn_iter_t;

typedef struct {
    uint16_t pc;                /* offset in the method's bytecode */
    uint16_t info_offset;       /* offset in the Method info */
    uint8_t op;
    uint16_t len;               /* total length including operands */
    const uint8_t *bytes;       /* the instruction (opcode first) */
} cap_insn_t;

void cap_insn_iter_init(cap_insn_iter_t *it, const cap_method_t *m);
/* 1 with *insn filled, 0 at the end, -1 on an undecodable instruction (only on unvalidated input). */
int cap_insn_next(cap_insn_iter_t *it, cap_insn_t *insn);

/* Branch target (bytecode offset relative to the method) of a branch instruction; for switches,
 * target i (0 = default, 1.. = table / pairs in order). Returns the number of targets, fills up to max. */
int cap_insn_targets(const cap_insn_t *insn, int32_t *targets, int max);

#endif
