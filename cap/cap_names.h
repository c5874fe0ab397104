/* cap_names: readable names for external tokens (package AID -> name, class token -> name, member
 * token -> name+descriptor), read from a token file in the grammar of applets/api/javacard-api.tokens.
 * Used only to annotate cap_dump output: a CAP file never contains these names. */
#ifndef CAP_NAMES_H
#define CAP_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

enum cap_member_kind { CAP_MK_STATIC_METHOD, CAP_MK_VIRTUAL_METHOD, CAP_MK_STATIC_FIELD, CAP_MK_INSTANCE_FIELD };

typedef struct cap_names cap_names_t;

/* Loads a token file; lines it does not understand are skipped. NULL with e set if unreadable. */
cap_names_t *cap_names_load(const char *path, cl_error_t *e);
/* $CARDLET_API_TOKENS if set (and only that: point it at a missing file to get no names);
 * else applets/api/javacard-api.tokens under the current directory, else next to the program
 * (source tree build dirs, PREFIX/share/cardlet). NULL if none loads. */
cap_names_t *cap_names_load_default(void);
void cap_names_free(cap_names_t *n);

/* NULL when unknown (or n is NULL). */
const char *cap_names_package(const cap_names_t *n, const uint8_t *aid, size_t aid_len);
const char *cap_names_class(const cap_names_t *n, const uint8_t *aid, size_t aid_len, uint8_t class_token);
const char *cap_names_member(const cap_names_t *n, const uint8_t *aid, size_t aid_len, uint8_t class_token,
                             enum cap_member_kind kind, uint8_t token);

#endif
