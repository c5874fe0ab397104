/* MANAGE CHANNEL (ISO 7816-4 11.1.2), handled by the runtime and never forwarded, with the status
 * words of the Java Card RE 3.0.5 (4.5.1 open, 4.6.1 close):
 *
 *   open:  P1 00, P2 00 = the card picks the lowest free channel and returns it in one byte;
 *          P2 n = open channel n (1..19), no data.
 * The one byte needs Ne >= 1. Le is the most the terminal accepts (ISO 7816-4 5.1: short 00 is 256,
 * extended 0000 is 65536), so Le 01, 00, any other value and the extended forms all get the byte;
 * the JCRE's "Le must be 01" would send 6C 01 to terminals whose Le 00 already allows it. Le absent
 * (Ne 0) leaves no room for the channel number: 6C 01 names the length to ask for and nothing is
 * opened, so the terminal is never left with an open channel whose number it did not receive.
 *   close: P1 80, P2 n = close channel n (1..19).
 *
 * Checked in this order: secure messaging bits 68 82; chaining 68 84; P1 other than 00/80 or P2
 * above 19, or closing channel 0: 6A 81; origin channel (from the CLA) not open 68 81; data field
 * present 67 00. Open: no free channel 6A 81; the requested channel already open 6A 86. Close: a
 * channel that is not open gets the warning 62 00.
 * The new channel gets its default application (origin 0) or the origin channel's application
 * (origin 1..19). If that application cannot be selected there (not multiselectable and active
 * elsewhere: 69 85; its select() refuses: 69 99) the new channel is closed again, as the JCRE does. */
#include "apdu/apdu_reg_int.h"

#define P1_OPEN 0x00
#define P1_CLOSE 0x80

static uint16_t chan_open(apdu_reg_t *reg, uint8_t origin, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    uint8_t ch;
    if (cmd->p2 == 0) {
        if (!cmd->le_present) return APDU_SW_CORRECT_LENGTH_00 | 0x01; /* ne >= 1 whenever Le is present */
        for (ch = 1; ch < APDU_CHANNELS && reg->open[ch]; ch++) {}
        if (ch == APDU_CHANNELS) return APDU_SW_FUNC_NOT_SUPPORTED;
    } else {
        ch = cmd->p2;
        if (reg->open[ch]) return APDU_SW_INCORRECT_P1P2;
    }
    struct apdu_app *app = origin == 0 ? apdu_reg_channel_default(reg, ch) : reg->sel[origin];
    reg->sel[ch] = NULL;
    if (app) {
        uint16_t sw = apdu_reg_select_on(reg, ch, app);
        if (sw != APDU_SW_OK) return sw; /* channel stays closed */
    }
    reg->open[ch] = true;
    if (cmd->p2 == 0 && apdu_resp_byte(r, ch) != 0) return APDU_SW_UNKNOWN;
    return APDU_SW_OK;
}

static uint16_t chan_close(apdu_reg_t *reg, uint8_t ch)
{
    if (!reg->open[ch]) return APDU_SW_WARNING_UNCHANGED;
    apdu_reg_deselect_channel(reg, ch);
    reg->open[ch] = false;
    return APDU_SW_OK;
}

uint16_t apdu_chan_manage(apdu_reg_t *reg, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    uint8_t origin = cmd->cla_info.channel;
    if (cmd->cla_info.sm) return APDU_SW_SM_NOT_SUPPORTED;
    if (cmd->cla_info.chaining) return APDU_SW_CHAINING_NOT_SUPPORTED;
    if (cmd->p1 != P1_OPEN && cmd->p1 != P1_CLOSE) return APDU_SW_FUNC_NOT_SUPPORTED;
    if (cmd->p2 >= APDU_CHANNELS) return APDU_SW_FUNC_NOT_SUPPORTED;
    if (cmd->p1 == P1_CLOSE && cmd->p2 == 0) return APDU_SW_FUNC_NOT_SUPPORTED; /* the basic channel */
    if (!reg->open[origin]) return APDU_SW_CHANNEL_NOT_SUPPORTED;
    if (cmd->nc != 0) return APDU_SW_WRONG_LENGTH;
    if (cmd->p1 == P1_OPEN) return chan_open(reg, origin, cmd, r);
    return chan_close(reg, cmd->p2);
}
