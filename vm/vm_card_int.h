/* vm_card_int: what vm_card.c (the applets as registry applications) shares with
 * vm_card_admin.c (installing, deleting, listing). Internal to vm/. */
#ifndef VM_CARD_INT_H
#define VM_CARD_INT_H

#include "apdu/apdu_reg.h"
#include "vm/vm_rt.h"

/* javacardx.apdu (AID A0000000620209, 1.0) is one of vm_native.c's API packages. */
#define VM_EXTENDED_LENGTH VM_CLASS_ID(VM_PKG_APDUX, 0) /* javacardx.apdu.ExtendedLength */
/* The most command or response data an ExtendedLength applet handles: the API counts in shorts
 * (JCRE 3.0.5 9.4.4: a longer Lc is refused with 67 00). */
#define VM_APDU_EXT_MAX 32767u

/* Does applet i's class implement javacardx.apdu.ExtendedLength (itself, through a superclass or a
 * superinterface)? Decided by the class's interface list, so a CAP from any converter counts. */
bool vm_card_applet_extended(vm_t *vm, int i);

/* The registry callbacks every VM applet instance is registered with. */
extern const apdu_app_ops_t vm_app_ops;
/* Registers every applet instance not yet in the registry (never fails the card: see vm_card.c). */
int vm_card_register_all(vm_t *vm, cl_error_t *e);
/* After an applet call: a transaction left open is aborted (JCRE 7.6.3). */
void vm_card_end_of_call(vm_t *vm);

#endif
