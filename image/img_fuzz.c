/* img_fuzz: libFuzzer target for everything recovery reads from disk: the image header and the log.
 * Input byte 0 picks the area size and whether the log's checksums and sequence numbers are fixed
 * up first (so the fuzzer gets past them into entry parsing); the rest is the file content. */
#include "image/img_format.h"
#include "image/img_replay.h"

#include <stdlib.h>
#include <string.h>

static void fix_up(uint8_t *log, size_t len, const struct img_header *h)
{
    if (len < IMG_WAL_HDR_LEN) return;
    struct img_wal_header wh = { .version = IMG_WAL_VERSION, .generation = cl_get32(log + 32),
                                 .area_size = h->area_size };
    memcpy(wh.id, h->id, IMG_ID_LEN);
    img_wal_header_encode(&wh, log);
    uint32_t seed = img_rec_seed(wh.generation);
    size_t pos = IMG_WAL_HDR_LEN;
    for (uint64_t seq = 1; len - pos >= IMG_REC_MIN; seq++) {
        uint32_t rl = cl_get32(log + pos);
        if (rl < IMG_REC_MIN || rl > len - pos) break;
        img_rec_head_encode(log + pos, rl, seq, cl_get32(log + pos + 12));
        cl_put32(log + pos + rl - 4, img_crc(seed, log + pos, rl - 4));
        pos += rl;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct img_header h;
    cl_error_t e;
    (void)img_header_decode(data + 1, size - 1, size - 1, &h, &e);
    (void)img_header_decode(data + 1, size - 1, IMG_AREA_OFFSET + 100, &h, &e);

    memset(&h, 0, sizeof h);
    h.version = IMG_VERSION;
    h.area_offset = IMG_AREA_OFFSET;
    h.area_size = 1 + (uint32_t)(data[0] >> 1) * 37;
    memset(h.id, 0x5A, sizeof h.id);
    uint8_t *log = malloc(size);
    uint8_t *mem = calloc(h.area_size, 1);
    uint8_t *dirty = calloc((h.area_size + 4095) / 4096, 1);
    if (!log || !mem || !dirty) abort();
    memcpy(log, data + 1, size - 1);
    if (data[0] & 1) fix_up(log, size - 1, &h);
    struct img_wal_scan scan;
    img_wal_replay(log, size - 1, &h, mem, dirty, 4096, &scan);
    if (scan.valid_end > size - 1) abort();
    free(log);
    free(mem);
    free(dirty);
    return 0;
}
