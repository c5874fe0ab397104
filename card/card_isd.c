/* The ISD as an application of the registry: selection and command dispatch. */
#include "card/card_isd.h"

#include <stdlib.h>
#include <string.h>

#include "card/card_tlv.h"

const uint8_t card_isd_aid[CARD_ISD_AID_LEN] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };

#define INS_SELECT 0xA4
#define INS_GET_DATA 0xCA
#define INS_GET_STATUS 0xF2
#define INS_STORE_DATA 0xE2
#define INS_PUT_DATA 0xDA

static bool isd_select(void *ctx, uint8_t channel)
{
    card_isd_t *isd = ctx;
    isd->page[channel].active = false;
    return true;
}

static void isd_deselect(void *ctx, uint8_t channel)
{
    card_isd_t *isd = ctx;
    isd->page[channel].active = false;
}

/* ISD FCI (GP 2.3.1 11.1.3): 6F { 84 AID, A5 { 73 recognition data, 9F6E production life cycle
 * data, 9F65 maximum length of a command data field } }. */
int card_isd_fci(const card_isd_t *isd, apdu_resp_t *r)
{
    uint8_t rec[128], prop[192], fci[256];
    size_t rn = card_isd_recognition_data(rec, sizeof rec);
    uint8_t cplc[42];
    card_isd_cplc(isd->rec, cplc);
    card_tlv_buf_t p, f;
    card_tlv_init(&p, prop, sizeof prop);
    card_tlv_raw(&p, rec, rn);
    card_tlv_put(&p, 0x9F6E, cplc, 6);   /* IC fabricator, IC type, OS identifier */
    card_tlv_put_byte(&p, 0x9F65, 0xFF); /* 255-byte command data fields (short APDUs) */
    card_tlv_init(&f, fci, sizeof fci);
    card_tlv_put(&f, 0x84, card_isd_aid, CARD_ISD_AID_LEN);
    card_tlv_put(&f, 0xA5, prop, p.len);
    uint8_t outer[256 + 4];
    card_tlv_buf_t o;
    card_tlv_init(&o, outer, sizeof outer);
    card_tlv_put(&o, 0x6F, fci, f.len);
    if (p.overflow || f.overflow || o.overflow) return APDU_SW_UNKNOWN;
    if (apdu_resp_append(r, outer, o.len) != 0) return APDU_SW_UNKNOWN;
    return APDU_SW_OK;
}

static int isd_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    card_isd_t *isd = ctx;
    const struct apdu_cla *cla = &cmd->cla_info;
    if (cla->chaining) return APDU_SW_CHAINING_NOT_SUPPORTED;
    /* Secure messaging (CLA 84 etc.) needs a secure channel, which comes with SCP03 later. */
    if (cla->sm) return APDU_SW_SECURITY_STATUS;
    bool gp_class = cla->kind == APDU_CLA_PROPRIETARY;

    /* A GET STATUS page sequence ends at any other command. */
    if (cmd->ins != INS_GET_STATUS) isd->page[cla->channel].active = false;

    switch (cmd->ins) {
    case INS_SELECT:
        if (!cmd->selecting) return APDU_SW_NOT_FOUND; /* a SELECT that matched nothing */
        if ((cmd->p2 & 0x0C) == 0x0C) return APDU_SW_OK; /* P2 0C: no response data */
        return card_isd_fci(isd, r);
    case INS_GET_DATA:
        return card_isd_get_data(isd, cmd, r);
    case INS_GET_STATUS:
        if (!gp_class) return APDU_SW_CLA_NOT_SUPPORTED;
        return card_isd_get_status(isd, cmd, r);
    case INS_STORE_DATA:
        if (!gp_class) return APDU_SW_CLA_NOT_SUPPORTED;
        return card_isd_store_data(isd, cmd);
    case INS_PUT_DATA:
        return card_isd_put_data(isd, cmd);
    default:
        return APDU_SW_INS_NOT_SUPPORTED;
    }
}

static const apdu_app_ops_t isd_ops = { isd_select, isd_deselect, isd_process };

card_isd_t *card_isd_new(img_t *img, card_rec_t *rec, apdu_reg_t *reg, cl_error_t *e)
{
    card_isd_t *isd = calloc(1, sizeof *isd);
    if (!isd) { cl_seterr(e, "out of memory"); return NULL; }
    isd->img = img;
    isd->rec = rec;
    isd->reg = reg;
    if (apdu_reg_add(reg, card_isd_aid, CARD_ISD_AID_LEN, &isd_ops, isd,
                     APDU_APP_DEFAULT_SELECTED | APDU_APP_MULTISELECTABLE, e) != 0) {
        free(isd);
        return NULL;
    }
    return isd;
}

void card_isd_free(card_isd_t *isd) { free(isd); }
