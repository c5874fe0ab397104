/* BER-TLV writing and walking for the card manager (GlobalPlatform responses and STORE DATA). */
#include "card/card_tlv.h"

#include <string.h>

void card_tlv_init(card_tlv_buf_t *b, uint8_t *buf, size_t cap)
{
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->overflow = 0;
}

void card_tlv_raw(card_tlv_buf_t *b, const void *p, size_t n)
{
    if (b->overflow || n > b->cap - b->len) { b->overflow = 1; return; }
    if (n) memcpy(b->buf + b->len, p, n);
    b->len += n;
}

void card_tlv_put(card_tlv_buf_t *b, uint16_t tag, const void *val, size_t len)
{
    uint8_t hdr[5];
    size_t h = 0;
    if (tag > 0xFF) hdr[h++] = (uint8_t)(tag >> 8);
    hdr[h++] = (uint8_t)tag;
    if (len > 0xFFFF) { b->overflow = 1; return; }
    if (len >= 0x100) { hdr[h++] = 0x82; hdr[h++] = (uint8_t)(len >> 8); hdr[h++] = (uint8_t)len; }
    else if (len >= 0x80) { hdr[h++] = 0x81; hdr[h++] = (uint8_t)len; }
    else hdr[h++] = (uint8_t)len;
    card_tlv_raw(b, hdr, h);
    card_tlv_raw(b, val, len);
}

void card_tlv_put_byte(card_tlv_buf_t *b, uint16_t tag, uint8_t v) { card_tlv_put(b, tag, &v, 1); }

int card_tlv_next(const uint8_t *p, size_t n, size_t *off, card_tlv_t *out)
{
    size_t i = *off;
    if (i >= n) return 0;
    uint16_t tag = p[i++];
    if ((tag & 0x1F) == 0x1F) {            /* multi-byte tag: we accept exactly one more byte */
        if (i >= n || (p[i] & 0x80)) return -1;
        tag = (uint16_t)((tag << 8) | p[i++]);
    }
    if (i >= n) return -1;
    size_t len = p[i++];
    if (len == 0x81) {
        if (i >= n) return -1;
        len = p[i++];
    } else if (len == 0x82) {
        if (n - i < 2) return -1;
        len = ((size_t)p[i] << 8) | p[i + 1];
        i += 2;
    } else if (len > 0x80 || len == 0x80) {
        return -1;                          /* indefinite or longer forms: not in GlobalPlatform */
    }
    if (len > n - i) return -1;
    out->tag = tag;
    out->val = p + i;
    out->len = len;
    *off = i + len;
    return 1;
}

int card_tlv_find(const uint8_t *p, size_t n, uint16_t tag, card_tlv_t *out)
{
    size_t off = 0;
    card_tlv_t t;
    int r;
    while ((r = card_tlv_next(p, n, &off, &t)) == 1) {
        if (t.tag == tag) { *out = t; return 1; }
    }
    return r;
}
