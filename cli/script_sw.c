/* script_sw: a short meaning for a status word, printed after scriptor-style responses ("< 90 00 : ...").
 * Wording is ours, after the ISO 7816-4 table of SW1-SW2 values (section 5.6). */
#include "cli/script.h"

#include <stdio.h>

struct sw_text {
    uint16_t sw, mask; /* matches when (SW1SW2 & mask) == sw */
    const char *text;
};

static const struct sw_text sw_table[] = {
    { 0x9000, 0xFFFF, "Normal processing." },
    { 0x6100, 0xFF00, "Normal processing, %u more response bytes available (GET RESPONSE)." },
    { 0x6281, 0xFFFF, "Warning: part of the returned data may be corrupted." },
    { 0x6282, 0xFFFF, "Warning: end of file or record reached before reading Ne bytes." },
    { 0x6283, 0xFFFF, "Warning: selected file deactivated." },
    { 0x6300, 0xFFFF, "Warning: verification failed." },
    { 0x63C0, 0xFFF0, "Warning: verification failed, counter %u." },
    { 0x6200, 0xFF00, "Warning: state of non-volatile memory unchanged." },
    { 0x6300, 0xFF00, "Warning: state of non-volatile memory changed." },
    { 0x6400, 0xFF00, "Execution error: state of non-volatile memory unchanged." },
    { 0x6581, 0xFFFF, "Execution error: memory failure." },
    { 0x6500, 0xFF00, "Execution error: state of non-volatile memory changed." },
    { 0x6700, 0xFFFF, "Wrong length." },
    { 0x6881, 0xFFFF, "Function in CLA not supported: logical channel not supported." },
    { 0x6882, 0xFFFF, "Function in CLA not supported: secure messaging not supported." },
    { 0x6800, 0xFF00, "Function in CLA not supported." },
    { 0x6982, 0xFFFF, "Command not allowed: security status not satisfied." },
    { 0x6983, 0xFFFF, "Command not allowed: authentication method blocked." },
    { 0x6984, 0xFFFF, "Command not allowed: reference data not usable." },
    { 0x6985, 0xFFFF, "Command not allowed: conditions of use not satisfied." },
    { 0x6986, 0xFFFF, "Command not allowed: no current EF." },
    { 0x6999, 0xFFFF, "Command not allowed: applet selection failed." },
    { 0x6900, 0xFF00, "Command not allowed." },
    { 0x6A80, 0xFFFF, "Wrong parameters: incorrect data field." },
    { 0x6A81, 0xFFFF, "Wrong parameters: function not supported." },
    { 0x6A82, 0xFFFF, "Wrong parameters: file or application not found." },
    { 0x6A83, 0xFFFF, "Wrong parameters: record not found." },
    { 0x6A84, 0xFFFF, "Wrong parameters: not enough memory space." },
    { 0x6A86, 0xFFFF, "Wrong parameters: incorrect P1-P2." },
    { 0x6A88, 0xFFFF, "Wrong parameters: referenced data not found." },
    { 0x6A00, 0xFF00, "Wrong parameters P1-P2." },
    { 0x6B00, 0xFFFF, "Wrong parameters P1-P2." },
    { 0x6C00, 0xFF00, "Wrong Le: exact length is %u." },
    { 0x6D00, 0xFFFF, "Instruction code not supported or invalid." },
    { 0x6E00, 0xFFFF, "Class not supported." },
    { 0x6F00, 0xFFFF, "No precise diagnosis." },
};

const char *script_sw_text(uint8_t sw1, uint8_t sw2, char *buf, size_t cap)
{
    uint16_t sw = (uint16_t)(sw1 << 8 | sw2);
    for (size_t i = 0; i < CL_ARRAY_LEN(sw_table); i++) {
        if ((sw & sw_table[i].mask) != sw_table[i].sw) continue;
        unsigned arg = (sw_table[i].mask == 0xFFF0) ? (unsigned)(sw2 & 0x0F) : sw2;
        /* 61 XX and 6C XX give a byte count, where XX = 00 means 256 (ISO 7816-4 5.6). */
        if ((sw1 == 0x61 || sw1 == 0x6C) && sw2 == 0) arg = 256;
        /* The table's formats take at most one %u; a format without one ignores the argument. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(buf, cap, sw_table[i].text, arg);
#pragma GCC diagnostic pop
        return buf;
    }
    snprintf(buf, cap, "Unknown status word.");
    return buf;
}
