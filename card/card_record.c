/* The card runtime record: encode, decode, validate, initialise (layout in card_record.h). */
#include "card/card_record.h"

#include <openssl/rand.h>
#include <string.h>

#define O_MAGIC 0
#define O_VERSION 4
#define O_USED 6
#define O_LC 8
#define O_IIN_LEN 9
#define O_IIN 10
#define O_CIN_LEN 26
#define O_CIN 27
#define O_KVN 43
#define O_KEY_LEN 44
#define O_ENC 45
#define O_MAC 61
#define O_DEK 77
#define O_SERIAL 93

static bool valid_life_cycle(uint8_t lc)
{
    return lc == CARD_LC_OP_READY || lc == CARD_LC_INITIALIZED || lc == CARD_LC_SECURED || lc == CARD_LC_CARD_LOCKED;
}

static void encode(const card_rec_t *r, uint8_t out[CARD_REC_USED])
{
    memset(out, 0, CARD_REC_USED);
    memcpy(out + O_MAGIC, CARD_REC_MAGIC, 4);
    cl_put16(out + O_VERSION, CARD_REC_VERSION);
    cl_put16(out + O_USED, CARD_REC_USED);
    out[O_LC] = r->life_cycle;
    out[O_IIN_LEN] = r->iin_len;
    memcpy(out + O_IIN, r->iin, CARD_ID_MAX);
    out[O_CIN_LEN] = r->cin_len;
    memcpy(out + O_CIN, r->cin, CARD_ID_MAX);
    out[O_KVN] = r->kvn;
    out[O_KEY_LEN] = r->key_len;
    memcpy(out + O_ENC, r->enc, CARD_KEY_LEN);
    memcpy(out + O_MAC, r->mac, CARD_KEY_LEN);
    memcpy(out + O_DEK, r->dek, CARD_KEY_LEN);
    memcpy(out + O_SERIAL, r->serial, CARD_SERIAL_LEN);
}

static int decode(const uint8_t *m, card_rec_t *r, cl_error_t *e)
{
    if (memcmp(m + O_MAGIC, CARD_REC_MAGIC, 4) != 0) {
        cl_seterr(e, "the image holds no cardlet card record (bad magic at offset 0)");
        return -1;
    }
    if (cl_get16(m + O_VERSION) != CARD_REC_VERSION) {
        cl_seterr(e, "card record version %u is not supported (this build reads version %u)",
                  cl_get16(m + O_VERSION), CARD_REC_VERSION);
        return -1;
    }
    if (cl_get16(m + O_USED) != CARD_REC_USED) {
        cl_seterr(e, "card record size %u is inconsistent (expected %u)", cl_get16(m + O_USED), CARD_REC_USED);
        return -1;
    }
    if (!valid_life_cycle(m[O_LC]) || m[O_IIN_LEN] > CARD_ID_MAX || m[O_CIN_LEN] > CARD_ID_MAX ||
        m[O_KEY_LEN] != CARD_KEY_LEN) {
        cl_seterr(e, "card record is corrupt (life cycle, identifier or key length out of range)");
        return -1;
    }
    memset(r, 0, sizeof *r);
    r->life_cycle = m[O_LC];
    r->iin_len = m[O_IIN_LEN];
    memcpy(r->iin, m + O_IIN, CARD_ID_MAX);
    r->cin_len = m[O_CIN_LEN];
    memcpy(r->cin, m + O_CIN, CARD_ID_MAX);
    r->kvn = m[O_KVN];
    r->key_len = m[O_KEY_LEN];
    memcpy(r->enc, m + O_ENC, CARD_KEY_LEN);
    memcpy(r->mac, m + O_MAC, CARD_KEY_LEN);
    memcpy(r->dek, m + O_DEK, CARD_KEY_LEN);
    memcpy(r->serial, m + O_SERIAL, CARD_SERIAL_LEN);
    return 0;
}

/* A new card: ISD OP_READY, no IIN/CIN, the GlobalPlatform test key set 40..4F (KVN 30), and a
 * random serial so two cards are distinguishable in CPLC and key diversification data. */
static int defaults(card_rec_t *r, cl_error_t *e)
{
    memset(r, 0, sizeof *r);
    r->life_cycle = CARD_LC_OP_READY;
    r->kvn = CARD_DEFAULT_KVN;
    r->key_len = CARD_KEY_LEN;
    for (int i = 0; i < CARD_KEY_LEN; i++) r->enc[i] = r->mac[i] = r->dek[i] = (uint8_t)(0x40 + i);
    if (RAND_bytes(r->serial, CARD_SERIAL_LEN) != 1) {
        cl_seterr(e, "cannot draw a random card serial number");
        return -1;
    }
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

int card_rec_store(img_t *img, const card_rec_t *rec)
{
    uint8_t buf[CARD_REC_USED];
    encode(rec, buf);
    int rc = img_write(img, CARD_REC_OFF, buf, CARD_REC_USED);
    cl_wipe(buf, sizeof buf);
    return rc;
}

int card_rec_load(img_t *img, card_rec_t *out, cl_error_t *e)
{
    if (img_size(img) < CARD_VM_AREA_OFF) {
        cl_seterr(e, "image too small for the card record (%u bytes, need at least %u)", img_size(img),
                  CARD_VM_AREA_OFF);
        return -1;
    }
    const uint8_t *m = img_mem(img) + CARD_REC_OFF;
    if (all_zero(m, CARD_REC_SIZE)) {
        if (defaults(out, e) != 0) return -1;
        if (card_rec_store(img, out) != 0) {
            card_rec_wipe(out);
            cl_seterr(e, "cannot write the initial card record");
            return -1;
        }
        return 0;
    }
    if (decode(m, out, e) != 0) return -1;
    if (!all_zero(m + CARD_REC_USED, CARD_REC_SIZE - CARD_REC_USED)) {
        card_rec_wipe(out);
        cl_seterr(e, "card record is corrupt (reserved bytes are not zero)");
        return -1;
    }
    return 0;
}

void card_rec_wipe(card_rec_t *rec) { cl_wipe(rec, sizeof *rec); }
