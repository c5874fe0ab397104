/* img_io: the few system calls that change image files, behind one door so tests can inject faults.
 *
 * Every change to the main file or the log goes through these functions. The fault plan (tests only)
 * lets the Nth changing call write only part of its bytes and then makes every later call fail
 * without touching the disk, which is exactly what the files look like when the process dies there.
 */
#ifndef IMG_IO_H
#define IMG_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Writes all of iov at off in one pwritev call. Returns 0, or -1 (errno set) on error or short write. */
int img_io_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off);
int img_io_pwrite(int fd, const void *buf, size_t len, off_t off);
int img_io_ftruncate(int fd, off_t len);
int img_io_fsync(int fd);      /* whole file and metadata */
int img_io_fdatasync(int fd);  /* data and size: enough for an appended log record */

/* ---- Test-only fault injection (process-wide; never armed in production) ---- */
enum img_fault_mode {
    IMG_FAULT_PREFIX,  /* the failing write keeps its first `keep` bytes (a write cut short) */
    IMG_FAULT_SECTORS, /* the failing write lands in some 512-byte sectors only (a torn write) */
};
/* From now on, the changing call number `at` (0 = the next one) fails as described, and every
 * call after it fails with EIO without touching anything ("the process is dead"). ftruncate counts
 * as a changing call: with keep > 0 it happens, with keep == 0 it does not. */
void img_fault_arm(long at, enum img_fault_mode mode, size_t keep, uint32_t seed);
void img_fault_disarm(void);   /* back to normal, counter reset */
/* Like img_fault_arm in PREFIX mode, but only call number `at` fails (with ENOSPC) and the calls
 * after it work again: a full disk that the process survives. */
void img_fault_once(long at, size_t keep);
bool img_fault_fired(void);    /* the armed fault has happened */
long img_fault_calls(void);    /* changing calls since the last arm/disarm */

/* Power-loss simulation: from img_fault_power_on() on, changing calls do not reach the files but
 * wait, per descriptor, as the kernel's page cache would; fsync/fdatasync of a descriptor writes its
 * waiting calls, in order. img_fault_power_cut() is the power failing: each waiting call, in order,
 * independently reaches the disk whole, torn at random 512-byte sectors, or not at all; then the
 * simulation ends. Test-only, like the fault plan. */
void img_fault_power_on(void);
void img_fault_power_cut(uint32_t seed);

#endif
