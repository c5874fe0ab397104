/* SELECT by DF name (ISO 7816-4 11.2.2; Java Card RE 3.0.5 4.5): the runtime's part of application
 * selection. P1 04; P2 b2b1 = 00 first or only occurrence, 10 next occurrence (01 last and 11
 * previous are not supported and go to the application like any unknown command); P2 b4b3 is the
 * kind of answer the terminal wants (FCI, FCP, FMD, none): the application reads it itself.
 *
 * Matching is in registration order. P2 00: an exact AID match wins, else the first application
 * whose AID starts with the given bytes (partial selection); empty data means the channel's default
 * application. P2 02: the next matching application after the one selected on this channel.
 * A match deselects the channel's current application, selects the new one (its select() may
 * refuse: 69 99, nothing selected), then the router passes the SELECT itself to it. Reselecting the
 * channel's current application is no exception: JCRE 3.0.5 4.6 deselects an instance when a SELECT
 * picks "a different (or the same)" one, so it gets deselect() then select() on that channel (its
 * other channels untouched) and process() sees reselecting set (Applet.reSelectingApplet()).
 * A SELECT with secure messaging bits in CLA is not an applet selection (JCRE 4.5.2): forwarded. */
#include "apdu/apdu_reg_int.h"

#include <string.h>

#define INS_SELECT 0xA4
#define P1_BY_DF_NAME 0x04
#define P2_OCCURRENCE_MASK 0x03
#define P2_NEXT 0x02

bool apdu_select_is_by_aid(const apdu_cmd_t *cmd)
{
    if (cmd->ins != INS_SELECT || cmd->p1 != P1_BY_DF_NAME) return false;
    if (cmd->cla_info.kind != APDU_CLA_FIRST_INTER && cmd->cla_info.kind != APDU_CLA_FURTHER_INTER) return false;
    /* JCRE 4.5.2: with secure messaging bits it is not an applet selection; the active applet gets it. */
    if (cmd->cla_info.sm) return false;
    if (cmd->p2 & 0xF0) return false;
    uint8_t occ = cmd->p2 & P2_OCCURRENCE_MASK;
    return occ == 0 || occ == P2_NEXT;
}

static bool aid_starts_with(const struct apdu_app *a, const uint8_t *prefix, uint32_t n)
{
    return n <= a->aid_len && (n == 0 || memcmp(a->aid, prefix, n) == 0);
}

static struct apdu_app *find_target(const apdu_reg_t *reg, const apdu_cmd_t *cmd)
{
    uint8_t ch = cmd->cla_info.channel;
    if (cmd->nc > APDU_AID_MAX) return NULL;
    if ((cmd->p2 & P2_OCCURRENCE_MASK) == P2_NEXT) {
        size_t start = 0;
        struct apdu_app *cur = reg->open[ch] ? reg->sel[ch] : NULL;
        if (cur && aid_starts_with(cur, cmd->data, cmd->nc)) {
            for (size_t i = 0; i < reg->napps; i++)
                if (reg->apps[i] == cur) { start = i + 1; break; }
        }
        for (size_t i = start; i < reg->napps; i++)
            if (aid_starts_with(reg->apps[i], cmd->data, cmd->nc)) return reg->apps[i];
        return NULL;
    }
    if (cmd->nc == 0) return apdu_reg_channel_default(reg, ch);
    for (size_t i = 0; i < reg->napps; i++)
        if (reg->apps[i]->aid_len == cmd->nc && memcmp(reg->apps[i]->aid, cmd->data, cmd->nc) == 0)
            return reg->apps[i];
    for (size_t i = 0; i < reg->napps; i++)
        if (aid_starts_with(reg->apps[i], cmd->data, cmd->nc)) return reg->apps[i];
    return NULL;
}

struct apdu_app *apdu_select_run(apdu_reg_t *reg, const apdu_cmd_t *cmd, bool *handled, uint16_t *sw,
                                 bool *reselecting)
{
    uint8_t ch = cmd->cla_info.channel;
    *handled = false;
    if (cmd->cla_info.chaining) { *handled = true; *sw = APDU_SW_CHAINING_NOT_SUPPORTED; return NULL; }
    /* JCRE 4.5.2 step 3: a SELECT on a closed channel opens it, with nothing active, before the
     * search; it stays open whatever the outcome (no match then answers 6A 82). */
    if (!reg->open[ch]) {
        reg->open[ch] = true;
        reg->sel[ch] = NULL;
    }
    struct apdu_app *target = find_target(reg, cmd);
    if (!target) return NULL;
    *handled = true;
    *reselecting = reg->sel[ch] == target;
    *sw = apdu_reg_select_on(reg, ch, target);
    return *sw == APDU_SW_OK ? target : NULL;
}
