/* cap_dump: human-readable listing of a CAP file — every component decoded, methods disassembled
 * with constant pool operands resolved ("invokestatic 0x0007 // javacard/framework/ISOException.
 * throwIt(S)V (ext pkg 1 class 7 token 1)"). External names come from the API token file when one
 * is found (cap_names_load_default); without it the tokens alone are printed.
 * A malformed file is rejected (the parser's message, with component and offset) and nothing is
 * printed. Used by `cardlet cap dump`. */
#ifndef CAP_DUMP_H
#define CAP_DUMP_H

#include <stdint.h>
#include <stdio.h>

#include "cap/cap_names.h"
#include "cap/cap_parse.h"
#include "common/cl_util.h"

/* Reads, parses and prints a CAP file (JAR or load stream). 0, or -1 with e set. */
int cap_dump_file(const char *path, FILE *out, cl_error_t *e);
/* Same for bytes in memory; title is printed in the first line (a file name, or NULL). */
int cap_dump_buffer(const uint8_t *buf, size_t len, const char *title, FILE *out, cl_error_t *e);
/* Prints an already parsed CAP; names may be NULL. */
void cap_dump(const cap_file_t *cap, const cap_names_t *names, FILE *out);

/* One instruction as text ("sspush 4660", "ifeq -> 0x0123", "invokestatic 0x0007 // ..."), without
 * the address; for switches, the targets on the same line. Shared with the VM's tracing. */
void cap_dump_insn(const cap_file_t *cap, const cap_names_t *names, const cap_insn_t *in, char *buf, size_t size);
/* A constant pool entry as text. */
void cap_dump_cp_entry(const cap_file_t *cap, const cap_names_t *names, uint16_t index, char *buf, size_t size);

#endif
