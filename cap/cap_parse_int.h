/* cap_parse_int: internal interface between the component parsers of cap/ (not for other modules). */
#ifndef CAP_PARSE_INT_H
#define CAP_PARSE_INT_H

#include "cap/cap_parse.h"
#include "cap/cap_rd.h"
#include "cap/jc_opcodes.h"

/* One parser per component; each reads cap->comp[tag] and fills its part of cap. They run in
 * dependency order (cap_parse.c) so each may check references into components parsed before. */
int cap_p_header(cap_file_t *cap, cl_error_t *e);
int cap_p_directory(cap_file_t *cap, cl_error_t *e);
int cap_p_import(cap_file_t *cap, cl_error_t *e);
int cap_p_applet(cap_file_t *cap, cl_error_t *e);
int cap_p_cpool(cap_file_t *cap, cl_error_t *e);
int cap_p_class(cap_file_t *cap, cl_error_t *e);
int cap_p_sfield(cap_file_t *cap, cl_error_t *e);
int cap_p_descriptor(cap_file_t *cap, cl_error_t *e);
int cap_p_method(cap_file_t *cap, cl_error_t *e);
/* RefLocation is parsed by cap_p_method, which knows where the constant pool index operands are. */
int cap_p_export(cap_file_t *cap, cl_error_t *e);

/* Checks a class_ref: external ones name an imported package, internal ones a class/interface
 * start (only once the Class component is parsed). Reports through r at offset off. */
int cap_check_classref(const cap_file_t *cap, cap_rd_t *r, size_t off, cap_classref_t ref, const char *what);
/* Checks one type_descriptor at r->pos (nibble count, nibble codes, embedded class_refs when
 * check_refs) and advances past it. */
int cap_read_type_descriptor(const cap_file_t *cap, cap_rd_t *r, bool check_refs);
/* Reads a package_info (minor, major, AID length, AID) with AID length 5..16. */
int cap_read_package(cap_rd_t *r, cap_package_t *pkg, const char *what);

#endif
