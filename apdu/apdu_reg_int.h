/* Internal state of the registry and router, shared by apdu_reg.c, apdu_chan.c, apdu_select.c and
 * apdu_route.c. Not for other modules: they use apdu/apdu_reg.h. */
#ifndef APDU_REG_INT_H
#define APDU_REG_INT_H

#include "apdu/apdu_reg.h"

struct apdu_app {
    uint8_t aid[APDU_AID_MAX];
    uint8_t aid_len;
    const apdu_app_ops_t *ops;
    void *ctx;
    unsigned flags;
    uint32_t context;          /* Java Card context (package); 0: none */
};

struct apdu_reg {
    /* Pointers, so a channel's selection survives another application's removal. */
    struct apdu_app *apps[APDU_APPS_MAX];
    size_t napps;
    bool open[APDU_CHANNELS];
    struct apdu_app *sel[APDU_CHANNELS];
    struct apdu_app *chan_default[APDU_CHANNELS]; /* per-channel override of the card default */
};

/* The card's default application (APDU_APP_DEFAULT_SELECTED), or NULL. */
struct apdu_app *apdu_reg_default_app(const apdu_reg_t *reg);
/* The default application of one channel: its override, else the card's default. */
struct apdu_app *apdu_reg_channel_default(const apdu_reg_t *reg, uint8_t channel);
/* True if app, or another application of its context, is selected on some channel other than except. */
bool apdu_reg_context_active_elsewhere(const apdu_reg_t *reg, const struct apdu_app *app, uint8_t except);
/* Deselects whatever is selected on channel (calls deselect); the channel stays open. */
void apdu_reg_deselect_channel(apdu_reg_t *reg, uint8_t channel);
/* Makes app the selection of channel: refuses a non-multiselectable app whose context is active
 * elsewhere (69 85),
 * calls select() (false: 69 99, channel left with nothing selected). Returns APDU_SW_OK or the SW. */
uint16_t apdu_reg_select_on(apdu_reg_t *reg, uint8_t channel, struct apdu_app *app);

/* MANAGE CHANNEL (INS 70); returns the SW, writes the assigned channel into r when asked. */
uint16_t apdu_chan_manage(apdu_reg_t *reg, const apdu_cmd_t *cmd, apdu_resp_t *r);
/* True if cmd is a SELECT by DF name (AID) the runtime handles itself. */
bool apdu_select_is_by_aid(const apdu_cmd_t *cmd);
/* SELECT by AID: the application found and selected, or NULL when nothing matches (the caller then
 * forwards the command). On a match that cannot be selected, *sw is the error and NULL is returned
 * with *handled set. */
struct apdu_app *apdu_select_run(apdu_reg_t *reg, const apdu_cmd_t *cmd, bool *handled, uint16_t *sw,
                                 bool *reselecting);

#endif
