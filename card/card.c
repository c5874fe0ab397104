/* The card runtime: opening the image, power, and command routing through the apdu registry.
 *
 * Image layout: [0, 4096) is the card runtime record (card_record.h: magic "CLCR", version, the
 * ISD's persistent state); [4096, size) is reserved for the VM heap. */
#include "card/card_int.h"

#include <stdlib.h>
#include <string.h>

int card_open(const char *image_path, uint32_t create_size, enum img_sync sync, card_t **out, cl_error_t *e)
{
    *out = NULL;
    card_t *card = calloc(1, sizeof *card);
    if (!card) { cl_seterr(e, "out of memory"); return -1; }
    if (img_open(image_path, create_size, sync, &card->img, e) != 0) {
        free(card);
        return -1; /* e carries img_open's message */
    }
    if (card_rec_load(card->img, &card->rec, e) != 0) goto fail;
    card->reg = apdu_reg_new();
    if (!card->reg) { cl_seterr(e, "out of memory"); goto fail; }
    card->isd = card_isd_new(card->img, &card->rec, card->reg, e);
    if (!card->isd) goto fail;
    *out = card;
    return 0;
fail:
    apdu_reg_free(card->reg);
    img_close(card->img);
    card_rec_wipe(&card->rec);
    free(card);
    return -1;
}

void card_close(card_t *card)
{
    if (!card) return;
    if (card->powered) card_power_off(card);
    apdu_reg_free(card->reg);
    card_isd_free(card->isd);
    img_close(card->img);
    card_rec_wipe(&card->rec);
    free(card);
}

/* Every application deselected and every channel closed, then transient memory cleared: the order
 * a real card's reset gives (deselect() still sees the state it is leaving). */
static void drop_session(card_t *card)
{
    apdu_reg_power_off(card->reg);
    if (card->reset_hook) card->reset_hook(card->reset_ctx);
}

size_t card_power_on(card_t *card, uint8_t atr[CARD_ATR_MAX])
{
    drop_session(card);
    apdu_reg_power_on(card->reg); /* opens channel 0, selects the default application */
    card->powered = true;
    return card_atr_build(atr);
}

size_t card_reset(card_t *card, uint8_t atr[CARD_ATR_MAX]) { return card_power_on(card, atr); }

void card_power_off(card_t *card)
{
    drop_session(card);
    card->powered = false;
}

size_t card_atr(const card_t *card, uint8_t atr[CARD_ATR_MAX])
{
    (void)card;
    return card_atr_build(atr);
}

int card_is_powered(const card_t *card) { return card->powered ? 1 : 0; }

size_t card_transmit(card_t *card, const uint8_t *cmd, size_t len, uint8_t *resp)
{
    if (!card->powered) return apdu_resp_sw(resp, APDU_SW_UNKNOWN);
    return apdu_reg_process(card->reg, cmd, len, resp);
}

struct apdu_reg *card_registry(card_t *card) { return card->reg; }

img_t *card_image(card_t *card) { return card->img; }

void card_set_reset_hook(card_t *card, card_reset_hook_t fn, void *ctx)
{
    card->reset_hook = fn;
    card->reset_ctx = ctx;
}
