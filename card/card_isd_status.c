/* GET STATUS (GP 2.3.1 11.4): the card's registry as the ISD reports it.
 *   P1 80 the ISD; 40 applications and security domains (every other registered application);
 *   20 executable load files; 10 load files and their modules (none until the VM loads packages:
 *   90 00 with no data, because GPShell aborts on 6A 88 there).
 *   P2 b2: 1 tagged (E3 {4F AID, 9F70 life cycle, C5 privileges(3), applications: CC ISD AID}), 0 the old format
 *   (AID length, AID, life cycle, privileges(1)); P2 b1: 0 first page, 1 next page.
 *   Data: 4F [AID prefix] as the search criterion (empty = everything).
 * Entries are written while they fit in the response limit (256 for short APDUs); if some remain,
 * the answer is 63 10 and the next GET STATUS with P2 b1 set continues on that channel. A page that
 * exceeds Le (answered 6C XX) leaves the sequence where it was, for the repeat with Le XX. */
#include "card/card_isd.h"

#include <string.h>

#include "card/card_tlv.h"

#define P1_ISD 0x80
#define P1_APPS 0x40
#define P1_LOAD_FILES 0x20
#define P1_LOAD_FILES_MODULES 0x10
#define P2_NEXT 0x01
#define P2_TAGGED 0x02
#define LC_SELECTABLE 0x07

/* GP privileges, first byte: security domain 80, card lock 10, card terminate 08, card reset
 * (default selected) 04, CVM management 02. The ISD holds all its role allows. */
static const uint8_t isd_privileges[3] = { 0x9E, 0xFE, 0x80 };

struct entry {
    const uint8_t *aid;
    uint8_t aid_len;
    uint8_t life_cycle;
    uint8_t priv[3];
    bool has_sd;              /* applications name their associated security domain (CC) */
};

static bool prefix_match(const struct entry *en, const struct card_isd_page *pg)
{
    return pg->filter_len <= en->aid_len && memcmp(en->aid, pg->filter, pg->filter_len) == 0;
}

/* The index-th candidate for P1 (ISD: index 0 only; applications: registry order, ISD skipped). */
static bool entry_at(const card_isd_t *isd, uint8_t p1, size_t index, struct entry *out)
{
    if (p1 == P1_ISD) {
        if (index != 0) return false;
        out->aid = card_isd_aid;
        out->aid_len = CARD_ISD_AID_LEN;
        out->life_cycle = isd->rec->life_cycle;
        memcpy(out->priv, isd_privileges, 3);
        out->has_sd = false;
        return true;
    }
    if (p1 != P1_APPS) return false; /* no load files before the VM */
    apdu_app_info_t info;
    if (!apdu_reg_get(isd->reg, index, &info)) return false;
    out->aid = info.aid;
    out->aid_len = info.aid_len;
    out->life_cycle = LC_SELECTABLE;
    memset(out->priv, 0, 3);
    if (info.ctx == isd) out->aid_len = 0; /* the ISD itself is reported under P1 80 only */
    if (info.flags & APDU_APP_DEFAULT_SELECTED) out->priv[0] |= 0x04;
    out->has_sd = true;
    return true;
}

static size_t encode(const struct entry *en, bool tagged, uint8_t *out, size_t cap)
{
    card_tlv_buf_t b;
    card_tlv_init(&b, out, cap);
    if (tagged) {
        uint8_t inner[64];
        card_tlv_buf_t i;
        card_tlv_init(&i, inner, sizeof inner);
        card_tlv_put(&i, 0x4F, en->aid, en->aid_len);
        card_tlv_put_byte(&i, 0x9F70, en->life_cycle);
        card_tlv_put(&i, 0xC5, en->priv, 3);
        if (en->has_sd) card_tlv_put(&i, 0xCC, card_isd_aid, CARD_ISD_AID_LEN);
        card_tlv_put(&b, 0xE3, inner, i.len);
    } else {
        card_tlv_raw(&b, &en->aid_len, 1);
        card_tlv_raw(&b, en->aid, en->aid_len);
        card_tlv_raw(&b, &en->life_cycle, 1);
        card_tlv_raw(&b, &en->priv[0], 1);
    }
    return b.overflow ? 0 : b.len;
}

/* Appends the entries of one page from pg->next on, as many as fit in limit (the first always goes in);
 * advances pg->next past what was written. Returns 63 10 when entries remain, else 90 00. */
static int fill_page(const card_isd_t *isd, struct card_isd_page *pg, uint8_t p1, bool tagged, uint32_t limit,
                     apdu_resp_t *r, size_t *written)
{
    size_t found = 0;
    struct entry en;
    for (size_t i = pg->next; entry_at(isd, p1, i, &en); i++) {
        if (!en.aid_len || !prefix_match(&en, pg)) { pg->next = i + 1; continue; }
        uint8_t one[80];
        size_t n = encode(&en, tagged, one, sizeof one);
        if (!n) return APDU_SW_UNKNOWN;
        /* The first entry always goes in (a tiny Le then gets 6C from the router, not a loop). */
        if (found > 0 && *written + n > limit) return APDU_SW_MORE_DATA; /* pg->next stays at i */
        if (apdu_resp_append(r, one, n) != 0) return APDU_SW_UNKNOWN;
        *written += n;
        found++;
        pg->next = i + 1;
    }
    pg->active = false;
    return APDU_SW_OK;
}

int card_isd_get_status(card_isd_t *isd, const apdu_cmd_t *cmd, apdu_resp_t *r)
{
    uint8_t ch = cmd->cla_info.channel;
    struct card_isd_page *pg = &isd->page[ch];
    uint8_t p1 = cmd->p1;
    if (p1 != P1_ISD && p1 != P1_APPS && p1 != P1_LOAD_FILES && p1 != P1_LOAD_FILES_MODULES)
        return APDU_SW_INCORRECT_P1P2;
    if (cmd->p2 & ~(P2_NEXT | P2_TAGGED)) return APDU_SW_INCORRECT_P1P2;
    bool tagged = (cmd->p2 & P2_TAGGED) != 0;

    /* Search criteria: 4F with an AID prefix; other criteria tags are allowed and ignored. */
    card_tlv_t aid;
    if (cmd->nc == 0 || card_tlv_find(cmd->data, cmd->nc, 0x4F, &aid) != 1) return APDU_SW_WRONG_DATA;
    if (aid.len > APDU_AID_MAX) return APDU_SW_WRONG_DATA;

    if (cmd->p2 & P2_NEXT) {
        if (!pg->active || pg->p1 != p1 || pg->tagged != tagged) return APDU_SW_CONDITIONS;
    } else {
        pg->active = true;
        pg->p1 = p1;
        pg->tagged = tagged;
        pg->next = 0;
        pg->filter_len = (uint8_t)aid.len;
        if (aid.len) memcpy(pg->filter, aid.val, aid.len);
    }

    uint32_t limit = apdu_resp_limit(cmd);
    size_t start = pg->next, written = 0;
    int sw = fill_page(isd, pg, p1, tagged, limit, r, &written);
    /* A page longer than Le leaves the card as 6C XX (the router drops the data): the terminal repeats
     * the same command with Le XX, so that page must start again from the same entry. */
    if (written > limit) {
        pg->next = start;
        pg->active = true;
    }
    if (sw == APDU_SW_OK && written == 0 && p1 == P1_ISD && !(cmd->p2 & P2_NEXT)) return APDU_SW_REF_DATA_NOT_FOUND;
    return sw;
}
