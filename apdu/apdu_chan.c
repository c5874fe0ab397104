/* MANAGE CHANNEL (ISO 7816-4 11.1.2; Java Card RE 3.0.5 4.4). Handled by the runtime, never forwarded.
 *
 *   open:  P1 00, P2 00 = the card picks the lowest free channel and returns it (one data byte, so
 *          Le must be present), P2 n = open channel n (1..19).
 *   close: P1 80, P2 n = close channel n; P2 00 closes the channel the command came on.
 *
 * Status words: origin channel closed 68 81; chaining 68 84; secure messaging 68 82; data present
 * 67 00; P1 other than 00/80, P2 above 19, or closing channel 0: 6A 86; no free channel or the
 * requested channel already open: 6A 81; closing a channel that is not open: 62 00 (warning).
 * The newly opened channel gets the default application (origin 0) or the origin channel's
 * application (origin 1..19); if that application may not be selected there (not multiselectable
 * and active elsewhere: 69 85; its select() refuses: 69 99) the channel is not opened at all,
 * so a failed command changes nothing. */
#include "apdu/apdu_reg_int.h"

static uint16_t chan_open(apdu_reg_t *reg, uint8_t origin, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    uint8_t ch;
    if (cmd->p2 == 0) {
        if (!cmd->le_present) return APDU_SW_WRONG_LENGTH; /* the assigned number must be returned */
        for (ch = 1; ch < APDU_CHANNELS && reg->open[ch]; ch++) {}
        if (ch == APDU_CHANNELS) return APDU_SW_FUNC_NOT_SUPPORTED;
    } else {
        if (cmd->p2 >= APDU_CHANNELS) return APDU_SW_INCORRECT_P1P2;
        ch = cmd->p2;
        if (reg->open[ch]) return APDU_SW_FUNC_NOT_SUPPORTED;
    }
    struct apdu_app *app = origin == 0 ? apdu_reg_default_app(reg) : reg->sel[origin];
    reg->sel[ch] = NULL;
    if (app) {
        uint16_t sw = apdu_reg_select_on(reg, ch, app);
        if (sw != APDU_SW_OK) return sw; /* channel stays closed */
    }
    reg->open[ch] = true;
    if (cmd->p2 == 0 && apdu_resp_byte(r, ch) != 0) return APDU_SW_UNKNOWN;
    return APDU_SW_OK;
}

static uint16_t chan_close(apdu_reg_t *reg, uint8_t origin, const apdu_cmd_t *cmd)
{
    uint8_t ch = cmd->p2 ? cmd->p2 : origin;
    if (ch == 0 || ch >= APDU_CHANNELS) return APDU_SW_INCORRECT_P1P2;
    if (!reg->open[ch]) return APDU_SW_WARNING_UNCHANGED;
    apdu_reg_deselect_channel(reg, ch);
    reg->open[ch] = false;
    return APDU_SW_OK;
}

uint16_t apdu_chan_manage(apdu_reg_t *reg, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    uint8_t origin = cmd->cla_info.channel;
    if (!reg->open[origin]) return APDU_SW_CHANNEL_NOT_SUPPORTED;
    if (cmd->cla_info.chaining) return APDU_SW_CHAINING_NOT_SUPPORTED;
    if (cmd->cla_info.sm) return APDU_SW_SM_NOT_SUPPORTED;
    if (cmd->nc != 0) return APDU_SW_WRONG_LENGTH;
    if (cmd->p1 == 0x00) return chan_open(reg, origin, cmd, r);
    if (cmd->p1 == 0x80) return chan_close(reg, origin, cmd);
    return APDU_SW_INCORRECT_P1P2;
}
