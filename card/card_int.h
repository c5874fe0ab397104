/* Internal state of one card (card.c, card_atr.c). Other modules use card/card.h. */
#ifndef CARD_INT_H
#define CARD_INT_H

#include "apdu/apdu_reg.h"
#include "card/card.h"
#include "card/card_isd.h"
#include "card/card_record.h"

struct card {
    img_t *img;
    card_rec_t rec;      /* the live copy of the persistent record (holds the static keys) */
    apdu_reg_t *reg;
    card_isd_t *isd;
    bool powered;
    card_reset_hook_t reset_hook;
    void *reset_ctx;
};

/* Writes the cardlet ATR; returns its length. */
size_t card_atr_build(uint8_t atr[CARD_ATR_MAX]);

#endif
