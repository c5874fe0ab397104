/* vm_card: the VM's applet instances on the card. Attaching the VM to a card opens it on the
 * card image's VM area, registers every installed applet instance with the card's application
 * registry (so SELECT by AID reaches it) and hooks the reset so CLEAR_ON_RESET data is cleared.
 *
 * A command reaches the selected applet's process(); an extended one (ISO 7816-4 3-byte Lc / 2-3
 * byte Le) only when the applet's class implements javacardx.apdu.ExtendedLength and Nc <= 32767,
 * otherwise the answer is 67 00 without process() running (JCRE 3.0.5 9.4.4, docs/apdu.md).
 *
 * For the card runtime (card_open / card_close):
 *     vm_t *vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, e);   // last step of card_open; NULL + e on failure
 *     vm_card_detach(card, vm);                                  // first step of card_close
 */
#ifndef VM_CARD_H
#define VM_CARD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "card/card.h"
#include "common/cl_util.h"
#include "vm/vm.h"

#define VM_CARD_HEAP_OFFSET 4096u /* the card record is [0, 4096) */

vm_t *vm_card_attach(card_t *card, uint32_t heap_offset, cl_error_t *e);
/* Powers the card's sessions off (deselect runs while the VM is alive), unregisters the applets,
 * closes the VM. The card stays usable without applets. */
void vm_card_detach(card_t *card, vm_t *vm);
/* Attaching is counted: attaching a card that already has its VM returns that VM (so a tool
 * may attach whether or not card_open already did), and only the last detach closes it.
 * vm_card_vm() is the card's VM, or NULL (for the card manager: LOAD, INSTALL, DELETE, GET STATUS). */
vm_t *vm_card_vm(card_t *card);

/* Installs a CAP and optionally creates an applet instance of class_aid (NULL: none) with the
 * instance AID (NULL: the class AID) and applet data; the instance is registered at once. If the
 * instance cannot be created, the package this call loaded is deleted again (nothing changes). */
int vm_card_install(vm_t *vm, const uint8_t *cap, size_t cap_len, const uint8_t *class_aid, uint8_t class_aid_len,
                    const uint8_t *inst_aid, uint8_t inst_aid_len, const uint8_t *params, uint8_t params_len,
                    bool default_selected, cl_error_t *e);

/* Deletion (GlobalPlatform DELETE). An applet instance: deselected, unregistered, removed from
 * the applet table. A package: refused while an instance of it exists or another installed
 * package imports it. The objects they owned stay in the heap (no garbage collection yet).
 * Returns 0, or -1 with e set and nothing changed. */
int vm_card_delete_applet(vm_t *vm, const uint8_t *aid, uint8_t aid_len, cl_error_t *e);
int vm_card_delete_package(vm_t *vm, const uint8_t *aid, uint8_t aid_len, cl_error_t *e);

/* What the card holds, for GET STATUS and tools. Pointers stay valid until the next install or delete. */
typedef struct {
    const uint8_t *aid;
    uint8_t aid_len;
    const uint8_t *pkg_aid;      /* the package it came from */
    uint8_t pkg_aid_len;
    bool default_selected;
} vm_instance_info_t;
int vm_card_instance_count(vm_t *vm);
bool vm_card_instance(vm_t *vm, int i, vm_instance_info_t *out);
int vm_card_package_count(vm_t *vm);

/* Lists packages and applet instances (for `cardlet image info`). */
void vm_card_describe(vm_t *vm, FILE *out);

#endif
