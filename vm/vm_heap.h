/* vm_heap: the VM's persistent heap inside the card image, reached through 16-bit handles.
 *
 * Layout of the VM area [base, base+size) of the image (big-endian):
 *   0   magic "CLVM"          4   version (u16)       6   handle count (u16)
 *   8   area size (u32)       12  bump offset (u32, relative to base; beyond it all is zero)
 *   16  roots: VM_HEAP_ROOTS handles (u16) the VM keeps its tables in
 *   64  handle table: handle count x u32 (object offset relative to base, 0 = free)
 *   ... object area: objects one after another, each a VM_OBJ_HDR header then its data.
 * Object header: kind u8, flags u8, owner context u8, element type u8, class id u16, length u32.
 * An integrity-sensitive array (VM_OF_INTEGRITY, SensitiveArrays) has a control element: the
 * CRC-32 (zlib's, big-endian, 4 bytes) of each 256-byte block of its data, right after the data
 * (persistent arrays: in the image, so data and CRCs change in one atomic step; transient
 * arrays: after the data in RAM). A store checks only the blocks it touches, so a fault in
 * another block is found by vm_heap_integrity_ok (assertIntegrity) or by a later store there.
 *
 * Every persistent store goes through img_write (one atomic step) or img_group_write when a
 * group is open (JCSystem transaction or a package install): vm_heap_write picks. Transient
 * objects keep their data in RAM (zeroed at open, or by vm_heap_clear_transient). */
#ifndef VM_HEAP_H
#define VM_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/cl_util.h"
#include "image/img.h"

#define VM_HEAP_MAGIC "CLVM"
/* 2: OwnerPIN value arrays name their PIN and flag array (a version 1 PIN would read as damaged,
 * so a version 1 heap is refused at open instead of losing its PIN applets silently). */
#define VM_HEAP_VERSION 2
#define VM_HEAP_HDR 64
#define VM_HEAP_ROOTS 16
#define VM_OBJ_HDR 10
/* RAM for transient objects (CLEAR_ON_RESET / CLEAR_ON_DESELECT data), like a card's COR/COD
 * RAM: allocations beyond it fail (JCSystem: SystemException.NO_TRANSIENT_SPACE). */
#define VM_TRANSIENT_BUDGET (16u * 1024)

/* Object kinds. */
enum { VM_KIND_FREE = 0, VM_KIND_INSTANCE = 1, VM_KIND_ARRAY = 2, VM_KIND_BLOB = 3 };

/* Object flags. */
enum {
    VM_OF_ENTRY_POINT = 0x01,     /* JCRE permanent entry point: any context may invoke it */
    VM_OF_TEMP_ENTRY = 0x02,      /* JCRE temporary entry point: may not be stored in fields */
    VM_OF_GLOBAL = 0x04,          /* global array: any context may access it */
    VM_OF_CLEAR_ON_RESET = 0x08,  /* data in RAM, cleared at power-up */
    VM_OF_CLEAR_ON_DESELECT = 0x10, /* data in RAM, cleared when the owner is deselected */
    VM_OF_INTEGRITY = 0x20,       /* integrity-sensitive array (SensitiveArrays): every store goes
                                   * through vm_heap_write, which checks the CRCs of the blocks it touches
                                   * (not the whole array) and updates them */
};
#define VM_OF_TRANSIENT (VM_OF_CLEAR_ON_RESET | VM_OF_CLEAR_ON_DESELECT)

/* Array element types: the JCVM newarray codes, plus one for references. */
enum { VM_T_BOOLEAN = 10, VM_T_BYTE = 11, VM_T_SHORT = 12, VM_T_INT = 13, VM_T_REF = 14 };

/* Results of heap operations (also used as internal error codes by the VM). */
enum { VM_OK = 0, VM_ERR_NOMEM = -1, VM_ERR_TXFULL = -2, VM_ERR_IO = -3, VM_ERR_BAD = -4,
       VM_ERR_INTEGRITY = -5 /* an integrity-sensitive array's data does not match its control element */ };

/* An integrity-sensitive array's control element, kept after its data: one CRC-32 (4 bytes) per
 * VM_INTEGRITY_BLOCK bytes of data (the last block may be shorter; an empty array has one). */
#define VM_INTEGRITY_LEN 4
#define VM_INTEGRITY_BLOCK 256u

typedef struct vm_heap vm_heap_t;

/* A decoded object: what every access needs, read once from the header. */
typedef struct {
    uint16_t handle;
    uint8_t kind, flags, owner, etype;
    uint16_t cls;      /* class id of an instance, element class of a reference array (0xFFFF: any) */
    uint32_t len;      /* elements (array), cells (instance), bytes (blob) */
    uint32_t data_off; /* image offset of the data (persistent objects) */
    uint32_t data_len; /* bytes of data */
} vm_obj_t;

/* Opens the heap at [base, img_size). A blank area (all zero header) is formatted when format
 * is true. Anything else that does not validate is refused with e set and nothing written. */
int vm_heap_open(img_t *img, uint32_t base, bool format, vm_heap_t **out, cl_error_t *e);
void vm_heap_close(vm_heap_t *h);

/* Bytes per element of an array of etype, 0 for no array type. Inline: on every array access. */
static inline uint32_t vm_heap_elem_size(uint8_t etype)
{
    switch (etype) {
    case VM_T_BOOLEAN: case VM_T_BYTE: return 1;
    case VM_T_SHORT: case VM_T_REF: return 2;
    case VM_T_INT: return 4;
    default: return 0;
    }
}

/* Allocates an object with zeroed data. Inside an open img group the allocation belongs to it
 * (undone by abort); otherwise it is one atomic group by itself. Returns VM_OK or an error; on an
 * error nothing of it stays (inside a group: VM_ERR_TXFULL, none of its writes left in the group).
 * Zeroed also after an aborted group whose objects had non-atomic stores: the heap remembers how
 * far such a group allocated and zeroes that range of the free area again (at vm_heap_clear_transient
 * after the abort, at the latest before the next allocation). */
int vm_heap_alloc(vm_heap_t *h, uint8_t kind, uint8_t flags, uint8_t owner, uint8_t etype, uint16_t cls,
                  uint32_t len, uint16_t *handle);

/* Allocates a blob holding data. The data is written with img_write beyond the bump pointer
 * (unreachable until the allocation commits) so a large blob does not fill the open group;
 * if that group aborts, vm_heap_scrub() zeroes it again. */
int vm_heap_alloc_blob(vm_heap_t *h, uint8_t owner, const void *data, uint32_t len, uint16_t *handle);
/* Restores "everything beyond the bump pointer is zero" (after an aborted install or a crash). */
int vm_heap_scrub(vm_heap_t *h);

/* Decodes handle into o. Returns false for null, free, or anything that does not validate. */
bool vm_heap_get(const vm_heap_t *h, uint16_t handle, vm_obj_t *o);

/* JCRE 7.6.3: true when handle named an object created inside an img group (JCSystem
 * transaction, package or applet install) that was later aborted. Such a reference must behave
 * as null everywhere. The heap records the handles it allocates while a group is open; once the
 * group has aborted they are void (a RAM bitmap) and vm_heap_alloc never hands them out again
 * until vm_heap_void_forget says nothing can name them any more, or the heap is reopened.
 * A committed group's handles are ordinary objects. Cheap: two bitmap lookups. */
bool vm_heap_is_void(const vm_heap_t *h, uint16_t handle);
/* Void handles now recorded (counts those of aborted groups not yet looked at, too). */
uint32_t vm_heap_void_count(vm_heap_t *h);
/* Lets void handles be allocated again: every one whose bit is clear in keep (one bit per
 * handle; NULL: all). The caller proves nothing can still name them (vm_gc_forget_void scans the
 * VM's stack, transient RAM and every object; a power-up clears every transient array first). */
void vm_heap_void_forget(vm_heap_t *h, const uint8_t *keep);

/* Readable data of an object (RAM for transient objects, the image otherwise). */
const uint8_t *vm_heap_data(vm_heap_t *h, const vm_obj_t *o); /* NULL: out of RAM */
/* Writable RAM data of a transient object (the interpreter's store fast path: transient contents
 * take no part in transactions, so a plain store is the whole write). NULL: not transient, an
 * integrity-sensitive array (its stores must go through vm_heap_write), or out of RAM. */
uint8_t *vm_heap_ram_data(vm_heap_t *h, const vm_obj_t *o);

/* Stores n bytes at data position pos (bounds checked). atomic: when a group is open the store
 * joins it; !atomic always writes at once (non-atomic API operations). Transient data: RAM.
 * An integrity-sensitive array is checked first (the blocks the store touches; VM_ERR_INTEGRITY,
 * nothing written, on a mismatch) and their CRCs are stored with the data in one atomic step; a store
 * while a group is open joins the group even when !atomic (JCRE 7.7 leaves a non-atomically
 * updated array's content unspecified after an abort; data and control element stay consistent).
 * Over the group's capacity: VM_ERR_TXFULL and nothing written. */
int vm_heap_write(vm_heap_t *h, const vm_obj_t *o, uint32_t pos, const void *src, uint32_t n, bool atomic);
int vm_heap_fill(vm_heap_t *h, const vm_obj_t *o, uint32_t pos, uint8_t value, uint32_t n, bool atomic);

/* Integrity-sensitive arrays (SensitiveArrays). vm_heap_integrity_ok: true when o has no
 * control element or all its data matches it (every block; a store checks only its own blocks). vm_heap_clear_array: zeroes all of o's data and resets
 * its control element without checking it first (clearArray), one atomic step that joins an open
 * group (VM_ERR_TXFULL: nothing cleared). */
bool vm_heap_integrity_ok(vm_heap_t *h, const vm_obj_t *o);
int vm_heap_clear_array(vm_heap_t *h, const vm_obj_t *o);

/* Root handles (package table, system objects). */
uint16_t vm_heap_root(const vm_heap_t *h, unsigned idx);
int vm_heap_set_root(vm_heap_t *h, unsigned idx, uint16_t handle);

/* Releases RAM of transient objects that no longer validate (after a group abort) and clears
 * the transient data of objects matching (flag mask, owner; owner 0xFFFF = any owner).
 * flag 0 (what every group abort is followed by): only the first part, and the free area the
 * aborted group's objects used is zeroed again (their non-atomic stores are not undone).
 * Clearing both kinds for every owner is the power-up (vm_power_on, no frame running): no RAM
 * can name a void handle afterwards, so the void handles are forgotten too. */
void vm_heap_clear_transient(vm_heap_t *h, uint8_t flag, int owner);

/* Garbage collection, second half: frees every handle whose bit is clear in live (one bit per
 * handle) and slides the live objects down so the free space is one block again. Each move is
 * crash-safe (a handle always names a complete copy); an object too large for one atomic step
 * that would overlap its own old place stays where it is. No img group may be open. Returns
 * the bytes reclaimed, or -1 on an I/O error (the heap stays consistent). */
long vm_heap_compact(vm_heap_t *h, const uint8_t *live);
uint16_t vm_heap_handle_count(const vm_heap_t *h);

/* Bytes of transient data the live transient objects hold (counted against VM_TRANSIENT_BUDGET). */
uint32_t vm_heap_transient_bytes(vm_heap_t *h);

/* Free bytes left in the object area (for JCSystem.getAvailableMemory). */
uint32_t vm_heap_free_bytes(const vm_heap_t *h);
uint32_t vm_heap_used_handles(const vm_heap_t *h);

#endif
