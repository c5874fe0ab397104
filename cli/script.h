/* script: APDU scripts for `cardlet script` (cli/cmd_script.c). Parsing is separate from running so that it can
 * be tested without a reader:
 *   script_parse.c   both formats into one list of steps (scriptor's line format, the JC kit's apdutool format)
 *   script_expect.c  expected-response patterns: hex bytes, ".." any byte, "..." (or "*") any run of bytes
 *   script_sw.c      a short ISO 7816-4 meaning for a status word, for scriptor-style output
 *   script_transcript.c  apdutool's output line, and checking against a recorded apdutool transcript
 * Every parse error carries file:line and what is wrong; nothing is sent when a file does not parse. */
#ifndef SCRIPT_H
#define SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"

enum script_format { SCRIPT_AUTO = 0, SCRIPT_SCRIPTOR, SCRIPT_APDUTOOL };

enum script_op {
    SOP_APDU,      /* send apdu */
    SOP_RESET,     /* scriptor `reset`: warm reset (SCardReconnect SCARD_RESET_CARD) */
    SOP_POWERUP,   /* apdutool `powerup;`: connect, or cold reset when connected */
    SOP_POWERDOWN, /* apdutool `powerdown;`: disconnect, unpowering the card */
    SOP_ECHO,      /* apdutool `echo "text";` */
    SOP_OUTPUT,    /* apdutool `output on;` / `output off;` (on = 1) */
};

/* An expected response: each element is a byte value 0..255, SCRIPT_PAT_ANY (one byte) or SCRIPT_PAT_RUN
 * (zero or more bytes). */
#define SCRIPT_PAT_ANY (-1)
#define SCRIPT_PAT_RUN (-2)
#define SCRIPT_PAT_MAX 600 /* elements; a pattern is for checking, whole long responses use ... */

struct script_step {
    enum script_op op;
    int line;            /* where the step starts in its file */
    uint8_t *apdu;       /* SOP_APDU */
    size_t apdu_len;
    char *text;          /* SOP_ECHO */
    int on;              /* SOP_OUTPUT */
    int16_t *expect;     /* NULL: nothing expected */
    size_t expect_len;
    int expect_line;
};

struct script {
    enum script_format format;
    struct script_step *steps;
    size_t n, cap;
};

#define SCRIPT_APDU_MAX 65544 /* 4 header + 3 Lc + 65535 data + 2 Le: the longest extended APDU */

/* Which format a text looks like (by its first statement). */
enum script_format script_detect(const char *text, size_t len);
/* Parses text (len bytes, need not be NUL-terminated). name is used in messages ("name:line: what").
 * Returns 0, or -1 with e set and out empty. */
int script_parse(const char *name, const char *text, size_t len, enum script_format fmt, struct script *out,
                 cl_error_t *e);
void script_free(struct script *s);

/* Parses a pattern ("6F .. 84 ... 90 00", "9000", "*"). Returns the element count (>= 1), or -1 with why set. */
long script_pattern_parse(const char *text, int16_t *out, size_t cap, char *why, size_t why_cap);
/* Whether resp matches pat completely. */
bool script_pattern_match(const int16_t *pat, size_t plen, const uint8_t *resp, size_t rlen);
/* Writes the pattern back as text ("6F .. ... 90 00"); out needs 4*plen+1 bytes. */
char *script_pattern_format(const int16_t *pat, size_t plen, char *out, size_t cap);

/* ---- script_transcript.c: apdutool output lines and recorded transcripts ---- */

/* One exchange in apdutool's layout ("CLA: 00, INS: a4, ..., Le: 02, 01, 02, SW1: 90, SW2: 00"); malloc'd,
 * NULL if out of memory or clen < 4 or rlen < 2. */
char *script_apdutool_line(const uint8_t *cmd, size_t clen, const uint8_t *resp, size_t rlen);

/* The "CLA: ..." lines of a transcript file, in order, with their line numbers. */
struct script_transcript {
    const char *name;
    char **lines;
    int *line_no;
    size_t n;
    size_t next; /* the runner's cursor: the line the next exchange must match */
};
/* Returns 0, or -1 with e set (no CLA line at all is an error: a wrong file was given). */
int script_transcript_parse(const char *name, const char *text, size_t len, struct script_transcript *t, cl_error_t *e);
void script_transcript_free(struct script_transcript *t);
/* Equal up to letter case and white space. */
bool script_transcript_same(const char *a, const char *b);

/* A short meaning of SW1 SW2 (never NULL). */
const char *script_sw_text(uint8_t sw1, uint8_t sw2, char *buf, size_t cap);

#endif
