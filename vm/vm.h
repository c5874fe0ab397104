/* vm: the Java Card VM as a whole -- open it on the card image, power cycle it, close it.
 * The card runtime uses vm_card.h (applets, commands); tools use vm_load.h (install, list). */
#ifndef VM_H
#define VM_H

#include <stdint.h>

#include "common/cl_util.h"
#include "image/img.h"

typedef struct vm vm_t;

#define VM_APDU_BUF_LEN 1040 /* 5/7 header bytes + up to 1024 data bytes + room for Le */

/* Opens the VM on the image's VM area [heap_offset, img_size): formats a blank area, links the
 * C API, re-links every installed package and restores the applet table. Returns NULL with e
 * set when the area is damaged (the image is left untouched). */
vm_t *vm_open(img_t *img, uint32_t heap_offset, cl_error_t *e);
void vm_close(vm_t *vm);

/* Power-up / reset: clears CLEAR_ON_RESET data, aborts a transaction left open, deselects all. */
void vm_power_on(vm_t *vm);

#endif
