/* card_tlv: the small BER-TLV subset GlobalPlatform uses (tags of 1 or 2 bytes, lengths in the
 * 1, 81 and 82 forms). Writing into a bounded buffer and walking a TLV list with full bounds checks. */
#ifndef CARD_TLV_H
#define CARD_TLV_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow; /* set when a write did not fit; the buffer then holds a truncated prefix */
} card_tlv_buf_t;

void card_tlv_init(card_tlv_buf_t *b, uint8_t *buf, size_t cap);
/* Appends tag (1 or 2 bytes: values above 0xFF are written as two), length, value. */
void card_tlv_put(card_tlv_buf_t *b, uint16_t tag, const void *val, size_t len);
void card_tlv_put_byte(card_tlv_buf_t *b, uint16_t tag, uint8_t v);
void card_tlv_raw(card_tlv_buf_t *b, const void *p, size_t n);

/* One TLV of a list. */
typedef struct {
    uint16_t tag;
    const uint8_t *val;
    size_t len;
} card_tlv_t;

/* Reads the TLV at *off in p[0..n) and advances *off. Returns 1 (read one), 0 (end of data) or -1
 * (malformed: tag or length cut short, more than 2 tag bytes, length form 83+, value past the end). */
int card_tlv_next(const uint8_t *p, size_t n, size_t *off, card_tlv_t *out);
/* Finds the first TLV with tag in the list p[0..n). Returns 1 found, 0 not found, -1 malformed. */
int card_tlv_find(const uint8_t *p, size_t n, uint16_t tag, card_tlv_t *out);

#endif
