/* apdu: ISO 7816-4 command APDUs (parsing every case, short and extended), the CLA byte, status
 * words and the response builder. Strict: a command whose lengths do not add up exactly is
 * refused (the card answers 67 00); nothing here reads outside the buffer it is given.
 *
 * The application registry, logical channels and SELECT live in apdu/apdu_reg.h. */
#ifndef APDU_H
#define APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Status words used by the runtime (ISO 7816-4 and the Java Card RE). */
#define APDU_SW_OK                   0x9000
#define APDU_SW_WARNING_UNCHANGED    0x6200 /* warning, state unchanged (closing a closed channel) */
#define APDU_SW_MORE_DATA            0x6310 /* GlobalPlatform: more data available (GET STATUS paging) */
#define APDU_SW_WRONG_LENGTH         0x6700
#define APDU_SW_CHANNEL_NOT_SUPPORTED 0x6881
#define APDU_SW_SM_NOT_SUPPORTED     0x6882
#define APDU_SW_CHAINING_NOT_SUPPORTED 0x6884
#define APDU_SW_SECURITY_STATUS      0x6982
#define APDU_SW_CONDITIONS           0x6985
#define APDU_SW_SELECT_FAILED        0x6999
#define APDU_SW_WRONG_DATA           0x6A80
#define APDU_SW_FUNC_NOT_SUPPORTED   0x6A81
#define APDU_SW_NOT_FOUND            0x6A82
#define APDU_SW_INCORRECT_P1P2       0x6A86
#define APDU_SW_REF_DATA_NOT_FOUND   0x6A88
#define APDU_SW_CORRECT_LENGTH_00    0x6C00
#define APDU_SW_INS_NOT_SUPPORTED    0x6D00
#define APDU_SW_CLA_NOT_SUPPORTED    0x6E00
#define APDU_SW_UNKNOWN              0x6F00

#define APDU_HEADER_LEN 4
#define APDU_SHORT_MAX_NE 256u
#define APDU_EXT_MAX_NE 65536u
#define APDU_EXT_MAX_NC 65535u
/* Longest well-formed command: header, 00 Lc(2), 65535 data bytes, Le(2). */
#define APDU_CMD_MAX (APDU_HEADER_LEN + 3 + APDU_EXT_MAX_NC + 2)
/* Longest response: 65536 data bytes plus SW1 SW2. */
#define APDU_RESP_MAX (APDU_EXT_MAX_NE + 2)

/* ISO 7816-3 12.1 / 7816-4 5.1: the seven command cases. */
enum apdu_case {
    APDU_CASE_1 = 1, /* header only */
    APDU_CASE_2S,    /* header Le */
    APDU_CASE_3S,    /* header Lc data */
    APDU_CASE_4S,    /* header Lc data Le */
    APDU_CASE_2E,    /* header 00 Le(2) */
    APDU_CASE_3E,    /* header 00 Lc(2) data */
    APDU_CASE_4E,    /* header 00 Lc(2) data Le(2) */
};

/* What the CLA byte says (ISO 7816-4 5.4.1, GlobalPlatform 11.1.4). */
enum apdu_cla_kind {
    APDU_CLA_INVALID = 0,      /* 0xFF, or an RFU interindustry value (0x20..0x3F) */
    APDU_CLA_FIRST_INTER,      /* 0x00..0x1F: channels 0-3 */
    APDU_CLA_FURTHER_INTER,    /* 0x40..0x7F: channels 4-19 */
    APDU_CLA_PROPRIETARY,      /* 0x80..0xFE: GlobalPlatform and others, same channel bits */
};

struct apdu_cla {
    enum apdu_cla_kind kind;
    uint8_t channel;   /* 0..19 */
    uint8_t sm;        /* first interindustry / proprietary 0x80-0xBF: b4b3 (0..3); further classes: b6 (0..1) */
    bool chaining;     /* b5: not the last command of a chain */
};

/* A parsed command. data points into the caller's buffer (valid while that buffer is). */
typedef struct {
    uint8_t cla, ins, p1, p2;
    uint32_t nc;          /* Lc: 0..65535 */
    const uint8_t *data;  /* NULL when nc == 0 */
    bool le_present;      /* false: no Le field (cases 1, 3S, 3E) */
    uint32_t ne;          /* Le decoded: 1..256 short, 1..65536 extended; 0 when Le is absent */
    bool extended;
    enum apdu_case kase;
    /* Filled by the router before an application sees the command: */
    struct apdu_cla cla_info;
    bool selecting;       /* this is the SELECT that just selected the receiving application */
    bool reselecting;     /* ... and that application was already the one selected on this channel
                           * (deselected and selected again: Java Card's reSelectingApplet()) */
} apdu_cmd_t;

/* Reasons a command is malformed (all answered 67 00 by the card). */
enum apdu_parse_err {
    APDU_PARSE_OK = 0,
    APDU_PARSE_TOO_SHORT,       /* fewer than 4 bytes */
    APDU_PARSE_SHORT_LC_ZERO,   /* 00 XX: short Lc 0 or an extended length cut short */
    APDU_PARSE_EXT_TRUNCATED,   /* extended Lc data followed by one byte: half an Le field */
    APDU_PARSE_EXT_LC_ZERO,     /* extended Lc 0000 followed by more bytes */
    APDU_PARSE_LC_MISMATCH,     /* body length is neither Lc nor Lc plus the Le field */
    APDU_PARSE_TOO_LONG,        /* longer than any well-formed command */
};

/* Parses buf[0..len). Returns APDU_PARSE_OK and fills out, or an error and leaves out zeroed. */
enum apdu_parse_err apdu_parse(const uint8_t *buf, size_t len, apdu_cmd_t *out);
const char *apdu_parse_strerror(enum apdu_parse_err err);

/* Decodes a CLA byte; kind is APDU_CLA_INVALID for values the card refuses with 6E 00. */
struct apdu_cla apdu_cla_decode(uint8_t cla);

/* True for a status word an application may return: SW1 61..6F (not 60) or 90..9F. */
bool apdu_sw_valid(int sw);
/* True when response data may accompany the SW: 90xx, 61xx, 62xx, 63xx, 9Fxx (success and warnings). */
bool apdu_sw_carries_data(uint16_t sw);

/* Response builder handed to applications: they append data, the router caps and finishes it. */
typedef struct {
    uint8_t *buf;       /* at least cap bytes */
    uint32_t cap;       /* data capacity (the SW goes after the data, outside cap) */
    uint32_t len;       /* data bytes written so far */
    bool overflow;      /* an append did not fit: the router answers 6F 00 */
} apdu_resp_t;

void apdu_resp_init(apdu_resp_t *r, uint8_t *buf, uint32_t cap);
/* Appends n bytes; returns 0, or -1 (and sets overflow, writes nothing) when they do not fit. */
int apdu_resp_append(apdu_resp_t *r, const void *p, size_t n);
int apdu_resp_byte(apdu_resp_t *r, uint8_t b);
/* The most data a response to cmd may hold: Ne when Le is present; with Le absent, the maximum for
 * the command's form (256 short, 65536 extended), because tools such as GPShell send SELECT without
 * Le under T=1 and still expect the FCI. */
uint32_t apdu_resp_limit(const apdu_cmd_t *cmd);
/* Finishes a response in r->buf: applies the Ne rules, appends SW1 SW2 and returns the total length.
 * r->buf must have room for r->cap + 2 bytes.
 *  - an invalid sw or an overflowed builder -> data dropped, 6F 00;
 *  - an error sw (not success/warning) -> data dropped;
 *  - data longer than the limit -> data dropped and 6C XX (short: XX = available length, 00 for 256)
 *    or 67 00 (extended, where the exact length cannot be given in SW2). */
size_t apdu_resp_finish(apdu_resp_t *r, const apdu_cmd_t *cmd, int sw);
/* A response that is only a status word. */
size_t apdu_resp_sw(uint8_t *out, uint16_t sw);

#endif
