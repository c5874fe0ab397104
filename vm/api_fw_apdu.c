/* api_fw_apdu: javacard.framework.APDU, the applet's view of the current command, and
 * javacardx.apdu.ExtendedLength, the tagging interface that lets an applet see extended lengths.
 * The APDU object and its buffer are JCRE-owned (a temporary entry point and a global array).
 * State follows the APDU class's state machine; the response data collects in vm->apdu.resp.
 *
 * Extended lengths (JCRE 3.0.5 9.4.4, docs/apdu.md): vm_card.c refuses an extended command to an
 * applet that does not implement ExtendedLength (67 00, process() never runs) and any Lc above
 * 32767; here the data of a longer command arrives through the APDU buffer in chunks
 * (setIncomingAndReceive, then receiveBytes), and up to 32767 bytes go out (sendBytes /
 * sendBytesLong in as many calls as the applet likes). */
#include "vm/vm_card_int.h"
#include "vm/vm_native.h"

#include <string.h>

#define APDU_EXC 12
enum { ST_INITIAL = 0, ST_PARTIAL_IN = 1, ST_FULL_IN = 2, ST_OUT = 3, ST_OUT_LEN = 4, ST_PARTIAL_OUT = 5, ST_FULL_OUT = 6 };
enum { ILLEGAL_USE = 1, BUFFER_BOUNDS = 2, BAD_LENGTH = 3 };
/* Outgoing length limits: 256 for every applet (APDUException.BAD_LENGTH above it), up to
 * Short.MAX_VALUE for one that implements ExtendedLength (the Java Card API counts in shorts). */
#define APDU_SHORT_OUT_MAX 256u

static int apdu_throw(vm_t *vm, int reason) { vm_throw_api(vm, VM_PKG_FRAMEWORK, APDU_EXC, (int16_t)reason); return VM_NAT_THROW; }

static uint8_t *buffer(vm_t *vm, vm_obj_t *o)
{
    if (!vm_heap_get(vm->heap, vm_sys_get(vm, VM_SYS_APDU_BUF), o) || o->kind != VM_KIND_ARRAY) return NULL;
    return (uint8_t *)vm_heap_data(vm->heap, o); /* transient: RAM the VM owns */
}

static int get_buffer(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = vm_sys_get(vm, VM_SYS_APDU_BUF); return VM_NAT_OK; }

/* APDU.getCurrentAPDU / getCurrentAPDUBuffer: only while a command is being processed and only from
 * the selected applet's context (3.0.5 API: SecurityException otherwise, also during installation,
 * deletion, select() and deselect()). */
static bool current_allowed(vm_t *vm)
{
    return vm->apdu.active && vm->cur_applet >= 0 && vm->cur_applet < vm->napplets &&
           vm->cur_ctx == vm->applets[vm->cur_applet].pkg;
}

static int get_current(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    if (!current_allowed(vm)) { vm_throw_security(vm, "APDU.getCurrentAPDU outside the selected applet's process()"); return VM_NAT_THROW; }
    ret[0] = vm_sys_get(vm, VM_SYS_APDU);
    return VM_NAT_OK;
}

static int get_current_buffer(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    if (!current_allowed(vm)) { vm_throw_security(vm, "APDU.getCurrentAPDUBuffer outside the selected applet's process()"); return VM_NAT_THROW; }
    ret[0] = vm_sys_get(vm, VM_SYS_APDU_BUF);
    return VM_NAT_OK;
}

static uint32_t receive(vm_t *vm, uint8_t *buf, uint32_t cap, uint32_t off)
{
    vm_apdu_state_t *a = &vm->apdu;
    uint32_t n = a->nc - a->received;
    if (off >= cap) return 0;
    if (n > cap - off) n = cap - off;
    if (n) memcpy(buf + off, a->cmd_data + a->received, n);
    a->received += n;
    a->state = a->received == a->nc ? ST_FULL_IN : ST_PARTIAL_IN;
    return n;
}

static int set_incoming_and_receive(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    vm_obj_t o;
    uint8_t *buf = buffer(vm, &o);
    if (!buf || vm->apdu.state != ST_INITIAL) return apdu_throw(vm, ILLEGAL_USE);
    ret[0] = (uint16_t)receive(vm, buf, o.len, vm->apdu.hdr_len);
    return VM_NAT_OK;
}

static int receive_bytes(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    vm_obj_t o;
    uint8_t *buf = buffer(vm, &o);
    int16_t off = (int16_t)args[1];
    if (!buf || (vm->apdu.state != ST_PARTIAL_IN && vm->apdu.state != ST_FULL_IN)) return apdu_throw(vm, ILLEGAL_USE);
    if (off < 0 || (uint32_t)off >= o.len) return apdu_throw(vm, BUFFER_BOUNDS);
    ret[0] = (uint16_t)receive(vm, buf, o.len, (uint32_t)off);
    return VM_NAT_OK;
}

/* setOutgoing's answer, Ne: what Le asked for (Le 00 = 256, extended Le 0000 = 65536), capped at
 * 32767 because the API returns a short. Without Le: 256 for a short command; for an extended one
 * the most the applet may send, as the router then allows up to 65536 (docs/apdu.md). */
static uint32_t expected_length(const vm_apdu_state_t *a)
{
    uint32_t ne = a->ne;
    if (!ne) ne = a->extended ? VM_APDU_EXT_MAX : APDU_SHORT_OUT_MAX;
    return ne > VM_APDU_EXT_MAX ? VM_APDU_EXT_MAX : ne;
}

static int set_outgoing(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    vm_apdu_state_t *a = &vm->apdu;
    if (a->state >= ST_OUT) return apdu_throw(vm, ILLEGAL_USE);
    a->state = ST_OUT;
    ret[0] = (uint16_t)expected_length(a);
    return VM_NAT_OK;
}

/* setOutgoingNoChaining: the same answer, and the mode is remembered for waitExtension. */
static int set_outgoing_no_chaining(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    if (set_outgoing(vm, args, ret)) return VM_NAT_THROW;
    vm->apdu.no_chaining = true;
    return VM_NAT_OK;
}

static int set_outgoing_length(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_apdu_state_t *a = &vm->apdu;
    int16_t len = (int16_t)args[1];
    if (a->state != ST_OUT) return apdu_throw(vm, ILLEGAL_USE);
    /* More than 256 bytes only for an applet implementing javacardx.apdu.ExtendedLength
     * (APDUException.BAD_LENGTH); the limit follows the applet, not the command's format. */
    uint32_t max = vm_card_applet_extended(vm, vm->cur_applet) ? VM_APDU_EXT_MAX : APDU_SHORT_OUT_MAX;
    if (len < 0 || (uint32_t)len > max || (uint32_t)len > a->resp_cap) return apdu_throw(vm, BAD_LENGTH);
    a->out_len = (uint32_t)len;
    a->state = ST_OUT_LEN;
    return VM_NAT_OK;
}

static int send(vm_t *vm, const uint8_t *p, uint32_t n)
{
    vm_apdu_state_t *a = &vm->apdu;
    if (a->state != ST_OUT_LEN && a->state != ST_PARTIAL_OUT) return apdu_throw(vm, ILLEGAL_USE);
    if (a->sent + n > a->out_len || a->resp_len + n > a->resp_cap) return apdu_throw(vm, ILLEGAL_USE);
    memcpy(a->resp + a->resp_len, p, n);
    a->resp_len += n;
    a->sent += n;
    a->state = a->sent == a->out_len ? ST_FULL_OUT : ST_PARTIAL_OUT;
    return VM_NAT_OK;
}

static int send_bytes(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    uint8_t *buf = buffer(vm, &o);
    int16_t off = (int16_t)args[1], len = (int16_t)args[2];
    if (!buf) return apdu_throw(vm, ILLEGAL_USE);
    if (off < 0 || len < 0 || (uint32_t)off + (uint32_t)len > o.len) return apdu_throw(vm, BUFFER_BOUNDS);
    return send(vm, buf + off, (uint32_t)len);
}

static int send_bytes_long(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)ret;
    vm_obj_t o;
    int16_t off = (int16_t)args[2], len = (int16_t)args[3];
    const uint8_t *p = vm_nat_bytes(vm, args[1], off, len < 0 ? 0 : len, &o);
    if (!p) return VM_NAT_THROW;
    if (len < 0) return apdu_throw(vm, BAD_LENGTH);
    return send(vm, p, (uint32_t)len);
}

static int set_outgoing_and_send(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    uint16_t r[2];
    uint16_t a1[1] = { args[0] }, a2[2] = { args[0], args[2] };
    if (set_outgoing(vm, a1, r) || set_outgoing_length(vm, a2, r)) return VM_NAT_THROW;
    return send_bytes(vm, args, ret);
}

static int get_incoming_length(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    if (vm->apdu.state < ST_PARTIAL_IN || vm->apdu.state >= ST_OUT) return apdu_throw(vm, ILLEGAL_USE);
    ret[0] = (uint16_t)vm->apdu.nc;
    return VM_NAT_OK;
}

static int get_offset_cdata(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    if (vm->apdu.state < ST_PARTIAL_IN || vm->apdu.state >= ST_OUT) return apdu_throw(vm, ILLEGAL_USE);
    ret[0] = (uint16_t)vm->apdu.hdr_len;
    return VM_NAT_OK;
}

static int get_state(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = (uint16_t)(int16_t)vm->apdu.state; return VM_NAT_OK; }
static int get_zero(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 0; return VM_NAT_OK; }
static int get_protocol(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 1; return VM_NAT_OK; } /* T=1 */
static int block_size(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)vm; (void)args; ret[0] = 254; return VM_NAT_OK; }
/* waitExtension: nothing to wait for on a virtual reader (T=1 WTX is the driver's business), but
 * in no-chaining mode it is ILLEGAL_USE (JCRE 3.0.5 9.4.2.1). */
static int wait_ext(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args; (void)ret;
    return vm->apdu.no_chaining ? apdu_throw(vm, ILLEGAL_USE) : VM_NAT_OK;
}
static int cla_channel(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    uint8_t c = vm->apdu.cla;
    ret[0] = (c & 0x40) ? (uint16_t)(4 + (c & 0x0F)) : (uint16_t)(c & 0x03);
    return VM_NAT_OK;
}
static int is_chaining(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = (vm->apdu.cla & 0x10) != 0; return VM_NAT_OK; }
static int is_sm(vm_t *vm, uint16_t *args, uint16_t *ret)
{
    (void)args;
    uint8_t c = vm->apdu.cla;
    ret[0] = (c & 0x40) ? (c & 0x20) != 0 : (c & 0x0C) != 0;
    return VM_NAT_OK;
}
static int is_iso(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = (vm->apdu.cla & 0x80) == 0; return VM_NAT_OK; }
static int is_valid_cla(vm_t *vm, uint16_t *args, uint16_t *ret) { (void)args; ret[0] = vm->apdu.cla != 0xFF; return VM_NAT_OK; }

static const vm_native_method_t apdu_methods[] = {
    { VM_NAT_STATIC, 0, "getInBlockSize()S", block_size },
    { VM_NAT_STATIC, 1, "getOutBlockSize()S", block_size },
    { VM_NAT_STATIC, 2, "getProtocol()B", get_protocol },
    { VM_NAT_STATIC, 3, "waitExtension()V", wait_ext },
    { VM_NAT_STATIC, 4, "getCurrentAPDU()Ljavacard/framework/APDU;", get_current },
    { VM_NAT_STATIC, 5, "getCurrentAPDUBuffer()[B", get_current_buffer },
    { VM_NAT_STATIC, 6, "getCLAChannel()B", cla_channel },
    /* virtual 0, equals: Object's (api_lang.c), found through the superclass */
    { VM_NAT_VIRTUAL, 1, "getBuffer()[B", get_buffer },
    { VM_NAT_VIRTUAL, 2, "getNAD()B", get_zero },
    { VM_NAT_VIRTUAL, 3, "receiveBytes(S)S", receive_bytes },
    { VM_NAT_VIRTUAL, 4, "sendBytes(SS)V", send_bytes },
    { VM_NAT_VIRTUAL, 5, "sendBytesLong([BSS)V", send_bytes_long },
    { VM_NAT_VIRTUAL, 6, "setIncomingAndReceive()S", set_incoming_and_receive },
    { VM_NAT_VIRTUAL, 7, "setOutgoing()S", set_outgoing },
    { VM_NAT_VIRTUAL, 8, "setOutgoingAndSend(SS)V", set_outgoing_and_send },
    { VM_NAT_VIRTUAL, 9, "setOutgoingLength(S)V", set_outgoing_length },
    { VM_NAT_VIRTUAL, 10, "setOutgoingNoChaining()S", set_outgoing_no_chaining },
    { VM_NAT_VIRTUAL, 11, "getCurrentState()B", get_state },
    { VM_NAT_VIRTUAL, 12, "isCommandChainingCLA()Z", is_chaining },
    { VM_NAT_VIRTUAL, 13, "isSecureMessagingCLA()Z", is_sm },
    { VM_NAT_VIRTUAL, 14, "isISOInterindustryCLA()Z", is_iso },
    { VM_NAT_VIRTUAL, 15, "getIncomingLength()S", get_incoming_length },
    { VM_NAT_VIRTUAL, 16, "getOffsetCdata()S", get_offset_cdata },
    { VM_NAT_VIRTUAL, 17, "isValidCLA()Z", is_valid_cla },
};

static const vm_native_class_t fw_apdu_classes[] = {
    { VM_PKG_FRAMEWORK, 0, "javacard/framework/ISO7816", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
    { VM_PKG_FRAMEWORK, 10, "javacard/framework/APDU", VM_PKG_JAVA_LANG, 0, 0, 0, apdu_methods, CL_ARRAY_LEN(apdu_methods),
      NULL, 0 },
    /* javacardx.apdu.ExtendedLength: no methods; vm_card.c asks whether an applet's class implements it. */
    { VM_PKG_APDUX, 0, "javacardx/apdu/ExtendedLength", -1, -1, 0x8, 0, NULL, 0, NULL, 0 },
};

const vm_native_area_t vm_api_fw_apdu = { "APDU", fw_apdu_classes, CL_ARRAY_LEN(fw_apdu_classes) };
