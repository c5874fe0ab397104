/* libFuzzer target: any byte string as a C-APDU to a powered card (card manager, channels, SELECT).
 * The first input byte picks a few commands to replay first, so the fuzzer also reaches states with
 * extra channels open. Built by card/module.mk with clang (make fuzz). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card/card.h"

static card_t *card;
static uint8_t *resp;

static void setup(void)
{
    char dir[] = "/tmp/card_fuzz.XXXXXX";
    if (!mkdtemp(dir)) abort();
    char path[64];
    snprintf(path, sizeof path, "%s/card.img", dir);
    cl_error_t e;
    if (card_open(path, 64 * 1024, IMG_SYNC_NORMAL, &card, &e) != 0) abort();
    resp = malloc(CARD_RESP_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!card) setup();
    uint8_t atr[CARD_ATR_MAX];
    card_power_on(card, atr);
    if (size && (data[0] & 1)) {
        static const uint8_t open1[] = { 0x00, 0x70, 0x00, 0x00, 0x01 };
        card_transmit(card, open1, sizeof open1, resp);
    }
    size_t n = card_transmit(card, size ? data + 1 : data, size ? size - 1 : 0, resp);
    if (n < 2 || n > CARD_RESP_MAX) abort();
    return 0;
}
