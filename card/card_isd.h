/* card_isd: the Issuer Security Domain, the GlobalPlatform card manager (GP Card Specification 2.3.1).
 * Registered in the apdu registry as the default-selected, multiselectable application with AID
 * A000000151000000. Now: SELECT (FCI), GET DATA, GET STATUS, STORE DATA / PUT DATA of IIN and CIN
 * before issuance. Secure channels (SCP03 with the static keys kept in the card record), LOAD,
 * INSTALL and DELETE come in later issues. See docs/card-manager.md. */
#ifndef CARD_ISD_H
#define CARD_ISD_H

#include "apdu/apdu_reg.h"
#include "card/card_record.h"
#include "image/img.h"

#define CARD_ISD_AID_LEN 8
extern const uint8_t card_isd_aid[CARD_ISD_AID_LEN];

typedef struct card_isd card_isd_t;

/* GET STATUS paging state of one channel (a command with P2 "next occurrence" continues it). */
struct card_isd_page {
    bool active;
    uint8_t p1;
    bool tagged;
    size_t next;                 /* registry index to continue from */
    uint8_t filter[APDU_AID_MAX];
    uint8_t filter_len;
};

struct card_isd {
    img_t *img;
    card_rec_t *rec;             /* owned by the card; updates go through card_rec_store */
    apdu_reg_t *reg;
    struct card_isd_page page[APDU_CHANNELS];
};

/* Creates the ISD and registers it in reg. Returns NULL with e set. */
card_isd_t *card_isd_new(img_t *img, card_rec_t *rec, apdu_reg_t *reg, cl_error_t *e);
void card_isd_free(card_isd_t *isd);

/* Command handlers (card_isd_data.c, card_isd_status.c); each returns the status word. */
int card_isd_fci(const card_isd_t *isd, apdu_resp_t *r);
int card_isd_get_data(const card_isd_t *isd, const apdu_cmd_t *cmd, apdu_resp_t *r);
int card_isd_store_data(card_isd_t *isd, const apdu_cmd_t *cmd);
int card_isd_put_data(card_isd_t *isd, const apdu_cmd_t *cmd);
int card_isd_get_status(card_isd_t *isd, const apdu_cmd_t *cmd, apdu_resp_t *r);

/* Building blocks shared by SELECT and GET DATA. */
size_t card_isd_recognition_data(uint8_t *out, size_t cap); /* the 73 {...} template */
void card_isd_cplc(const card_rec_t *rec, uint8_t out[42]);

#endif
