/* The CLA byte (ISO 7816-4 5.4.1; GlobalPlatform Card Specification 11.1.4).
 * b8 b7 b6 select the layout:
 *   000x xxxx first interindustry: b5 chaining, b4b3 secure messaging, b2b1 channel 0-3
 *   001x xxxx RFU -> refused
 *   01xx xxxx further interindustry: b6 secure messaging, b5 chaining, b4-b1 channel 4-19
 *   1xxx xxxx proprietary (0xFF invalid): GlobalPlatform mirrors the two layouts, 0x80-0x8F / 0x84
 *             for channels 0-3 and 0xC0-0xCF / 0xE0-0xEF for channels 4-19. We decode b7 the same
 *             way as the interindustry classes, which is also what Java Card's APDU.getCLAChannel does. */
#include "apdu/apdu.h"

struct apdu_cla apdu_cla_decode(uint8_t cla)
{
    struct apdu_cla c = { .kind = APDU_CLA_INVALID };
    if (cla == 0xFF) return c;                   /* ISO 7816-3: reserved for PPS */
    if ((cla & 0xE0) == 0x20) return c;          /* RFU interindustry values */
    if (cla & 0x40) {
        c.channel = (uint8_t)(4 + (cla & 0x0F));
        c.sm = (uint8_t)((cla >> 5) & 1);
    } else {
        c.channel = (uint8_t)(cla & 0x03);
        c.sm = (uint8_t)((cla >> 2) & 3);
    }
    c.chaining = (cla & 0x10) != 0;
    if (cla & 0x80) c.kind = APDU_CLA_PROPRIETARY;
    else c.kind = (cla & 0x40) ? APDU_CLA_FURTHER_INTER : APDU_CLA_FIRST_INTER;
    return c;
}

bool apdu_sw_valid(int sw)
{
    if (sw < 0 || sw > 0xFFFF) return false;
    int sw1 = sw >> 8;
    return (sw1 >= 0x61 && sw1 <= 0x6F) || (sw1 >= 0x90 && sw1 <= 0x9F);
}

bool apdu_sw_carries_data(uint16_t sw)
{
    uint8_t sw1 = (uint8_t)(sw >> 8);
    return sw1 == 0x90 || sw1 == 0x61 || sw1 == 0x62 || sw1 == 0x63 || sw1 == 0x9F;
}
