/* vm_load: installing CAP files into the VM and re-linking them at boot.
 *
 * Storage choice: the CAP's component stream (standard components, Debug dropped) is kept in a
 * heap blob; the linked form (resolved constant pool, class tables) lives in RAM and is rebuilt
 * by vm_load_boot. Bytecode is never rewritten: instructions keep their constant pool indices and
 * the interpreter reads the resolved entry (so RefLocation needs no patching; cap_parse checks it).
 * An install is one img group (blob, static field image, its arrays, the package table entry):
 * a CAP that fails any check leaves nothing behind. */
#ifndef VM_LOAD_H
#define VM_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/cl_util.h"
#include "vm/vm_rt.h"

/* Installs a CAP (JAR or component stream). On success *slot is the package's slot. */
int vm_load_install(vm_t *vm, const uint8_t *cap, size_t len, uint8_t *slot, cl_error_t *e);
/* Re-links every stored package (called by vm_open). */
int vm_load_boot(vm_t *vm, cl_error_t *e);
void vm_pkg_free(vm_t *vm, uint8_t slot);
/* Slot of the installed package with this AID, -1 if none. */
int vm_pkg_find(vm_t *vm, const uint8_t *aid, uint8_t len);

/* Creates an applet instance: runs class_aid's install(bArray, bOffset, bLength) with the
 * standard install parameters (LV instance AID, LV control info, LV applet data) in the package's
 * context; the instance must call register(). One img group: a failed install leaves nothing. */
int vm_install_applet(vm_t *vm, const uint8_t *class_aid, uint8_t class_aid_len, const uint8_t *inst_aid,
                      uint8_t inst_aid_len, const uint8_t *params, uint8_t params_len, uint8_t flags,
                      cl_error_t *e);

/* What on the card already has this AID (vm_aid.c): NULL if nothing, else its description. The
 * ISD, every package (API and installed) and its applet classes, every instance and registry
 * application count; package slot skip_slot (the one being linked) does not, and neither does
 * own_class (an instance may be named like the applet class it instantiates). */
const char *vm_aid_taken(vm_t *vm, const uint8_t *aid, uint8_t len, int skip_slot, const uint8_t *own_class,
                         uint8_t own_class_len);

/* Package and applet tables (vm.c). */
int vm_pkg_table_get(vm_t *vm, uint8_t slot, uint16_t *blob, uint16_t *statics);
int vm_pkg_table_set(vm_t *vm, uint8_t slot, uint16_t blob, uint16_t statics);
int vm_applets_reload(vm_t *vm);
int vm_applet_remove(vm_t *vm, const uint8_t *aid, uint8_t len);
int vm_applet_add(vm_t *vm, const uint8_t *aid, uint8_t len, uint8_t pkg, uint16_t obj, uint8_t flags);

#endif
