/* The response builder: applications append, the router applies the Ne rules and adds SW1 SW2. */
#include "apdu/apdu.h"

#include <string.h>

#include "common/cl_util.h"

void apdu_resp_init(apdu_resp_t *r, uint8_t *buf, uint32_t cap)
{
    r->buf = buf;
    r->cap = cap;
    r->len = 0;
    r->overflow = false;
}

int apdu_resp_append(apdu_resp_t *r, const void *p, size_t n)
{
    if (r->overflow || n > (size_t)(r->cap - r->len)) {
        r->overflow = true;
        return -1;
    }
    if (n) memcpy(r->buf + r->len, p, n);
    r->len += (uint32_t)n;
    return 0;
}

int apdu_resp_byte(apdu_resp_t *r, uint8_t b) { return apdu_resp_append(r, &b, 1); }

uint32_t apdu_resp_limit(const apdu_cmd_t *cmd)
{
    if (cmd->le_present) return cmd->ne;
    return cmd->extended ? APDU_EXT_MAX_NE : APDU_SHORT_MAX_NE;
}

size_t apdu_resp_sw(uint8_t *out, uint16_t sw)
{
    cl_put16(out, sw);
    return 2;
}

size_t apdu_resp_finish(apdu_resp_t *r, const apdu_cmd_t *cmd, int sw)
{
    uint32_t n = r->len;
    uint16_t out_sw;
    if (!apdu_sw_valid(sw) || r->overflow) {
        out_sw = APDU_SW_UNKNOWN;
        n = 0;
    } else {
        out_sw = (uint16_t)sw;
        if (!apdu_sw_carries_data(out_sw)) {
            n = 0;
        } else if (n > apdu_resp_limit(cmd)) {
            /* Too long for what the terminal asked: tell it the exact length (6C XX) when the short
             * form can say it, as ISO 7816-4 asks; an extended response cannot, so 67 00. */
            if (!cmd->extended && n <= APDU_SHORT_MAX_NE) out_sw = (uint16_t)(APDU_SW_CORRECT_LENGTH_00 | (n & 0xFF));
            else out_sw = APDU_SW_WRONG_LENGTH;
            n = 0;
        }
    }
    cl_put16(r->buf + n, out_sw);
    r->len = n;
    return (size_t)n + 2;
}
