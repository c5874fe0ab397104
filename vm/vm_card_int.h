/* vm_card_int: what vm_card.c (the applets as registry applications) shares with
 * vm_card_admin.c (installing, deleting, listing). Internal to vm/. */
#ifndef VM_CARD_INT_H
#define VM_CARD_INT_H

#include "apdu/apdu_reg.h"
#include "vm/vm_rt.h"

/* The registry callbacks every VM applet instance is registered with. */
extern const apdu_app_ops_t vm_app_ops;
/* Registers every applet instance not yet in the registry (never fails the card: see vm_card.c). */
int vm_card_register_all(vm_t *vm, cl_error_t *e);
/* After an applet call: a transaction left open is aborted (JCRE 7.6.3). */
void vm_card_end_of_call(vm_t *vm);

#endif
