/* vm_aid: one AID space for everything on the card. GlobalPlatform keeps load files (packages),
 * modules (applet classes), applications (instances) and security domains in one registry whose
 * AIDs are unique; the VM refuses a package or an instance whose AID something on the card has. */
#include "vm/vm_rt.h"
#include "vm/vm_load.h"
#include "apdu/apdu_reg.h"

#include <string.h>

/* The issuer security domain (card/card_isd.c): it is not a VM package, but its AID is taken. */
static const uint8_t isd_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };

static bool same(const uint8_t *a, uint8_t an, const uint8_t *b, uint8_t bn)
{
    return an == bn && !memcmp(a, b, an);
}

const char *vm_aid_taken(vm_t *vm, const uint8_t *aid, uint8_t len, int skip_slot, const uint8_t *own_class,
                         uint8_t own_class_len)
{
    if (same(aid, len, isd_aid, sizeof isd_aid)) return "the issuer security domain";
    for (int s = 1; s < VM_MAX_PKGS; s++) {
        const vm_pkg_t *p = vm->pkgs[s];
        if (!p || s == skip_slot) continue;
        if (same(aid, len, p->aid, p->aid_len)) return p->native ? "an API package" : "an installed package";
        for (unsigned k = 0; k < p->napplets; k++)
            if (same(aid, len, p->applets[k].aid, p->applets[k].aid_len) &&
                !(own_class && same(aid, len, own_class, own_class_len)))
                return "an applet class of an installed package";
    }
    if (vm_applet_find(vm, aid, len) >= 0) return "an applet instance";
    if (vm->reg && apdu_reg_find(vm->reg, aid, len) >= 0) return "an application of the card";
    return NULL;
}
