/* img_group: grouped atomic steps (the JCSystem transaction underneath).
 *
 * Writes apply to memory at once; their old bytes go to an undo buffer; the commit appends ONE
 * record holding the current bytes of every range the group wrote. Nothing of an open group is in
 * the log, so a crash before the commit record is complete recovers the state before the group.
 */
#include "image/img_internal.h"

#include <string.h>

int img_group_begin(img_t *img)
{
    if (!img || img->group_open || img->broken) return -1;
    img->group_open = true;
    img->group_saw_write = false;
    img->n_entries = 0;
    img->undo_used = 0;
    return 0;
}

bool img_group_open(const img_t *img) { return img && img->group_open; }
uint32_t img_group_capacity(const img_t *img) { return img ? IMG_GROUP_CAPACITY : 0; }

uint32_t img_group_used(const img_t *img)
{
    return img && img->group_open ? img->undo_used + img->n_entries * IMG_GROUP_ENTRY_COST : 0;
}

int img_group_write(img_t *img, uint32_t off, const void *src, uint32_t len)
{
    if (!img || !img->group_open || (len && !src)) return -1;
    if ((uint64_t)off + len > img->size) return -1;
    if (len == 0) return 0;
    /* A write inside a range the group already saved needs no new entry: the saved old bytes are
     * already the ones an abort must restore, and the commit takes the range's current bytes.
     * This keeps a loop that updates one field from eating the capacity. */
    for (uint32_t i = img->n_entries; i-- > 0;) {
        const struct img_group_entry *g = &img->entries[i];
        if (off >= g->off && (uint64_t)off + len <= (uint64_t)g->off + g->len) {
            memmove(img->mem + off, src, len);
            return 0;
        }
    }
    if ((uint64_t)img_group_used(img) + len + IMG_GROUP_ENTRY_COST > IMG_GROUP_CAPACITY) return -1;
    struct img_group_entry *g = &img->entries[img->n_entries++];
    g->off = off;
    g->len = len;
    g->undo_at = img->undo_used;
    memcpy(img->undo + img->undo_used, img->mem + off, len);
    img->undo_used += len;
    memmove(img->mem + off, src, len);
    return 0;
}

/* Appends one record holding the current bytes of every group range. */
static int log_group_ranges(img_t *img)
{
    uint8_t *p = img->scratch + IMG_REC_HEAD;
    for (uint32_t i = 0; i < img->n_entries; i++) {
        const struct img_group_entry *g = &img->entries[i];
        cl_put32(p, g->off);
        cl_put32(p + 4, g->len);
        memcpy(p + IMG_REC_ENTRY_HEAD, img->mem + g->off, g->len);
        p += IMG_REC_ENTRY_HEAD + g->len;
    }
    uint32_t body = (uint32_t)(p - img->scratch);
    img_rec_head_encode(img->scratch, body + IMG_REC_TAIL, img->next_seq, img->n_entries);
    struct iovec iov[2] = { { img->scratch, body } };
    if (img_append_record(img, iov, 1, body + IMG_REC_TAIL) != 0) return -1;
    for (uint32_t i = 0; i < img->n_entries; i++) img_mark_dirty(img, img->entries[i].off, img->entries[i].len);
    return 0;
}

static void group_end(img_t *img)
{
    cl_wipe(img->undo, img->undo_used); /* old bytes may be key material */
    img->undo_used = 0;
    img->n_entries = 0;
    img->group_open = false;
}

int img_group_commit(img_t *img)
{
    if (!img || !img->group_open) return -1;
    if (img->n_entries == 0) { group_end(img); return 0; }
    if (img->broken || log_group_ranges(img) != 0) {
        /* Not in the log, so not durable: memory must go back to match the disk. */
        img_group_abort(img);
        return -1;
    }
    group_end(img);
    img_maybe_checkpoint(img);
    return 0;
}

void img_group_abort(img_t *img)
{
    if (!img || !img->group_open) return;
    for (uint32_t i = img->n_entries; i-- > 0;) {
        const struct img_group_entry *g = &img->entries[i];
        memcpy(img->mem + g->off, img->undo + g->undo_at, g->len);
    }
    /* An img_write during the group went to the log at once. If it touched bytes the group also
     * wrote, memory now has the group's saved old bytes there while the log has the img_write's:
     * one more record with the restored ranges makes disk and memory agree again. */
    if (img->group_saw_write && img->n_entries > 0 && !img->broken) {
        if (log_group_ranges(img) != 0) img->broken = true;
    }
    group_end(img);
    img_maybe_checkpoint(img);
}
