/* card_record: the card runtime's persistent record inside the image.
 *
 * Image layout (the image's persistent area, img_mem()/img_size()):
 *   [0, 4096)     the card runtime record (this file): magic "CLCR", version, the ISD's state
 *   [4096, size)  reserved for the VM heap (vm/); the card runtime never writes there
 *
 * Record layout (big-endian, offsets in bytes; everything after CARD_REC_USED is zero, reserved):
 *   0   magic "CLCR"                        4
 *   4   version (1)                         2
 *   6   bytes in use (CARD_REC_USED)        2
 *   8   ISD life cycle (01 OP_READY, 07 INITIALIZED, 0F SECURED, 7F CARD_LOCKED)  1
 *   9   IIN length (0 = not set)            1
 *   10  IIN                                 16
 *   26  CIN length (0 = not set)            1
 *   27  CIN                                 16
 *   43  key version number of the static key set  1
 *   44  key length (16: AES-128)            1
 *   45  ENC key                             16
 *   61  MAC key                             16
 *   77  DEK key                             16
 *   93  card serial number (random at creation: CPLC IC serial, key diversification data)  8
 *   101 end
 * A zero-filled record (a new image) is initialised with the defaults; anything else must carry
 * the magic and version, and consistent fields, or the image is refused. Every update rewrites the
 * used part in one img_write, so it is atomic. */
#ifndef CARD_RECORD_H
#define CARD_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "card/card.h" /* CARD_VM_AREA_OFF: the first byte the VM owns */
#include "common/cl_util.h"
#include "image/img.h"

#define CARD_REC_OFF 0u
#define CARD_REC_SIZE 4096u
#define CARD_REC_MAGIC "CLCR"
#define CARD_REC_VERSION 1
#define CARD_REC_USED 101u

#define CARD_LC_OP_READY 0x01
#define CARD_LC_INITIALIZED 0x07
#define CARD_LC_SECURED 0x0F
#define CARD_LC_CARD_LOCKED 0x7F

#define CARD_ID_MAX 16      /* IIN and CIN */
#define CARD_KEY_LEN 16
#define CARD_DEFAULT_KVN 0x30
#define CARD_SERIAL_LEN 8

typedef struct {
    uint8_t life_cycle;
    uint8_t iin_len, iin[CARD_ID_MAX];
    uint8_t cin_len, cin[CARD_ID_MAX];
    uint8_t kvn;
    uint8_t key_len;
    uint8_t enc[CARD_KEY_LEN], mac[CARD_KEY_LEN], dek[CARD_KEY_LEN]; /* secrets: wiped by card_rec_wipe */
    uint8_t serial[CARD_SERIAL_LEN];
} card_rec_t;

/* Reads the record from img (initialising a zero-filled one with the defaults and writing it).
 * Returns 0, or -1 with e set (and nothing written) for an image that is too small or whose
 * record is not ours or is inconsistent. */
int card_rec_load(img_t *img, card_rec_t *out, cl_error_t *e);
/* Writes the record (one atomic img_write). Returns 0 or -1. */
int card_rec_store(img_t *img, const card_rec_t *rec);
void card_rec_wipe(card_rec_t *rec);

#endif
