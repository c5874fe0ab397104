/* ISD data objects: card recognition data, CPLC, GET DATA, and the pre-issuance personalisation of
 * IIN and CIN through STORE DATA (BER-TLV) or PUT DATA. */
#include "card/card_isd.h"

#include <string.h>

#include "card/card_tlv.h"

#define TAG_IIN 0x42
#define TAG_CIN 0x45
#define TAG_CARD_DATA 0x66
#define TAG_KEY_INFO 0xE0
#define TAG_KDD 0xCF
#define TAG_CPLC 0x9F7F

#define KEY_TYPE_AES 0x88

/* Object identifiers under {iso(1) member-body(2) us(840) globalPlatform(114283)}. */
static const uint8_t oid_card_recognition[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x01 };
static const uint8_t oid_gp_231[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x02, 0x02, 0x03, 0x01 };
static const uint8_t oid_card_id_scheme[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x03 };
static const uint8_t oid_scp03_i00[] = { 0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B, 0x04, 0x03, 0x00 };
/* Card/chip details: Java Card 3 ({1 3 6 1 4 1 42 2 110 1 3}). */
static const uint8_t oid_java_card_3[] = { 0x2B, 0x06, 0x01, 0x04, 0x01, 0x2A, 0x02, 0x6E, 0x01, 0x03 };

static void put_oid(card_tlv_buf_t *b, uint16_t tag, const uint8_t *oid, size_t n)
{
    uint8_t inner[24];
    card_tlv_buf_t t;
    card_tlv_init(&t, inner, sizeof inner);
    card_tlv_put(&t, 0x06, oid, n);
    card_tlv_put(b, tag, inner, t.len);
}

size_t card_isd_recognition_data(uint8_t *out, size_t cap)
{
    uint8_t body[96];
    card_tlv_buf_t b, o;
    card_tlv_init(&b, body, sizeof body);
    card_tlv_put(&b, 0x06, oid_card_recognition, sizeof oid_card_recognition);
    put_oid(&b, 0x60, oid_gp_231, sizeof oid_gp_231);           /* card management type and version */
    put_oid(&b, 0x63, oid_card_id_scheme, sizeof oid_card_id_scheme);
    put_oid(&b, 0x64, oid_scp03_i00, sizeof oid_scp03_i00);     /* secure channel protocol */
    put_oid(&b, 0x66, oid_java_card_3, sizeof oid_java_card_3); /* card/chip details */
    card_tlv_init(&o, out, cap);
    card_tlv_put(&o, 0x73, body, b.len);
    return (b.overflow || o.overflow) ? 0 : o.len;
}

/* CPLC (GP 2.3.1 table H-2), 42 bytes. Fixed values name cardlet ("CL"); the serial comes from the
 * card record so each image has its own. Dates are YDDD (BCD year digit and day of year). */
void card_isd_cplc(const card_rec_t *rec, uint8_t out[42])
{
    memset(out, 0, 42);
    out[0] = 'C'; out[1] = 'L';        /* IC fabricator */
    out[2] = 0x00; out[3] = 0x01;      /* IC type */
    out[4] = 'C'; out[5] = 'L';        /* operating system identifier */
    out[6] = 0x63; out[7] = 0x33;      /* operating system release date */
    out[8] = 0x01; out[9] = 0x00;      /* operating system release level */
    out[10] = 0x63; out[11] = 0x33;    /* IC fabrication date */
    memcpy(out + 12, rec->serial, 4);  /* IC serial number */
    memcpy(out + 16, rec->serial + 4, 2); /* IC batch identifier */
    /* module fabricator .. personaliser equipment: not applicable to a simulated card, zero */
}

static void key_diversification_data(const card_rec_t *rec, uint8_t out[10])
{
    memcpy(out, rec->serial, CARD_SERIAL_LEN);
    out[8] = 'C'; out[9] = 'L';
}

int card_isd_get_data(const card_isd_t *isd, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    if (cmd->nc != 0) return APDU_SW_WRONG_LENGTH;
    const card_rec_t *rec = isd->rec;
    uint16_t tag = (uint16_t)((cmd->p1 << 8) | cmd->p2);
    uint8_t out[160], tmp[128];
    card_tlv_buf_t b;
    card_tlv_init(&b, out, sizeof out);
    switch (tag) {
    case TAG_CPLC: {
        uint8_t cplc[42];
        card_isd_cplc(rec, cplc);
        card_tlv_put(&b, TAG_CPLC, cplc, sizeof cplc);
        break;
    }
    case TAG_CARD_DATA: {
        size_t n = card_isd_recognition_data(tmp, sizeof tmp);
        if (!n) return APDU_SW_UNKNOWN;
        card_tlv_put(&b, TAG_CARD_DATA, tmp, n);
        break;
    }
    case TAG_KEY_INFO: {
        /* One key information data object per key of the static set: id, KVN, type, length. */
        card_tlv_buf_t k;
        card_tlv_init(&k, tmp, sizeof tmp);
        for (uint8_t id = 1; id <= 3; id++) {
            uint8_t info[4] = { id, rec->kvn, KEY_TYPE_AES, rec->key_len };
            card_tlv_put(&k, 0xC0, info, sizeof info);
        }
        card_tlv_put(&b, TAG_KEY_INFO, tmp, k.len);
        break;
    }
    case TAG_IIN:
        if (!rec->iin_len) return APDU_SW_REF_DATA_NOT_FOUND;
        card_tlv_put(&b, TAG_IIN, rec->iin, rec->iin_len);
        break;
    case TAG_CIN:
        if (!rec->cin_len) return APDU_SW_REF_DATA_NOT_FOUND;
        card_tlv_put(&b, TAG_CIN, rec->cin, rec->cin_len);
        break;
    case TAG_KDD: {
        uint8_t kdd[10];
        key_diversification_data(rec, kdd);
        card_tlv_put(&b, TAG_KDD, kdd, sizeof kdd);
        break;
    }
    default:
        return APDU_SW_REF_DATA_NOT_FOUND;
    }
    if (b.overflow || apdu_resp_append(r, out, b.len) != 0) return APDU_SW_UNKNOWN;
    return APDU_SW_OK;
}

/* Personalisation is for a card not yet issued: OP_READY or INITIALIZED (GP 2.3.1 5.1.1). Once the
 * card is SECURED these objects change only through a secure channel (a later issue). */
static bool personalisable(const card_isd_t *isd)
{
    return isd->rec->life_cycle == CARD_LC_OP_READY || isd->rec->life_cycle == CARD_LC_INITIALIZED;
}

/* Applies one identifier to the copy next; returns the SW for a bad object. */
static int set_identifier(card_rec_t *next, uint16_t tag, const uint8_t *val, size_t len)
{
    if (tag != TAG_IIN && tag != TAG_CIN) return APDU_SW_REF_DATA_NOT_FOUND;
    if (len < 1 || len > CARD_ID_MAX) return APDU_SW_WRONG_DATA;
    if (tag == TAG_IIN) {
        memset(next->iin, 0, sizeof next->iin);
        memcpy(next->iin, val, len);
        next->iin_len = (uint8_t)len;
    } else {
        memset(next->cin, 0, sizeof next->cin);
        memcpy(next->cin, val, len);
        next->cin_len = (uint8_t)len;
    }
    return APDU_SW_OK;
}

/* Stores next as the new record: the image first, the live copy only once that succeeded. */
static int commit(card_isd_t *isd, card_rec_t *next)
{
    int sw = APDU_SW_OK;
    if (card_rec_store(isd->img, next) != 0) sw = 0x6581; /* memory failure */
    else *isd->rec = *next;
    card_rec_wipe(next);
    return sw;
}

int card_isd_store_data(card_isd_t *isd, const apdu_cmd_t *cmd)
{
    if (!personalisable(isd)) return APDU_SW_CONDITIONS;
    if (cmd->p1 & 0x60) return APDU_SW_INCORRECT_P1P2;  /* encrypted data needs a secure channel */
    uint8_t structure = cmd->p1 & 0x18;
    if (structure != 0x00 && structure != 0x10) return APDU_SW_INCORRECT_P1P2; /* DGI: not supported */
    if (cmd->nc == 0) return APDU_SW_WRONG_DATA;
    card_rec_t next = *isd->rec;
    size_t off = 0;
    card_tlv_t t;
    int rc, sw = APDU_SW_OK;
    while ((rc = card_tlv_next(cmd->data, cmd->nc, &off, &t)) == 1) {
        sw = set_identifier(&next, t.tag, t.val, t.len);
        if (sw != APDU_SW_OK) break;
    }
    if (rc < 0) sw = APDU_SW_WRONG_DATA;
    if (sw != APDU_SW_OK) { card_rec_wipe(&next); return sw; }
    return commit(isd, &next);
}

int card_isd_put_data(card_isd_t *isd, const apdu_cmd_t *cmd)
{
    uint16_t tag = (uint16_t)((cmd->p1 << 8) | cmd->p2);
    if (tag != TAG_IIN && tag != TAG_CIN) return APDU_SW_REF_DATA_NOT_FOUND;
    if (!personalisable(isd)) return APDU_SW_CONDITIONS;
    card_rec_t next = *isd->rec;
    int sw = set_identifier(&next, tag, cmd->data, cmd->nc);
    if (sw != APDU_SW_OK) { card_rec_wipe(&next); return sw; }
    return commit(isd, &next);
}
