/* The router: one C-APDU in, one R-APDU out. Decides what the runtime handles itself (MANAGE
 * CHANNEL, SELECT by AID) and forwards the rest to the channel's selected application. */
#include "apdu/apdu_reg_int.h"

#include <string.h>

#define INS_MANAGE_CHANNEL 0x70

static bool interindustry(const apdu_cmd_t *cmd)
{
    return cmd->cla_info.kind == APDU_CLA_FIRST_INTER || cmd->cla_info.kind == APDU_CLA_FURTHER_INTER;
}

static int call_app(struct apdu_app *app, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    return app->ops->process(app->ctx, cmd, r);
}

size_t apdu_reg_process(apdu_reg_t *reg, const uint8_t *buf, size_t len, uint8_t *resp)
{
    apdu_cmd_t cmd;
    if (apdu_parse(buf, len, &cmd) != APDU_PARSE_OK) return apdu_resp_sw(resp, APDU_SW_WRONG_LENGTH);
    cmd.cla_info = apdu_cla_decode(cmd.cla);
    if (cmd.cla_info.kind == APDU_CLA_INVALID) return apdu_resp_sw(resp, APDU_SW_CLA_NOT_SUPPORTED);
    uint8_t ch = cmd.cla_info.channel;

    apdu_resp_t r;
    apdu_resp_init(&r, resp, APDU_EXT_MAX_NE);
    int sw;
    if (cmd.ins == INS_MANAGE_CHANNEL && interindustry(&cmd)) {
        sw = apdu_chan_manage(reg, &cmd, &r);
        return apdu_resp_finish(&r, &cmd, sw);
    }
    if (apdu_select_is_by_aid(&cmd)) {
        bool handled, reselecting = false;
        uint16_t ssw;
        struct apdu_app *app = apdu_select_run(reg, &cmd, &handled, &ssw, &reselecting);
        if (handled) {
            if (!app) return apdu_resp_sw(resp, ssw);
            cmd.selecting = true;
            cmd.reselecting = reselecting;
            sw = call_app(app, &cmd, &r);
            return apdu_resp_finish(&r, &cmd, sw);
        }
        /* no match: forwarded below like any other command */
    }
    if (!reg->open[ch]) return apdu_resp_sw(resp, APDU_SW_CHANNEL_NOT_SUPPORTED);
    struct apdu_app *cur = reg->sel[ch];
    if (!cur) return apdu_resp_sw(resp, APDU_SW_NOT_FOUND);
    sw = call_app(cur, &cmd, &r);
    return apdu_resp_finish(&r, &cmd, sw);
}
