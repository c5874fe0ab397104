/* vm_heap: handles, bump allocation and stores of the persistent heap (layout in vm_heap.h). */
#include "vm/vm_heap.h"
#include "image/img_format.h" /* img_crc: the CRC-32 the image already uses, for the control element */

#include <stdlib.h>
#include <string.h>

struct vm_heap {
    img_t *img;
    uint32_t base, size;   /* the VM area inside the image */
    uint16_t nhandles;
    uint32_t objects;      /* start of the object area, relative to base */
    uint16_t cursor;       /* next handle to try: RAM only, so handles freed by an abort are not reused at once */
    uint8_t **ram;         /* transient data per handle */
    uint32_t tbytes;       /* transient data of live objects (valid unless tdirty) */
    bool tdirty;           /* recount: set after anything that may have removed transient objects */
    uint32_t *ram_obj;     /* object offset the RAM buffer belongs to (a reused handle gets a fresh one) */
    /* JCRE 7.6.3 (vm_heap_is_void): one bit per handle each. */
    uint8_t *voids;        /* made by a group that aborted: never allocated until forgotten */
    uint8_t *pending;      /* allocated inside a group not yet seen to end (also in pend_list) */
    uint16_t *pend_list;   /* the pending handles (each at most once, so nhandles entries suffice) */
    uint32_t npend, nvoid;
    /* Highest bump pointer an allocation inside a caller's group reached. Objects of that group may
     * have had non-atomic stores (img_write, not undone by an abort: Util.arrayFillNonAtomic, crypto
     * output), so once its abort brings the bump back, [bump, hiwater) may hold their data and is
     * zeroed (zero_aborted_tail) before anything is allocated there again. */
    uint32_t hiwater;
};

static const uint8_t *area(const vm_heap_t *h) { return img_mem(h->img) + h->base; }
static uint32_t bump(const vm_heap_t *h) { return cl_get32(area(h) + 12); }

static uint32_t handle_entry(const vm_heap_t *h, uint16_t handle) { return cl_get32(area(h) + VM_HEAP_HDR + 4u * handle); }

static bool bit_of(const uint8_t *m, uint16_t i) { return m[i >> 3] & (1u << (i & 7)); }
static void bit_set(uint8_t *m, uint16_t i) { m[i >> 3] |= (uint8_t)(1u << (i & 7)); }
static void bit_clear(uint8_t *m, uint16_t i) { m[i >> 3] &= (uint8_t)~(1u << (i & 7)); }

/* A handle allocated inside a group gets a table entry inside that group. Only the group's abort
 * can set the entry back to 0 (objects are freed by vm_heap_compact, which settles first, with no
 * group open), so "pending and entry 0" means "its group aborted", whichever group is open now. */
bool vm_heap_is_void(const vm_heap_t *h, uint16_t handle)
{
    if (handle >= h->nhandles) return false;
    uint8_t m = (uint8_t)(1u << (handle & 7));
    if (h->voids[handle >> 3] & m) return true;
    return (h->pending[handle >> 3] & m) && handle_entry(h, handle) == 0;
}

/* Pending handles whose group aborted become void; with no group open, the others committed
 * and are ordinary objects from now on (the list forgets them). */
static void settle_pending(vm_heap_t *h)
{
    bool open = img_group_open(h->img);
    uint32_t keep = 0;
    for (uint32_t i = 0; i < h->npend; i++) {
        uint16_t hd = h->pend_list[i];
        if (handle_entry(h, hd) == 0) {
            bit_clear(h->pending, hd);
            bit_set(h->voids, hd);
            h->nvoid++;
            free(h->ram[hd]); /* a rolled-back transient array's data */
            h->ram[hd] = NULL;
        } else if (!open) {
            bit_clear(h->pending, hd);
        } else {
            h->pend_list[keep++] = hd;
        }
    }
    h->npend = keep;
}

uint32_t vm_heap_void_count(vm_heap_t *h)
{
    settle_pending(h);
    return h->nvoid;
}

void vm_heap_void_forget(vm_heap_t *h, const uint8_t *keep)
{
    settle_pending(h);
    for (uint32_t i = 1; i < h->nhandles && h->nvoid; i++) {
        uint16_t hd = (uint16_t)i;
        if (bit_of(h->voids, hd) && (!keep || !bit_of(keep, hd))) {
            bit_clear(h->voids, hd);
            h->nvoid--;
        }
    }
}

/* CRC-32 of n bytes (zlib's crc32 answers 0 for a NULL buffer: never pass one). */
static uint32_t crc_of(uint32_t crc, const uint8_t *p, uint32_t n) { return n ? img_crc(crc, p, n) : crc; }

static uint32_t crc_of_zeros(uint32_t n)
{
    static const uint8_t zero[256];
    uint32_t crc = 0;
    while (n) {
        uint32_t k = n < sizeof zero ? n : (uint32_t)sizeof zero;
        crc = img_crc(crc, zero, k);
        n -= k;
    }
    return crc;
}

/* Bytes of block b of an array of len data bytes: VM_INTEGRITY_BLOCK, less for the last block,
 * 0 for an empty array's one block. Block b starts at b * VM_INTEGRITY_BLOCK. */
static uint32_t block_len(uint32_t b, uint32_t len)
{
    uint32_t start = b * VM_INTEGRITY_BLOCK;
    if (start >= len) return 0;
    return len - start < VM_INTEGRITY_BLOCK ? len - start : VM_INTEGRITY_BLOCK;
}

/* The control element of an integrity-sensitive array of data_bytes: one CRC-32 per block of
 * VM_INTEGRITY_BLOCK bytes (at least one, so an empty array has one too), so that a store checks
 * and rewrites only the blocks it touches: its cost does not grow with the array. */
static uint64_t ctl_bytes(uint64_t data_bytes)
{
    uint64_t blocks = (data_bytes + VM_INTEGRITY_BLOCK - 1) / VM_INTEGRITY_BLOCK;
    return VM_INTEGRITY_LEN * (blocks ? blocks : 1);
}

/* The control element of all-zero data (creation, power-up, deselect). */
static void ctl_of_zeros(uint8_t *ctl, uint32_t data_len)
{
    uint32_t full = crc_of_zeros(VM_INTEGRITY_BLOCK), nb = (uint32_t)(ctl_bytes(data_len) / VM_INTEGRITY_LEN);
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t n = block_len(b, data_len);
        cl_put32(ctl + VM_INTEGRITY_LEN * b, n == VM_INTEGRITY_BLOCK ? full : crc_of_zeros(n));
    }
}

/* Bytes an object takes in the image: header, data unless transient, the control element of a
 * persistent integrity-sensitive array; rounded to 2 so every object (and its cells) is aligned. */
static uint64_t image_bytes(uint8_t flags, uint64_t data_bytes)
{
    uint64_t n = VM_OBJ_HDR;
    if (!(flags & VM_OF_TRANSIENT)) n += data_bytes + ((flags & VM_OF_INTEGRITY) ? ctl_bytes(data_bytes) : 0);
    return (n + 1) & ~1ull;
}

/* One persistent store: joins the open group, or is its own atomic step. */
static int pstore(vm_heap_t *h, uint32_t rel, const void *src, uint32_t n, bool atomic)
{
    int r = (atomic && img_group_open(h->img)) ? img_group_write(h->img, h->base + rel, src, n)
                                                : img_write(h->img, h->base + rel, src, n);
    if (r == 0) return VM_OK;
    return img_group_open(h->img) && atomic ? VM_ERR_TXFULL : VM_ERR_IO;
}

/* Zeroes [from, to) of the area (free space, so each img_write stands alone and a crash between
 * them leaves nothing reachable), writing only the chunks that are not zero already. */
static int zero_range(vm_heap_t *h, uint32_t from, uint32_t to)
{
    static const uint8_t zero[4096];
    const uint8_t *a = area(h);
    while (to > from && a[to - 1] == 0) to--;
    for (uint32_t off = from; off < to;) {
        uint32_t n = to - off > sizeof zero ? (uint32_t)sizeof zero : to - off;
        if (memcmp(a + off, zero, n) && img_write(h->img, h->base + off, zero, n)) return VM_ERR_IO;
        off += n;
    }
    return VM_OK;
}

/* Inside one group the bump pointer only grows, and outside groups only vm_heap_compact lowers it
 * (resetting hiwater): so a bump below hiwater means the group that reached hiwater aborted, and
 * [bump, hiwater) may hold its objects' non-atomic stores. Only that range, not the whole free
 * area: an abort costs what the aborted group allocated. A crash before this runs is covered by
 * vm_heap_open, which scrubs the whole free area. */
static int zero_aborted_tail(vm_heap_t *h)
{
    uint32_t top = bump(h);
    if (h->hiwater <= top) return VM_OK;
    if (zero_range(h, top, h->hiwater > h->size ? h->size : h->hiwater)) return VM_ERR_IO; /* retried next time */
    h->hiwater = 0;
    return VM_OK;
}

int vm_heap_open(img_t *img, uint32_t base, bool format, vm_heap_t **out, cl_error_t *e)
{
    *out = NULL;
    uint32_t isz = img_size(img);
    if (base >= isz || isz - base < 64 * 1024) {
        cl_seterr(e, "vm heap: area at %u too small in an image of %u bytes", base, isz);
        return -1;
    }
    uint32_t size = isz - base;
    const uint8_t *a = img_mem(img) + base;
    uint8_t hdr[VM_HEAP_HDR];
    static const uint8_t zero[VM_HEAP_HDR];
    if (!memcmp(a, zero, sizeof zero)) {
        if (!format) { cl_seterr(e, "vm heap: area not formatted"); return -1; }
        uint32_t nh = size / 64;
        if (nh > 0xFFFF) nh = 0xFFFF;
        memset(hdr, 0, sizeof hdr);
        memcpy(hdr, VM_HEAP_MAGIC, 4);
        cl_put16(hdr + 4, VM_HEAP_VERSION);
        cl_put16(hdr + 6, (uint16_t)nh);
        cl_put32(hdr + 8, size);
        cl_put32(hdr + 12, VM_HEAP_HDR + nh * 4);
        if (img_write(img, base, hdr, sizeof hdr) != 0) { cl_seterr(e, "vm heap: cannot format"); return -1; }
    }
    if (memcmp(a, VM_HEAP_MAGIC, 4)) { cl_seterr(e, "vm heap: bad magic"); return -1; }
    if (cl_get16(a + 4) != VM_HEAP_VERSION) {
        cl_seterr(e, "vm heap: version %u not supported (this cardlet reads %u; make the image again with this cardlet)",
                  cl_get16(a + 4), VM_HEAP_VERSION);
        return -1;
    }
    uint32_t nh = cl_get16(a + 6);
    uint32_t objects = VM_HEAP_HDR + nh * 4;
    if (nh < 16 || cl_get32(a + 8) != size || cl_get32(a + 12) < objects || cl_get32(a + 12) > size) {
        cl_seterr(e, "vm heap: header does not match the image (size %u, bump %u)", cl_get32(a + 8), cl_get32(a + 12));
        return -1;
    }
    vm_heap_t *h = calloc(1, sizeof *h);
    if (!h) { cl_seterr(e, "out of memory"); return -1; }
    h->img = img; h->base = base; h->size = size; h->nhandles = (uint16_t)nh; h->objects = objects; h->cursor = 1;
    h->tdirty = true;
    /* A crash during an install may have left bytes beyond the bump pointer: allocation relies on zeros. */
    if (vm_heap_scrub(h)) { free(h); cl_seterr(e, "vm heap: cannot clean the free area"); return -1; }
    h->ram = calloc(nh, sizeof *h->ram);
    h->ram_obj = calloc(nh, sizeof *h->ram_obj);
    h->voids = calloc(nh / 8 + 1, 1);
    h->pending = calloc(nh / 8 + 1, 1);
    h->pend_list = calloc(nh, sizeof *h->pend_list);
    if (!h->ram || !h->ram_obj || !h->voids || !h->pending || !h->pend_list) {
        vm_heap_close(h);
        cl_seterr(e, "out of memory");
        return -1;
    }
    *out = h;
    return 0;
}

void vm_heap_close(vm_heap_t *h)
{
    if (!h) return;
    if (h->ram)
        for (uint32_t i = 0; i < h->nhandles; i++) free(h->ram[i]);
    free(h->ram);
    free(h->ram_obj);
    free(h->voids);
    free(h->pending);
    free(h->pend_list);
    free(h);
}

bool vm_heap_get(const vm_heap_t *h, uint16_t handle, vm_obj_t *o)
{
    if (handle == 0 || handle >= h->nhandles) return false;
    const uint8_t *a = area(h); /* once: on every object access (img_mem is in another file) */
    uint32_t off = cl_get32(a + VM_HEAP_HDR + 4u * handle), top = cl_get32(a + 12);
    if (off < h->objects || top > h->size || off > top || top - off < VM_OBJ_HDR) return false;
    const uint8_t *p = a + off;
    o->handle = handle;
    o->kind = p[0]; o->flags = p[1]; o->owner = p[2]; o->etype = p[3];
    o->cls = cl_get16(p + 4);
    o->len = cl_get32(p + 6);
    uint64_t bytes;
    switch (o->kind) {
    case VM_KIND_INSTANCE: bytes = 2ull * o->len; break;
    case VM_KIND_ARRAY:
        if (!vm_heap_elem_size(o->etype)) return false;
        bytes = (uint64_t)vm_heap_elem_size(o->etype) * o->len;
        break;
    case VM_KIND_BLOB: bytes = o->len; break;
    default: return false;
    }
    /* Transient data lives in RAM: only the header is in the image. A persistent integrity-sensitive
     * array's control element follows its data. */
    if (!(o->flags & VM_OF_TRANSIENT) &&
        bytes + ((o->flags & VM_OF_INTEGRITY) ? ctl_bytes(bytes) : 0) > top - off - VM_OBJ_HDR)
        return false;
    o->data_off = h->base + off + VM_OBJ_HDR;
    o->data_len = (uint32_t)bytes;
    return true;
}

/* Zero data (as at creation, power-up or deselect) and, for an integrity-sensitive array, the
 * control element that matches it. */
static void ram_zero(uint8_t *r, const vm_obj_t *o)
{
    memset(r, 0, o->data_len);
    if (o->flags & VM_OF_INTEGRITY) ctl_of_zeros(r + o->data_len, o->data_len);
}

static uint8_t *ram_of(vm_heap_t *h, const vm_obj_t *o)
{
    uint32_t off = o->data_off - h->base;
    if (h->ram[o->handle] && h->ram_obj[o->handle] != off) { free(h->ram[o->handle]); h->ram[o->handle] = NULL; }
    if (!h->ram[o->handle]) {
        /* room for a control element (of an integrity-sensitive array), and never 0 bytes */
        uint8_t *r = malloc(o->data_len + ((o->flags & VM_OF_INTEGRITY) ? ctl_bytes(o->data_len) : 1));
        if (!r) return NULL;
        ram_zero(r, o);
        h->ram[o->handle] = r;
        h->ram_obj[o->handle] = off;
    }
    return h->ram[o->handle];
}

uint8_t *vm_heap_ram_data(vm_heap_t *h, const vm_obj_t *o)
{
    return (o->flags & VM_OF_TRANSIENT) && !(o->flags & VM_OF_INTEGRITY) ? ram_of(h, o) : NULL;
}

const uint8_t *vm_heap_data(vm_heap_t *h, const vm_obj_t *o)
{
    if (o->flags & VM_OF_TRANSIENT) return ram_of(h, o);
    return img_mem(h->img) + o->data_off;
}

/* True when the blocks b0..b1 of d (data_len bytes, control element right after) match it. */
static bool blocks_ok(const uint8_t *d, uint32_t len, uint32_t b0, uint32_t b1)
{
    for (uint32_t b = b0; b <= b1; b++)
        if (cl_get32(d + len + VM_INTEGRITY_LEN * b) != crc_of(0, d + b * VM_INTEGRITY_BLOCK, block_len(b, len))) return false;
    return true;
}

bool vm_heap_integrity_ok(vm_heap_t *h, const vm_obj_t *o)
{
    if (!(o->flags & VM_OF_INTEGRITY)) return true;
    const uint8_t *d = vm_heap_data(h, o);
    return d && blocks_ok(d, o->data_len, 0, (uint32_t)(ctl_bytes(o->data_len) / VM_INTEGRITY_LEN) - 1);
}

/* A store into an integrity-sensitive array: the blocks [pos, pos+n) touches are checked first
 * (check: every update but clearArray), their new CRCs computed over the data as it will be, then
 * data and those CRCs change in one atomic step: in RAM in place; inside an open group two group
 * writes, the data's undone if the CRCs do not fit; otherwise an own group of the two, or, when
 * the data alone exceeds a group, one img_write from pos to the last touched CRC. src NULL: zeros.
 * src may lie inside this array: it is copied before anything changes. */
static int write_sensitive(vm_heap_t *h, const vm_obj_t *o, uint32_t pos, const void *src, uint32_t n, bool check)
{
    const uint8_t *d = vm_heap_data(h, o);
    if (!d) return VM_ERR_NOMEM;
    uint32_t len = o->data_len, cl = (uint32_t)ctl_bytes(len);
    uint32_t b0 = pos / VM_INTEGRITY_BLOCK, b1 = n ? (pos + n - 1) / VM_INTEGRITY_BLOCK : b0;
    if (b1 >= cl / VM_INTEGRITY_LEN) b1 = cl / VM_INTEGRITY_LEN - 1; /* an empty array's one block */
    if (b0 > b1) b0 = b1;
    if (check && !blocks_ok(d, len, b0, b1)) return VM_ERR_INTEGRITY;
    /* buf: the new data [pos, pos+n), the old data [pos, pos+n) (to undo), the new CRCs b0..b1 */
    uint32_t nc = VM_INTEGRITY_LEN * (b1 - b0 + 1);
    size_t bsz = 2 * (size_t)n + nc;
    uint8_t small[64]; /* element stores (the common case) need no allocation */
    uint8_t *buf = bsz <= sizeof small ? small : malloc(bsz);
    if (!buf) return VM_ERR_NOMEM;
    uint8_t *nd = buf, *old = buf + n, *crcs = buf + 2 * (size_t)n;
    if (src) memcpy(nd, src, n);
    else memset(nd, 0, n);
    memcpy(old, d + pos, n);
    for (uint32_t b = b0; b <= b1; b++) {
        uint32_t start = b * VM_INTEGRITY_BLOCK, end = start + block_len(b, len);
        /* block = old bytes before pos, new bytes, old bytes after pos+n (each part clipped) */
        uint32_t a = start < pos ? (pos < end ? pos : end) : start;           /* end of the old head */
        uint32_t z = pos + n > a ? (pos + n < end ? pos + n : end) : a;      /* end of the new part */
        uint32_t c = crc_of(0, d + start, a - start);
        c = crc_of(c, nd + (a - pos), z - a);
        c = crc_of(c, d + z, end - z);
        cl_put32(crcs + VM_INTEGRITY_LEN * (b - b0), c);
    }
    uint32_t ctl_at = o->data_off + len + VM_INTEGRITY_LEN * b0;
    int r = VM_OK;
    if (o->flags & VM_OF_TRANSIENT) {
        memcpy((uint8_t *)d + pos, nd, n); /* d is this object's RAM buffer */
        memcpy((uint8_t *)d + len + VM_INTEGRITY_LEN * b0, crcs, nc);
    } else if (img_group_open(h->img)) {
        if (img_group_write(h->img, o->data_off + pos, nd, n)) r = VM_ERR_TXFULL; /* nothing changed */
        else if (img_group_write(h->img, ctl_at, crcs, nc)) {
            /* [pos, pos+n) is a range of the group now, so writing the old bytes back always fits */
            img_group_write(h->img, o->data_off + pos, old, n);
            r = VM_ERR_TXFULL;
        }
    } else if ((uint64_t)n + nc + 2 * IMG_GROUP_ENTRY_COST <= img_group_capacity(h->img)) {
        if (img_group_begin(h->img) || img_group_write(h->img, o->data_off + pos, nd, n) ||
            img_group_write(h->img, ctl_at, crcs, nc) || img_group_commit(h->img)) {
            img_group_abort(h->img);
            r = VM_ERR_IO;
        }
    } else {
        /* more data than a group holds: one record from pos through the touched CRCs */
        uint32_t span = ctl_at + nc - (o->data_off + pos);
        uint8_t *one = malloc(span);
        if (!one) r = VM_ERR_NOMEM;
        else {
            memcpy(one, nd, n);
            memcpy(one + n, d + pos + n, span - n - nc); /* the data after it and the CRCs before b0, unchanged */
            memcpy(one + span - nc, crcs, nc);
            if (img_write(h->img, o->data_off + pos, one, span)) r = VM_ERR_IO;
            cl_wipe(one, span);
            free(one);
        }
    }
    cl_wipe(buf, bsz); /* the array may hold key material */
    if (buf != small) free(buf);
    return r;
}

int vm_heap_clear_array(vm_heap_t *h, const vm_obj_t *o)
{
    if (o->flags & VM_OF_INTEGRITY) return write_sensitive(h, o, 0, NULL, o->data_len, false);
    return vm_heap_fill(h, o, 0, 0, o->data_len, true);
}

int vm_heap_write(vm_heap_t *h, const vm_obj_t *o, uint32_t pos, const void *src, uint32_t n, bool atomic)
{
    if (pos > o->data_len || n > o->data_len - pos) return VM_ERR_BAD;
    if (n == 0) return VM_OK;
    if (o->flags & VM_OF_INTEGRITY) return write_sensitive(h, o, pos, src, n, true);
    if (o->flags & VM_OF_TRANSIENT) {
        uint8_t *r = ram_of(h, o);
        if (!r) return VM_ERR_NOMEM;
        memmove(r + pos, src, n);
        return VM_OK;
    }
    return pstore(h, o->data_off - h->base + pos, src, n, atomic);
}

int vm_heap_fill(vm_heap_t *h, const vm_obj_t *o, uint32_t pos, uint8_t value, uint32_t n, bool atomic)
{
    if (pos > o->data_len || n > o->data_len - pos) return VM_ERR_BAD;
    if (n == 0) return VM_OK;
    uint8_t *tmp = malloc(n); /* one store, so a fill outside a transaction is one atomic step */
    if (!tmp) return VM_ERR_NOMEM;
    memset(tmp, value, n);
    int r = vm_heap_write(h, o, pos, tmp, n, atomic);
    free(tmp);
    return r;
}

int vm_heap_alloc(vm_heap_t *h, uint8_t kind, uint8_t flags, uint8_t owner, uint8_t etype, uint16_t cls,
                  uint32_t len, uint16_t *handle)
{
    uint64_t bytes = kind == VM_KIND_INSTANCE ? 2ull * len
                   : kind == VM_KIND_ARRAY ? (uint64_t)vm_heap_elem_size(etype) * len : len;
    if (kind == VM_KIND_ARRAY && !vm_heap_elem_size(etype)) return VM_ERR_BAD;
    /* New objects must start zero: first clear what an aborted group's objects left beyond the bump. */
    if (zero_aborted_tail(h)) return VM_ERR_IO;
    uint32_t top = bump(h);
    /* Transient objects keep only their header in the image. */
    uint64_t need = image_bytes(flags, bytes);
    if (bytes > 0xFFFFFFu || need > h->size - top) return VM_ERR_NOMEM;
    if ((flags & VM_OF_TRANSIENT) && bytes + vm_heap_transient_bytes(h) > VM_TRANSIENT_BUDGET) return VM_ERR_NOMEM;
    bool own_group = !img_group_open(h->img);
    if (own_group && h->npend) settle_pending(h);
    /* Transient data is not in the image: the header's length still says how many elements.
     * A free handle that is void or pending (its group may abort) is not taken: a reference to
     * the object it named must never come to name a new one. */
    uint16_t hd = 0;
    for (uint32_t i = 0; i < h->nhandles - 1u; i++) {
        uint16_t c = (uint16_t)(h->cursor + i);
        c = (uint16_t)(1 + (c - 1) % (h->nhandles - 1u));
        if (handle_entry(h, c) == 0 && !bit_of(h->voids, c) && !bit_of(h->pending, c)) { hd = c; break; }
    }
    if (!hd) return VM_ERR_NOMEM;
    uint8_t oh[VM_OBJ_HDR], e4[4], b4[4];
    oh[0] = kind; oh[1] = flags; oh[2] = owner; oh[3] = etype;
    cl_put16(oh + 4, cls);
    cl_put32(oh + 6, len);
    cl_put32(e4, top);
    cl_put32(b4, (uint32_t)(top + need));
    /* A persistent integrity-sensitive array starts with the control element of its zero data. */
    uint32_t cl = (flags & VM_OF_INTEGRITY) && !(flags & VM_OF_TRANSIENT) ? (uint32_t)ctl_bytes(bytes) : 0;
    /* ctl: the new control element, then room for the old bytes it replaces */
    uint8_t *ctl = cl ? malloc(2 * (size_t)cl) : NULL;
    if (cl && !ctl) return VM_ERR_NOMEM;
    if (cl) ctl_of_zeros(ctl, (uint32_t)bytes);
    if (own_group && img_group_begin(h->img) != 0) { free(ctl); return VM_ERR_IO; }
    /* Header, control element, handle-table entry, bump pointer: in the caller's group, a write that
     * does not fit (TXFULL) must leave none of the others behind, or the applet that catches the
     * TransactionException and commits would commit a handle naming memory the next allocation also
     * gets. Each earlier write gets its old bytes back: its range is in the group now, so that
     * always fits. */
    uint8_t old_oh[VM_OBJ_HDR], old_e4[4], old_b4[4];
    struct { uint32_t off, len; const uint8_t *new_bytes; uint8_t *old; } w[4] = {
        { top, sizeof oh, oh, old_oh },
        { top + VM_OBJ_HDR + (uint32_t)bytes, cl, ctl, cl ? ctl + cl : NULL },
        { VM_HEAP_HDR + 4u * hd, 4, e4, old_e4 },
        { 12, 4, b4, old_b4 },
    };
    int r = VM_OK;
    unsigned done = 0;
    for (; done < 4; done++) {
        if (!w[done].len) continue;
        memcpy(w[done].old, area(h) + w[done].off, w[done].len);
        if (img_group_write(h->img, h->base + w[done].off, w[done].new_bytes, w[done].len)) {
            r = own_group ? VM_ERR_IO : VM_ERR_TXFULL;
            break;
        }
    }
    if (r != VM_OK && !own_group)
        while (done-- > 0)
            if (w[done].len) img_group_write(h->img, h->base + w[done].off, w[done].old, w[done].len);
    free(ctl);
    if (own_group) {
        if (r == VM_OK && img_group_commit(h->img) != 0) r = VM_ERR_IO;
        if (r != VM_OK) img_group_abort(h->img);
    }
    if (r != VM_OK) return r;
    if (!own_group) { /* void if the caller's group aborts (JCRE 7.6.3) */
        bit_set(h->pending, hd);
        h->pend_list[h->npend++] = hd;
        if (top + need > h->hiwater) h->hiwater = (uint32_t)(top + need);
    }
    h->cursor = (uint16_t)(hd + 1 >= h->nhandles ? 1 : hd + 1);
    if (flags & VM_OF_TRANSIENT) h->tbytes += (uint32_t)bytes;
    if (h->ram[hd]) { free(h->ram[hd]); h->ram[hd] = NULL; }
    *handle = hd;
    return VM_OK;
}

int vm_heap_alloc_blob(vm_heap_t *h, uint8_t owner, const void *data, uint32_t len, uint16_t *handle)
{
    if (zero_aborted_tail(h)) return VM_ERR_IO; /* now, or vm_heap_alloc would zero the data written below */
    uint32_t top = bump(h);
    if (len > 0xFFFFFFu || (uint64_t)VM_OBJ_HDR + len + 1 > h->size - top) return VM_ERR_NOMEM;
    if (len && img_write(h->img, h->base + top + VM_OBJ_HDR, data, len)) return VM_ERR_IO;
    int r = vm_heap_alloc(h, VM_KIND_BLOB, 0, owner, 0, 0, len, handle);
    if (r) { /* the data written above goes now, or (if this write fails) before the next allocation */
        if (top + VM_OBJ_HDR + len > h->hiwater) h->hiwater = top + VM_OBJ_HDR + len;
        zero_aborted_tail(h);
    }
    return r;
}

int vm_heap_scrub(vm_heap_t *h)
{
    return zero_range(h, bump(h), h->size);
}

uint16_t vm_heap_root(const vm_heap_t *h, unsigned idx)
{
    return idx < VM_HEAP_ROOTS ? cl_get16(area(h) + 16 + 2 * idx) : 0;
}

int vm_heap_set_root(vm_heap_t *h, unsigned idx, uint16_t handle)
{
    if (idx >= VM_HEAP_ROOTS) return VM_ERR_BAD;
    uint8_t b[2];
    cl_put16(b, handle);
    return pstore(h, 16 + 2 * idx, b, 2, true);
}

void vm_heap_clear_transient(vm_heap_t *h, uint8_t flag, int owner)
{
    h->tdirty = true; /* called after every group abort: rolled-back transient objects are gone */
    if (!flag) {
        /* Only an object allocated inside a group can be rolled back, and each such handle is
         * pending until settled (which releases its RAM): no need to visit the whole table. */
        settle_pending(h);
        /* The aborted objects' non-atomic stores go now, not only at the next allocation: their
         * data (possibly decrypted) should not linger in the image's free area. An I/O error
         * leaves hiwater set, and the next allocation tries again before it uses the space. */
        zero_aborted_tail(h);
        return;
    }
    for (uint32_t i = 1; i < h->nhandles; i++) {
        if (!h->ram[i]) continue;
        vm_obj_t o;
        if (!vm_heap_get(h, (uint16_t)i, &o) || !(o.flags & VM_OF_TRANSIENT) || h->ram_obj[i] != o.data_off - h->base) {
            free(h->ram[i]); h->ram[i] = NULL; /* its object was rolled back */
            continue;
        }
        if ((o.flags & flag) && (owner < 0 || owner == 0xFFFF || o.owner == owner))
            ram_zero(h->ram[i], &o);
    }
    /* Power-up: every transient array is zero now and no frame runs, so no reference to a void
     * handle is left anywhere (persistent stores of void references store null). */
    if ((flag & VM_OF_TRANSIENT) == VM_OF_TRANSIENT && (owner < 0 || owner == 0xFFFF) && !img_group_open(h->img))
        vm_heap_void_forget(h, NULL);
}

uint32_t vm_heap_transient_bytes(vm_heap_t *h)
{
    if (!h->tdirty) return h->tbytes;
    uint32_t n = 0;
    for (uint32_t i = 1; i < h->nhandles; i++) {
        vm_obj_t o;
        if (handle_entry(h, (uint16_t)i) && vm_heap_get(h, (uint16_t)i, &o) && (o.flags & VM_OF_TRANSIENT)) n += o.data_len;
    }
    h->tbytes = n;
    h->tdirty = false;
    return n;
}

uint32_t vm_heap_free_bytes(const vm_heap_t *h) { return h->size - bump(h); }

uint32_t vm_heap_used_handles(const vm_heap_t *h)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < h->nhandles; i++) n += handle_entry(h, (uint16_t)i) != 0;
    return n;
}

uint16_t vm_heap_handle_count(const vm_heap_t *h) { return h->nhandles; }

typedef struct { uint32_t off; uint16_t handle; } live_t;

static int by_offset(const void *a, const void *b)
{
    const live_t *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

long vm_heap_compact(vm_heap_t *h, const uint8_t *live)
{
    if (img_group_open(h->img)) return -1;
    settle_pending(h); /* before a committed object's handle is freed: it must not look aborted */
    if (zero_aborted_tail(h)) return -1; /* before the bump pointer moves and hides that range */
    h->tdirty = true; /* dead transient objects go */
    uint32_t top0 = bump(h);
    /* 1. Dead handles are freed (in chunks of the table, each chunk one atomic write). */
    enum { CHUNK = 256 };
    uint8_t buf[4 * CHUNK];
    for (uint32_t first = 1; first < h->nhandles; first += CHUNK) {
        uint32_t n = h->nhandles - first < CHUNK ? h->nhandles - first : CHUNK;
        memcpy(buf, area(h) + VM_HEAP_HDR + 4 * first, 4 * n);
        bool changed = false;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t hd = first + i;
            if (cl_get32(buf + 4 * i) && !(live[hd / 8] & (1u << (hd % 8)))) {
                cl_put32(buf + 4 * i, 0);
                changed = true;
                if (h->ram[hd]) { free(h->ram[hd]); h->ram[hd] = NULL; }
            }
        }
        if (changed && img_write(h->img, h->base + VM_HEAP_HDR + 4 * first, buf, 4 * n)) return -1;
    }
    /* 2. Live objects in address order slide down to the frontier. */
    live_t *objs = malloc(sizeof *objs * h->nhandles);
    if (!objs) return -1;
    uint32_t nlive = 0;
    for (uint32_t hd = 1; hd < h->nhandles; hd++) {
        vm_obj_t o;
        if (vm_heap_get(h, (uint16_t)hd, &o)) { objs[nlive].off = o.data_off - h->base - VM_OBJ_HDR; objs[nlive++].handle = (uint16_t)hd; }
    }
    qsort(objs, nlive, sizeof *objs, by_offset);
    /* Moves are batched into img groups (one atomic step per batch instead of two per object):
     * an object's new place lies below its old one and below every later object's old place,
     * so no source is overwritten before it is read. An object too big for a group moves by
     * itself when its new place is free space (copy, then switch the handle), or stays. */
    uint32_t frontier = h->objects, cap = img_group_capacity(h->img), npend = 0;
    long rc = 0;
    bool open = false;
    struct pending { uint16_t handle; uint32_t off; } *pend = malloc(sizeof *pend * (nlive ? nlive : 1));
    if (!pend) { free(objs); return -1; }
#define FLUSH() do { \
        if (open) { \
            open = false; \
            if (img_group_commit(h->img)) { img_group_abort(h->img); rc = -1; } \
            else for (uint32_t k_ = 0; k_ < npend; k_++) \
                if (h->ram[pend[k_].handle]) h->ram_obj[pend[k_].handle] = pend[k_].off + VM_OBJ_HDR; \
            npend = 0; \
        } } while (0)
    for (uint32_t i = 0; i < nlive && rc == 0; i++) {
        vm_obj_t o;
        if (!vm_heap_get(h, objs[i].handle, &o)) continue;
        uint32_t off = objs[i].off, sz = (uint32_t)image_bytes(o.flags, o.data_len);
        if (off < frontier) { frontier = off + sz > frontier ? off + sz : frontier; continue; } /* odd layout: leave */
        if (off == frontier) { frontier += sz; continue; }
        uint8_t *copy = malloc(sz);
        if (!copy) { rc = -1; break; }
        memcpy(copy, area(h) + off, sz);
        uint8_t e4[4];
        cl_put32(e4, frontier);
        uint32_t ent = h->base + VM_HEAP_HDR + 4u * objs[i].handle;
        uint64_t cost = (uint64_t)sz + 4 + 2 * IMG_GROUP_ENTRY_COST;
        bool moved = true;
        if (cost <= cap) {
            if (open && img_group_used(h->img) + cost > cap) FLUSH();
            if (rc == 0 && !open) {
                if (img_group_begin(h->img)) rc = -1;
                else open = true;
            }
            if (rc == 0 && (img_group_write(h->img, h->base + frontier, copy, sz) || img_group_write(h->img, ent, e4, 4))) {
                img_group_abort(h->img);
                open = false;
                rc = -1;
            }
            if (rc == 0) { pend[npend].handle = objs[i].handle; pend[npend++].off = frontier; }
        } else if (frontier + sz <= off) {
            FLUSH(); /* the batch below must be in place before this lands above it */
            if (rc == 0 && (img_write(h->img, h->base + frontier, copy, sz) || img_write(h->img, ent, e4, 4))) rc = -1;
            if (rc == 0 && h->ram[objs[i].handle]) h->ram_obj[objs[i].handle] = frontier + VM_OBJ_HDR;
        } else {
            moved = false; /* too big to move over itself in one step: stays */
        }
        cl_wipe(copy, sz); /* objects may hold keys or PINs */
        free(copy);
        if (!moved) { FLUSH(); frontier = off + sz; continue; }
        if (rc == 0) frontier += sz;
    }
    if (rc == 0) FLUSH();
    else if (open) img_group_abort(h->img);
#undef FLUSH
    free(pend);
    free(objs);
    if (rc) return -1;
    /* 3. The bump pointer comes down and what lies beyond it is zeroed again. */
    if (frontier < top0) {
        uint8_t b4[4];
        cl_put32(b4, frontier);
        /* The moved objects' old copies lie in [frontier, top0) once the bump comes down: if the scrub
         * below fails, the next allocation or compaction zeroes them (zero_aborted_tail) before any of
         * it is handed out again. */
        if (top0 > h->hiwater) h->hiwater = top0;
        if (img_write(h->img, h->base + 12, b4, 4) || vm_heap_scrub(h)) return -1;
    }
    h->cursor = 1;
    h->tdirty = true;
    h->hiwater = 0; /* everything beyond the (lower) bump pointer is zero now */
    return (long)(top0 - bump(h));
}
