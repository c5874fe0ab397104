/* The ATR (ISO 7816-3 8.2). T=1 only, so pcscd picks T=1 and clients need no T=0 case-4 or 61xx
 * handling:
 *   3B        TS direct convention
 *   8D        T0: TD1 follows, 13 historical bytes
 *   80        TD1: TD2 follows, protocol T=0 field (the usual "3B 8x 80 01" form)
 *   01        TD2: protocol T=1
 *   historical bytes (ISO 7816-4 8.1.1, compact-TLV after category 80):
 *     80                         category indicator: compact-TLV objects follow
 *     57 'c' 'a' 'r' 'd' 'l' 'e' 't'   card issuer's data (tag 5, 7 bytes): names the card
 *     73 C0 01 5F                card capabilities: selection by full and partial DF name; data
 *                                unit of one byte; extended Lc/Le, channel numbers assigned by
 *                                card and terminal, 8 or more logical channels
 *   TCK       XOR of T0 .. the last historical byte (required whenever T=1 is offered) */
#include "card/card_int.h"

#include <string.h>

static const uint8_t historical[] = {
    0x80,
    0x57, 'c', 'a', 'r', 'd', 'l', 'e', 't',
    0x73, 0xC0, 0x01, 0x5F,
};

size_t card_atr_build(uint8_t atr[CARD_ATR_MAX])
{
    size_t n = 0;
    atr[n++] = 0x3B;
    atr[n++] = (uint8_t)(0x80 | sizeof historical);
    atr[n++] = 0x80;
    atr[n++] = 0x01;
    memcpy(atr + n, historical, sizeof historical);
    n += sizeof historical;
    uint8_t tck = 0;
    for (size_t i = 1; i < n; i++) tck ^= atr[i];
    atr[n++] = tck;
    return n;
}
