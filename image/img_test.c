/* img_test: the image API: create/open/refuse, steps, groups, capacity, checkpoint, lock. */
#include "image/img.h"
#include "image/img_format.h"
#include "image/img_test_util.h"

#include <sys/wait.h>

static char *dir, *path, *wal;

static void setup(void)
{
    dir = itu_tmpdir();
    path = itu_path(dir, "card.img");
    wal = itu_path(dir, "card.img.wal");
}

static void teardown(void)
{
    free(path);
    free(wal);
    itu_rmdir(dir);
}

static img_t *open_ok(uint32_t create_size)
{
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    int rc = img_open(path, create_size, IMG_SYNC_NORMAL, &img, &e);
    ck_assert_msg(rc == 0, "img_open: %s", e.msg);
    ck_assert_ptr_nonnull(img);
    return img;
}

START_TEST(create_write_reopen)
{
    img_t *img = open_ok(10000);
    ck_assert_uint_eq(img_size(img), 10000);
    for (uint32_t i = 0; i < 10000; i++) ck_assert_uint_eq(img_mem(img)[i], 0);
    ck_assert_int_eq(img_write(img, 9990, "0123456789", 10), 0);
    ck_assert_int_eq(img_write(img, 0, "AB", 2), 0);
    ck_assert_mem_eq(img_mem(img) + 9990, "0123456789", 10);
    img_close(img);

    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600); /* keys and PINs live here: owner only */
    ck_assert_int_eq(stat(wal, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    size_t n;
    uint8_t *main_file = itu_slurp(path, &n);
    ck_assert_uint_eq(n, IMG_AREA_OFFSET + 10000);
    ck_assert_mem_eq(main_file, "CARDLET\0", 8);
    ck_assert_mem_eq(main_file + IMG_AREA_OFFSET + 9990, "0123456789", 10); /* close checkpointed */
    free(main_file);

    img = open_ok(0); /* 0: whatever size it has */
    ck_assert_uint_eq(img_size(img), 10000);
    ck_assert_mem_eq(img_mem(img), "AB", 2);
    ck_assert_mem_eq(img_mem(img) + 9990, "0123456789", 10);
    img_close(img);
}
END_TEST

START_TEST(steps_survive_tear_without_checkpoint)
{
    img_t *img = open_ok(5000);
    uint8_t expect[5000] = { 0 };
    uint64_t s = 7;
    for (int i = 0; i < 200; i++) {
        uint32_t off = (uint32_t)(itu_rand(&s) % 4990), len = 1 + (uint32_t)(itu_rand(&s) % 10);
        uint8_t b[10];
        for (uint32_t k = 0; k < len; k++) b[k] = (uint8_t)itu_rand(&s);
        ck_assert_int_eq(img_write(img, off, b, len), 0);
        memcpy(expect + off, b, len);
    }
    ck_assert_mem_eq(img_mem(img), expect, sizeof expect);
    ck_assert_uint_gt(img_log_bytes(img), 200 * IMG_REC_MIN);
    img_tear(img);
    img = open_ok(5000);
    ck_assert_mem_eq(img_mem(img), expect, sizeof expect);
    img_close(img);
}
END_TEST

START_TEST(write_out_of_range_changes_nothing)
{
    img_t *img = open_ok(100);
    uint8_t b[8] = "xxxxxxx";
    uint64_t log0 = img_log_bytes(img);
    ck_assert_int_eq(img_write(img, 96, b, 5), -1);
    ck_assert_int_eq(img_write(img, 100, b, 1), -1);
    ck_assert_int_eq(img_write(img, 0xFFFFFFFFu, b, 2), -1); /* off+len wraps in 32 bits */
    ck_assert_int_eq(img_write(img, 0, NULL, 1), -1);
    ck_assert_int_eq(img_write(NULL, 0, b, 1), -1);
    ck_assert_int_eq(img_write(img, 100, b, 0), 0); /* empty write at the end: nothing to do */
    ck_assert_uint_eq(img_log_bytes(img), log0);
    for (int i = 0; i < 100; i++) ck_assert_uint_eq(img_mem(img)[i], 0);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 99, b, 2), -1);
    ck_assert_int_eq(img_group_write(img, 0xFFFFFFFFu, b, 2), -1);
    ck_assert_uint_eq(img_group_used(img), 0);
    img_group_abort(img);
    ck_assert_int_eq(img_group_write(img, 0, b, 1), -1); /* no group open */
    for (int i = 0; i < 100; i++) ck_assert_uint_eq(img_mem(img)[i], 0);
    img_close(img);
}
END_TEST

/* Every refusal: message, and both files byte-identical afterwards. */
static void expect_refused(uint32_t create_size, const char *needle)
{
    size_t n0, w0, n1, w1;
    uint8_t *m0 = itu_slurp(path, &n0), *l0 = itu_slurp(wal, &w0);
    img_t *img = (img_t *)1;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, create_size, IMG_SYNC_NORMAL, &img, &e), -1);
    ck_assert_ptr_null(img);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "message \"%s\" lacks \"%s\"", e.msg, needle);
    uint8_t *m1 = itu_slurp(path, &n1), *l1 = itu_slurp(wal, &w1);
    ck_assert_uint_eq(n0, n1);
    ck_assert_uint_eq(w0, w1);
    if (n0) ck_assert_mem_eq(m0, m1, n0);
    if (w0) ck_assert_mem_eq(l0, l1, w0);
    free(m0); free(l0); free(m1); free(l1);
}

/* Builds a valid image with one logged step, then lets the test damage the main file. */
static uint8_t *valid_image(size_t *n)
{
    img_t *img = open_ok(8192);
    ck_assert_int_eq(img_write(img, 5, "hello", 5), 0);
    img_tear(img); /* keep the record in the log, so the log is there to stay untouched too */
    return itu_slurp(path, n);
}

START_TEST(refuse_bad_images_untouched)
{
    size_t n;
    uint8_t *good = valid_image(&n);
    uint8_t *bad = malloc(n + 1);

    memcpy(bad, good, n); bad[0] = 'X';
    itu_spit(path, bad, n);
    expect_refused(0, "IMAGE: not a cardlet card image");

    memcpy(bad, good, n); cl_put32(bad + 8, 2); cl_put32(bad + 60, img_crc(0, bad, 60));
    itu_spit(path, bad, n);
    expect_refused(0, "IMAGE: format version 2 not supported (this cardlet reads 1)");

    memcpy(bad, good, n); bad[30] ^= 1; /* inside the id: only the checksum notices */
    itu_spit(path, bad, n);
    expect_refused(0, "header checksum mismatch");

    itu_spit(path, good, n - 1);
    expect_refused(0, "truncated");
    itu_spit(path, good, 40);
    expect_refused(0, "not a cardlet card image");
    itu_spit(path, good, 0);
    expect_refused(8192, "not a cardlet card image"); /* an empty file is not created over */

    memcpy(bad, good, n); bad[n] = 0;
    itu_spit(path, bad, n + 1);
    expect_refused(0, "trailing bytes");

    memcpy(bad, good, n); cl_put32(bad + 16, 100000); cl_put32(bad + 60, img_crc(0, bad, 60));
    itu_spit(path, bad, n);
    expect_refused(0, "truncated");

    memcpy(bad, good, n); cl_put32(bad + 16, 0); cl_put32(bad + 60, img_crc(0, bad, 60));
    itu_spit(path, bad, n);
    expect_refused(0, "area size 0 out of range");

    itu_spit(path, good, n);
    expect_refused(4096, "has a 8192-byte area, this card expects 4096");

    itu_spit(path, "just some text\n", 15);
    expect_refused(0, "not a cardlet card image");

    /* The good one still opens, with the logged step. */
    itu_spit(path, good, n);
    img_t *img = open_ok(8192);
    ck_assert_mem_eq(img_mem(img) + 5, "hello", 5);
    img_close(img);
    free(good);
    free(bad);

    unlink(path);
    unlink(wal);
    img = (img_t *)1;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 0, IMG_SYNC_NORMAL, &img, &e), -1);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
    ck_assert_int_eq(access(path, F_OK), -1); /* not created with create_size 0 */
    ck_assert_int_eq(img_open(path, IMG_MAX_AREA + 1, IMG_SYNC_NORMAL, &img, &e), -1);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(group_commit_and_abort)
{
    img_t *img = open_ok(20000);
    uint64_t s = 99;
    uint8_t before[20000], after[20000];
    for (int round = 0; round < 20; round++) {
        memcpy(before, img_mem(img), sizeof before);
        ck_assert_int_eq(img_group_begin(img), 0);
        ck_assert(img_group_open(img));
        ck_assert_int_eq(img_group_begin(img), -1); /* only one at a time */
        int writes = 1 + (int)(itu_rand(&s) % 40);
        for (int i = 0; i < writes; i++) {
            uint32_t len = 1 + (uint32_t)(itu_rand(&s) % 100), off = (uint32_t)(itu_rand(&s) % (20000 - len));
            uint8_t b[100];
            for (uint32_t k = 0; k < len; k++) b[k] = (uint8_t)itu_rand(&s);
            ck_assert_int_eq(img_group_write(img, off, b, len), 0);
            ck_assert_mem_eq(img_mem(img) + off, b, len); /* visible at once */
        }
        if (round % 2) {
            img_group_abort(img);
            ck_assert_mem_eq(img_mem(img), before, sizeof before);
        } else {
            memcpy(after, img_mem(img), sizeof after);
            ck_assert_int_eq(img_group_commit(img), 0);
            ck_assert_mem_eq(img_mem(img), after, sizeof after);
        }
        ck_assert(!img_group_open(img));
    }
    memcpy(after, img_mem(img), sizeof after);
    img_tear(img);
    img = open_ok(20000);
    ck_assert_mem_eq(img_mem(img), after, sizeof after);

    /* A tear with the group open: none of it survives. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "TORN", 4), 0);
    ck_assert_int_eq(img_group_write(img, 19996, "TORN", 4), 0);
    img_tear(img);
    img = open_ok(20000);
    ck_assert_mem_eq(img_mem(img), after, sizeof after);

    /* img_close with a group open rolls it back too. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "OPEN", 4), 0);
    ck_assert_int_eq(img_group_commit(NULL), -1);
    img_close(img);
    img = open_ok(20000);
    ck_assert_mem_eq(img_mem(img), after, sizeof after);
    ck_assert_int_eq(img_group_commit(img), -1); /* none open */
    img_close(img);
}
END_TEST

START_TEST(group_capacity)
{
    img_t *img = open_ok(65536);
    ck_assert_uint_eq(img_group_capacity(img), IMG_GROUP_CAPACITY);
    ck_assert_int_eq(img_group_begin(img), 0);
    uint8_t b[1000];
    memset(b, 0x5A, sizeof b);
    uint32_t used = 0, off = 0;
    /* 1000-byte writes cost 1008: eight fit in 8192, a ninth does not. */
    for (int i = 0; i < 8; i++, off += 1000) {
        ck_assert_int_eq(img_group_write(img, off, b, 1000), 0);
        used += 1000 + IMG_GROUP_ENTRY_COST;
        ck_assert_uint_eq(img_group_used(img), used);
    }
    uint32_t room = IMG_GROUP_CAPACITY - used - IMG_GROUP_ENTRY_COST; /* 120 */
    ck_assert_int_eq(img_group_write(img, off, b, room + 1), -1);
    ck_assert_uint_eq(img_group_used(img), used);
    ck_assert_uint_eq(img_mem(img)[off], 0); /* refused write changed nothing */
    ck_assert_int_eq(img_group_write(img, off, b, room), 0);
    ck_assert_uint_eq(img_group_used(img), IMG_GROUP_CAPACITY);
    ck_assert_int_eq(img_group_write(img, 60000, b, 1), -1);
    /* Rewriting bytes the group already holds costs nothing. */
    ck_assert_int_eq(img_group_write(img, 10, "zz", 2), 0);
    ck_assert_uint_eq(img_group_used(img), IMG_GROUP_CAPACITY);
    uint8_t snap[65536];
    memcpy(snap, img_mem(img), sizeof snap);
    ck_assert_int_eq(img_group_commit(img), 0);
    ck_assert_uint_eq(img_group_used(img), 0);
    img_tear(img);
    img = open_ok(0);
    ck_assert_mem_eq(img_mem(img), snap, sizeof snap);
    /* A rewrite inside an earlier range still aborts to the bytes before the group. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "0123456789", 10), 0);
    ck_assert_int_eq(img_group_write(img, 2, "ab", 2), 0);
    img_group_abort(img);
    ck_assert_mem_eq(img_mem(img), snap, sizeof snap);
    img_close(img);
}
END_TEST

START_TEST(write_inside_group)
{
    img_t *img = open_ok(4096);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "GGGG", 4), 0);
    ck_assert_int_eq(img_write(img, 100, "WWWW", 4), 0);     /* apart from the group's bytes */
    ck_assert_int_eq(img_write(img, 2, "ww", 2), 0);         /* over the group's bytes */
    ck_assert_mem_eq(img_mem(img), "GGww", 4);
    img_group_abort(img);
    /* The img_write outside the group stays; the overlap goes back to the group's saved bytes. */
    ck_assert_mem_eq(img_mem(img) + 100, "WWWW", 4);
    static const uint8_t zero[4];
    ck_assert_mem_eq(img_mem(img), zero, 4);
    img_tear(img);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img) + 100, "WWWW", 4);
    ck_assert_mem_eq(img_mem(img), zero, 4); /* disk agrees with memory */

    /* A commit logs what memory holds, including an img_write over the group's bytes. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "GGGG", 4), 0);
    ck_assert_int_eq(img_write(img, 2, "ww", 2), 0);
    ck_assert_int_eq(img_write(img, 200, "X", 1), 0);
    img_tear(img); /* crash before the commit: only the img_writes are there */
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "\0\0ww", 4);
    ck_assert_uint_eq(img_mem(img)[200], 'X');
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "GGGG", 4), 0);
    ck_assert_int_eq(img_write(img, 2, "vv", 2), 0);
    ck_assert_int_eq(img_group_commit(img), 0);
    ck_assert_mem_eq(img_mem(img), "GGvv", 4);
    img_tear(img);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "GGvv", 4);
    img_close(img);
}
END_TEST

START_TEST(checkpoint_threshold)
{
    img_t *img = open_ok(50000);
    img_set_checkpoint_threshold(img, 8192);
    uint8_t b[100];
    uint64_t s = 5, max_log = 0;
    for (int i = 0; i < 1000; i++) {
        for (size_t k = 0; k < sizeof b; k++) b[k] = (uint8_t)itu_rand(&s);
        ck_assert_int_eq(img_write(img, (uint32_t)(itu_rand(&s) % 49900), b, sizeof b), 0);
        if (img_log_bytes(img) > max_log) max_log = img_log_bytes(img);
    }
    /* The log never grows past the threshold by more than one step's record. */
    ck_assert_uint_le(max_log, 8192 + IMG_REC_MIN + sizeof b);
    uint8_t snap[50000];
    memcpy(snap, img_mem(img), sizeof snap);
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_checkpoint(img, &e), 0);
    ck_assert_uint_eq(img_log_bytes(img), IMG_WAL_HDR_LEN);
    size_t n;
    uint8_t *f = itu_slurp(path, &n);
    ck_assert_mem_eq(f + IMG_AREA_OFFSET, snap, sizeof snap); /* main file alone holds the state */
    free(f);
    f = itu_slurp(wal, &n);
    ck_assert_uint_eq(n, IMG_WAL_HDR_LEN);
    free(f);
    /* No checkpoint with a group open: its bytes are not committed. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "G", 1), 0);
    ck_assert_int_eq(img_checkpoint(img, &e), -1);
    ck_assert_ptr_nonnull(strstr(e.msg, "group is open"));
    img_group_abort(img);
    img_close(img);
}
END_TEST

START_TEST(no_auto_checkpoint_inside_group)
{
    /* An img_write inside a group that passes the checkpoint threshold must not checkpoint: the
     * area holds the group's uncommitted bytes, and a crash before the commit must lose them. */
    img_t *img = open_ok(8192);
    img_set_checkpoint_threshold(img, IMG_WAL_HDR_LEN + 1);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 5000, "UNCOMMITTED", 11), 0);
    uint8_t big[2000];
    memset(big, 'w', sizeof big);
    ck_assert_int_eq(img_write(img, 0, big, sizeof big), 0);
    ck_assert_uint_gt(img_log_bytes(img), IMG_WAL_HDR_LEN); /* deferred: the log still holds the step */
    img_tear(img);
    img = open_ok(8192);
    ck_assert_mem_eq(img_mem(img), big, sizeof big);
    static const uint8_t zero[11];
    ck_assert_mem_eq(img_mem(img) + 5000, zero, 11);
    /* After the group ends, the deferred checkpoint happens. */
    img_set_checkpoint_threshold(img, IMG_WAL_HDR_LEN + 1);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 5000, "COMMITTED", 9), 0);
    ck_assert_int_eq(img_write(img, 0, "x", 1), 0);
    ck_assert_int_eq(img_group_commit(img), 0);
    ck_assert_uint_eq(img_log_bytes(img), IMG_WAL_HDR_LEN);
    img_tear(img);
    size_t n;
    uint8_t *f = itu_slurp(path, &n);
    ck_assert_mem_eq(f + IMG_AREA_OFFSET + 5000, "COMMITTED", 9);
    free(f);
}
END_TEST

START_TEST(files_from_different_moments_refused)
{
    /* A main file restored from a backup beside a log written later: refused, files untouched. */
    img_t *img = open_ok(4096);
    ck_assert_int_eq(img_write(img, 0, "v1", 2), 0);
    img_close(img); /* checkpoint */
    size_t n_old;
    uint8_t *old_main = itu_slurp(path, &n_old);
    img = open_ok(4096);
    ck_assert_int_eq(img_write(img, 0, "v2", 2), 0);
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_checkpoint(img, &e), 0);
    ck_assert_int_eq(img_write(img, 2, "later", 5), 0); /* a record in the newer log */
    img_tear(img);
    size_t n_new;
    uint8_t *new_main = itu_slurp(path, &n_new);
    itu_spit(path, old_main, n_old);
    struct img_info info;
    ck_assert_int_eq(img_inspect(path, &info, &e), 0);
    ck_assert(info.log_mismatch);
    expect_refused(0, "image file and log are from different moments");
    /* Together again: fine. Without the log: the image file alone. */
    itu_spit(path, new_main, n_new);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "v2later", 7);
    img_tear(img);
    itu_spit(path, old_main, n_old);
    unlink(wal);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "v1\0", 3);
    /* A log one generation behind the stamp (crash between the stamp and the log reset) is fine. */
    ck_assert_int_eq(img_write(img, 0, "v3", 2), 0);
    img_tear(img);
    size_t nl;
    uint8_t *log = itu_slurp(wal, &nl);
    img = open_ok(4096);
    ck_assert_int_eq(img_checkpoint(img, &e), 0);
    img_tear(img);
    itu_spit(wal, log, nl); /* the pre-checkpoint log beside the checkpointed main file */
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "v3", 2);
    img_close(img);
    free(log);
    free(old_main);
    free(new_main);
}
END_TEST

START_TEST(unchanged_write_costs_nothing)
{
    img_t *img = open_ok(4096);
    ck_assert_int_eq(img_write(img, 10, "same", 4), 0);
    uint64_t log = img_log_bytes(img);
    ck_assert_int_eq(img_write(img, 10, "same", 4), 0);
    ck_assert_uint_eq(img_log_bytes(img), log); /* no record: nothing changed */
    /* Inside a group the same bytes may be uncommitted group bytes: the write must be logged,
     * so that it survives a crash before the commit. */
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 100, "GRP", 3), 0);
    ck_assert_int_eq(img_write(img, 100, "GRP", 3), 0);
    ck_assert_uint_gt(img_log_bytes(img), log);
    img_tear(img);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img) + 100, "GRP", 3);
    ck_assert_mem_eq(img_mem(img) + 10, "same", 4);
    img_close(img);
}
END_TEST

START_TEST(lock_single_writer)
{
    img_t *a = open_ok(4096), *b = (img_t *)1;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 4096, IMG_SYNC_NORMAL, &b, &e), -1);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(e.msg, "IMAGE: "));
    ck_assert_ptr_nonnull(strstr(e.msg, "in use by another process"));
    ck_assert_int_eq(img_write(a, 0, "A", 1), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        img_t *c = NULL;
        cl_error_t ce = { { 0 } };
        int rc = img_open(path, 4096, IMG_SYNC_NORMAL, &c, &ce);
        _exit(rc == -1 && strstr(ce.msg, "in use by another process") ? 0 : 1);
    }
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    img_close(a);
    b = open_ok(4096); /* free again after close */
    ck_assert_uint_eq(img_mem(b)[0], 'A');
    img_close(b);
}
END_TEST

START_TEST(foreign_or_damaged_log_ignored)
{
    /* Image B's log beside image A: ignored, A keeps its own state. */
    char *pb = itu_path(dir, "b.img"), *wb = itu_path(dir, "b.img.wal");
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(pb, 4096, IMG_SYNC_NORMAL, &img, &e), 0);
    ck_assert_int_eq(img_write(img, 0, "BBBB", 4), 0);
    img_tear(img);
    img = open_ok(4096);
    ck_assert_int_eq(img_write(img, 0, "AAAA", 4), 0);
    img_close(img);
    size_t n;
    uint8_t *blog = itu_slurp(wb, &n);
    itu_spit(wal, blog, n);
    free(blog);
    struct img_info info;
    ck_assert_int_eq(img_inspect(path, &info, &e), 0);
    ck_assert_int_eq(info.log_state, IMG_LOG_IGNORED);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "AAAA", 4);
    ck_assert_int_eq(img_write(img, 4, "aa", 2), 0); /* and writing goes on with a fresh log */
    img_tear(img);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "AAAAaa", 6);
    img_tear(img);
    /* A log with a damaged header: ignored (the main file is current whenever the header changes). */
    uint8_t *l = itu_slurp(wal, &n);
    l[20] ^= 0xFF;
    itu_spit(wal, l, n);
    free(l);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "AAAA\0\0", 6);
    img_close(img);
    /* A big stray file under the log's name: inspected and ignored without reading it all. */
    uint8_t *stray = calloc(1, 3u << 20);
    itu_spit(wal, stray, 3u << 20);
    free(stray);
    ck_assert_int_eq(img_inspect(path, &info, &e), 0);
    ck_assert_int_eq(info.log_state, IMG_LOG_IGNORED);
    ck_assert_uint_eq(info.log_file_bytes, 3u << 20);
    img = open_ok(4096);
    ck_assert_mem_eq(img_mem(img), "AAAA", 4);
    ck_assert_uint_eq(img_log_bytes(img), IMG_WAL_HDR_LEN);
    img_close(img);
    free(pb);
    free(wb);
}
END_TEST

START_TEST(sync_full_and_describe)
{
    img_t *img = NULL;
    cl_error_t e = { { 0 } };
    ck_assert_int_eq(img_open(path, 3000, IMG_SYNC_FULL, &img, &e), 0);
    ck_assert_int_eq(img_write(img, 2990, "full", 4), 0);
    ck_assert_int_eq(img_group_begin(img), 0);
    ck_assert_int_eq(img_group_write(img, 0, "g", 1), 0);
    ck_assert_int_eq(img_group_commit(img), 0);
    img_tear(img);
    struct img_info info;
    ck_assert_int_eq(img_inspect(path, &info, &e), 0);
    ck_assert_uint_eq(info.area_size, 3000);
    ck_assert_int_eq(info.log_state, IMG_LOG_VALID);
    ck_assert_uint_eq(info.records, 2);
    ck_assert_uint_eq(info.log_valid_bytes, info.log_file_bytes);
    char *text = NULL;
    size_t tl = 0;
    FILE *mf = open_memstream(&text, &tl);
    ck_assert_int_eq(img_describe(path, mf, &e), 0);
    fclose(mf);
    ck_assert_ptr_nonnull(strstr(text, "area: 3000 bytes\n"));
    ck_assert_ptr_nonnull(strstr(text, "log records: 2 "));
    free(text);
    ck_assert_int_eq(img_open(path, 3000, IMG_SYNC_FULL, &img, &e), 0);
    ck_assert_mem_eq(img_mem(img) + 2990, "full", 4);
    ck_assert_uint_eq(img_mem(img)[0], 'g');
    img_close(img);
    ck_assert_int_eq(img_inspect(path, &info, &e), 0);
    ck_assert_uint_eq(info.records, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("img");
    TCase *t = tcase_create("api");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, create_write_reopen);
    tcase_add_test(t, steps_survive_tear_without_checkpoint);
    tcase_add_test(t, write_out_of_range_changes_nothing);
    tcase_add_test(t, refuse_bad_images_untouched);
    tcase_add_test(t, group_commit_and_abort);
    tcase_add_test(t, group_capacity);
    tcase_add_test(t, write_inside_group);
    tcase_add_test(t, checkpoint_threshold);
    tcase_add_test(t, no_auto_checkpoint_inside_group);
    tcase_add_test(t, files_from_different_moments_refused);
    tcase_add_test(t, unchanged_write_costs_nothing);
    tcase_add_test(t, lock_single_writer);
    tcase_add_test(t, foreign_or_damaged_log_ignored);
    tcase_add_test(t, sync_full_and_describe);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    cl_log_level = 0;
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
