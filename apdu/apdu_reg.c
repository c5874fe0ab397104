/* The application registry: registration, lookup, and the selection state of every channel. */
#include "apdu/apdu_reg_int.h"

#include <stdlib.h>
#include <string.h>

apdu_reg_t *apdu_reg_new(void)
{
    apdu_reg_t *reg = calloc(1, sizeof *reg);
    return reg;
}

void apdu_reg_free(apdu_reg_t *reg)
{
    if (!reg) return;
    for (size_t i = 0; i < reg->napps; i++) free(reg->apps[i]);
    free(reg);
}

long apdu_reg_find(const apdu_reg_t *reg, const uint8_t *aid, size_t aid_len)
{
    for (size_t i = 0; i < reg->napps; i++) {
        const struct apdu_app *a = reg->apps[i];
        if (a->aid_len == aid_len && memcmp(a->aid, aid, aid_len) == 0) return (long)i;
    }
    return -1;
}

struct apdu_app *apdu_reg_default_app(const apdu_reg_t *reg)
{
    for (size_t i = 0; i < reg->napps; i++)
        if (reg->apps[i]->flags & APDU_APP_DEFAULT_SELECTED) return reg->apps[i];
    return NULL;
}

struct apdu_app *apdu_reg_channel_default(const apdu_reg_t *reg, uint8_t channel)
{
    if (channel < APDU_CHANNELS && reg->chan_default[channel]) return reg->chan_default[channel];
    return apdu_reg_default_app(reg);
}

int apdu_reg_set_channel_default(apdu_reg_t *reg, uint8_t channel, const uint8_t *aid, size_t aid_len)
{
    if (channel >= APDU_CHANNELS) return -1;
    if (!aid) { reg->chan_default[channel] = NULL; return 0; }
    long idx = apdu_reg_find(reg, aid, aid_len);
    if (idx < 0) return -1;
    reg->chan_default[channel] = reg->apps[idx];
    return 0;
}

int apdu_reg_add(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len, const apdu_app_ops_t *ops, void *ctx,
                 unsigned flags, cl_error_t *e)
{
    if (!aid || aid_len < APDU_AID_MIN || aid_len > APDU_AID_MAX) {
        cl_seterr(e, "application AID must be %d..%d bytes (got %zu)", APDU_AID_MIN, APDU_AID_MAX, aid_len);
        return -1;
    }
    if (!ops || !ops->select || !ops->deselect || !ops->process) {
        cl_seterr(e, "application ops table incomplete");
        return -1;
    }
    if (flags & ~(unsigned)(APDU_APP_DEFAULT_SELECTED | APDU_APP_MULTISELECTABLE)) {
        cl_seterr(e, "unknown application flags 0x%x", flags);
        return -1;
    }
    if (apdu_reg_find(reg, aid, aid_len) >= 0) {
        cl_seterr(e, "an application with this AID is already registered");
        return -1;
    }
    if ((flags & APDU_APP_DEFAULT_SELECTED) && apdu_reg_default_app(reg)) {
        cl_seterr(e, "another application is already default-selected");
        return -1;
    }
    if (reg->napps >= APDU_APPS_MAX) {
        cl_seterr(e, "registry full (%d applications)", APDU_APPS_MAX);
        return -1;
    }
    struct apdu_app *a = calloc(1, sizeof *a);
    if (!a) { cl_seterr(e, "out of memory"); return -1; }
    memcpy(a->aid, aid, aid_len);
    a->aid_len = (uint8_t)aid_len;
    a->ops = ops;
    a->ctx = ctx;
    a->flags = flags;
    reg->apps[reg->napps++] = a;
    return 0;
}

int apdu_reg_remove(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len)
{
    long idx = apdu_reg_find(reg, aid, aid_len);
    if (idx < 0) return -1;
    struct apdu_app *a = reg->apps[idx];
    for (uint8_t ch = 0; ch < APDU_CHANNELS; ch++) {
        if (reg->sel[ch] == a) apdu_reg_deselect_channel(reg, ch);
        if (reg->chan_default[ch] == a) reg->chan_default[ch] = NULL;
    }
    memmove(&reg->apps[idx], &reg->apps[idx + 1], (reg->napps - (size_t)idx - 1) * sizeof reg->apps[0]);
    reg->napps--;
    free(a);
    return 0;
}

size_t apdu_reg_count(const apdu_reg_t *reg) { return reg->napps; }

bool apdu_reg_get(const apdu_reg_t *reg, size_t index, apdu_app_info_t *out)
{
    if (index >= reg->napps) return false;
    const struct apdu_app *a = reg->apps[index];
    out->aid = a->aid;
    out->aid_len = a->aid_len;
    out->flags = a->flags;
    out->ctx = a->ctx;
    out->ops = a->ops;
    return true;
}

bool apdu_reg_channel_open(const apdu_reg_t *reg, uint8_t channel)
{
    return channel < APDU_CHANNELS && reg->open[channel];
}

long apdu_reg_selected(const apdu_reg_t *reg, uint8_t channel)
{
    if (channel >= APDU_CHANNELS || !reg->open[channel] || !reg->sel[channel]) return -1;
    for (size_t i = 0; i < reg->napps; i++)
        if (reg->apps[i] == reg->sel[channel]) return (long)i;
    return -1;
}

unsigned apdu_reg_active_count(const apdu_reg_t *reg, size_t index)
{
    if (index >= reg->napps) return 0;
    unsigned n = 0;
    for (uint8_t ch = 0; ch < APDU_CHANNELS; ch++)
        if (reg->open[ch] && reg->sel[ch] == reg->apps[index]) n++;
    return n;
}

bool apdu_reg_context_active_elsewhere(const apdu_reg_t *reg, const struct apdu_app *app, uint8_t except)
{
    for (uint8_t ch = 0; ch < APDU_CHANNELS; ch++) {
        const struct apdu_app *s = reg->open[ch] && ch != except ? reg->sel[ch] : NULL;
        if (s && (s == app || (app->context && s->context == app->context))) return true;
    }
    return false;
}

int apdu_reg_set_context(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len, uint32_t context)
{
    long idx = apdu_reg_find(reg, aid, aid_len);
    if (idx < 0) return -1;
    reg->apps[idx]->context = context;
    return 0;
}

void apdu_reg_deselect_channel(apdu_reg_t *reg, uint8_t channel)
{
    struct apdu_app *a = reg->sel[channel];
    reg->sel[channel] = NULL;
    if (a) a->ops->deselect(a->ctx, channel);
}

uint16_t apdu_reg_select_on(apdu_reg_t *reg, uint8_t channel, struct apdu_app *app)
{
    if (!(app->flags & APDU_APP_MULTISELECTABLE) && apdu_reg_context_active_elsewhere(reg, app, channel))
        return APDU_SW_CONDITIONS;
    apdu_reg_deselect_channel(reg, channel);
    if (!app->ops->select(app->ctx, channel)) return APDU_SW_SELECT_FAILED;
    reg->sel[channel] = app;
    return APDU_SW_OK;
}

void apdu_reg_power_off(apdu_reg_t *reg)
{
    for (uint8_t ch = 0; ch < APDU_CHANNELS; ch++) {
        if (reg->open[ch]) apdu_reg_deselect_channel(reg, ch);
        reg->open[ch] = false;
        reg->sel[ch] = NULL;
    }
}

void apdu_reg_power_on(apdu_reg_t *reg)
{
    apdu_reg_power_off(reg);
    reg->open[0] = true;
    struct apdu_app *def = apdu_reg_channel_default(reg, 0);
    if (def) (void)apdu_reg_select_on(reg, 0, def); /* a refusal leaves channel 0 with nothing selected */
}
