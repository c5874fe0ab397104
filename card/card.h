/* card: the card runtime, what a real card's operating system does between the contacts and the
 * applications: power and ATR, ISO 7816-4 command routing (through apdu/), the card manager (ISD),
 * and later the VM's applets. Transport-agnostic: the daemon (cli/cmd_card.c) feeds it frames.
 *
 * Thread model: one card is driven by one thread at a time. */
#ifndef CARD_H
#define CARD_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"
#include "image/img.h"

typedef struct card card_t;

#define CARD_ATR_MAX 33
#define CARD_RESP_MAX (65536 + 2) /* extended Le 0000 = 65536 bytes, plus SW1 SW2 */
#define CARD_DEFAULT_IMAGE_SIZE (2u * 1024 * 1024)

/* Opens (or creates, if missing) the card image at path and brings the card to "powered off".
 * An image that cannot be read is refused with a message in e and left untouched. */
int card_open(const char *image_path, uint32_t create_size, enum img_sync sync, card_t **out, cl_error_t *e);
void card_close(card_t *card);

/* Power on / warm reset: clears transient state, deselects every channel, then selects the
 * default applications. Returns the ATR length and copies the ATR. */
size_t card_power_on(card_t *card, uint8_t atr[CARD_ATR_MAX]);
size_t card_reset(card_t *card, uint8_t atr[CARD_ATR_MAX]);
void card_power_off(card_t *card);
size_t card_atr(const card_t *card, uint8_t atr[CARD_ATR_MAX]);
int card_is_powered(const card_t *card);

/* Processes one C-APDU; writes the R-APDU (data || SW1 SW2) and returns its length (always >= 2).
 * A card that is not powered answers 6F 00 (the reader never sends then). resp must hold CARD_RESP_MAX. */
size_t card_transmit(card_t *card, const uint8_t *cmd, size_t len, uint8_t *resp);

/* For the VM (vm/) and other card-side services; added by the apdu/card task.
 * Image layout: [0, CARD_VM_AREA_OFF) is the card runtime record (card/card_record.h);
 * [CARD_VM_AREA_OFF, img_size) belongs to the VM heap. */
#define CARD_VM_AREA_OFF 4096u
struct apdu_reg;
/* The registry applet instances register in (apdu/apdu_reg.h); owned by the card. */
struct apdu_reg *card_registry(card_t *card);
/* The card's image (for the VM heap area); owned by the card. */
img_t *card_image(card_t *card);
/* A function called at every power on, reset and power off, before the default application is
 * selected again: where CLEAR_ON_RESET transient memory is cleared. One hook; NULL removes it. */
typedef void (*card_reset_hook_t)(void *ctx);
void card_set_reset_hook(card_t *card, card_reset_hook_t fn, void *ctx);

#endif
