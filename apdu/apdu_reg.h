/* apdu_reg: the application registry and the command router. Every application on the card (the
 * card manager now, the VM's applet instances later) is registered here and receives its commands
 * only through apdu_reg_process(), which also owns the logical channels (MANAGE CHANNEL) and
 * application selection (SELECT by AID), following the Java Card RE rules (JCRE 3.0.5 ch. 4).
 *
 * How an application plugs in:
 *
 *   static bool my_select(void *ctx, uint8_t channel) { ... return true; }   // false refuses: 69 99
 *   static void my_deselect(void *ctx, uint8_t channel) { ... }
 *   static int  my_process(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *resp)
 *   {   // cmd->cla_info.channel is the channel, cmd->selecting is true for the SELECT that selected us
 *       apdu_resp_append(resp, data, n);
 *       return APDU_SW_OK;                                  // any int; not a valid SW -> 6F 00
 *   }
 *   static const apdu_app_ops_t my_ops = { my_select, my_deselect, my_process };
 *   apdu_reg_add(reg, aid, aid_len, &my_ops, my_ctx, APDU_APP_MULTISELECTABLE, &err);
 *
 * Per-channel context: the router passes the channel number to every call; an application that
 * keeps per-channel state indexes it by that number (0..APDU_CHANNELS-1).
 *
 * Routing rules (what apdu_reg_process does with one command):
 *  - unparsable lengths -> 67 00; CLA 0xFF or RFU -> 6E 00; command on a closed channel -> 68 81
 *    (except a SELECT by AID, which opens the channel first, JCRE 4.5.2).
 *  - MANAGE CHANNEL (INS 70) is handled here, never forwarded (see apdu_chan.c for status words).
 *  - SELECT by AID (A4 04, P2 00/02 with any FCI bits) is handled here when it matches an
 *    application; a SELECT that matches nothing goes to the channel's current application, or 6A 82.
 *  - everything else goes to the channel's current application; none -> 6A 82.
 *
 * Not thread-safe: one card is driven by one thread. */
#ifndef APDU_REG_H
#define APDU_REG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/apdu.h"
#include "common/cl_util.h"

#define APDU_CHANNELS 20     /* channels 0..19 (ISO 7816-4 with further interindustry classes) */
#define APDU_AID_MIN 5
#define APDU_AID_MAX 16
#define APDU_APPS_MAX 256    /* registered applications */

typedef struct apdu_reg apdu_reg_t;

typedef struct {
    /* Called when the application becomes selected on channel; false refuses the selection. */
    bool (*select)(void *ctx, uint8_t channel);
    /* Called when it stops being selected on channel (another SELECT, channel close, reset). */
    void (*deselect)(void *ctx, uint8_t channel);
    /* Processes one command; returns the status word. Data goes into resp (the router caps it). */
    int (*process)(void *ctx, const apdu_cmd_t *cmd, apdu_resp_t *resp);
} apdu_app_ops_t;

enum apdu_app_flags {
    APDU_APP_DEFAULT_SELECTED = 1u << 0, /* selected on channel 0 at power-on and on channels opened from 0 */
    APDU_APP_MULTISELECTABLE = 1u << 1,  /* may be selected on several channels at once */
};

/* What the registry reports about one application (GET STATUS walks these). */
typedef struct {
    const uint8_t *aid;
    uint8_t aid_len;
    unsigned flags;
    void *ctx;
    const apdu_app_ops_t *ops;
} apdu_app_info_t;

apdu_reg_t *apdu_reg_new(void);
void apdu_reg_free(apdu_reg_t *reg); /* does not call deselect: the card is going away */

/* Registers an application. AID 5..16 bytes, unique; ops and its three functions non-NULL; at most
 * one application has APDU_APP_DEFAULT_SELECTED. Returns 0, or -1 with e set and nothing changed. */
int apdu_reg_add(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len, const apdu_app_ops_t *ops, void *ctx,
                 unsigned flags, cl_error_t *e);
/* Removes an application, deselecting it (deselect called) on every channel where it is selected.
 * Returns 0, or -1 if no application has that AID. */
int apdu_reg_remove(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len);

/* Makes the application with this AID the default of one channel (what MANAGE CHANNEL opened from
 * channel 0, SELECT with empty data and, for channel 0, power-on select there) instead of the card's
 * APDU_APP_DEFAULT_SELECTED application; aid NULL removes the override. Returns 0, or -1 for an
 * unknown AID or channel. Removing the application removes its overrides. */
int apdu_reg_set_channel_default(apdu_reg_t *reg, uint8_t channel, const uint8_t *aid, size_t aid_len);

/* Puts the application with this AID into a Java Card context (its package): context 0 (the default)
 * is none. A non-multiselectable application is refused (69 85) while its context is active on another
 * channel, through itself or another application of the same context (JCRE 3.0.5 4.2, 4.5.1, 4.5.2).
 * Returns 0, or -1 for an unknown AID. */
int apdu_reg_set_context(apdu_reg_t *reg, const uint8_t *aid, size_t aid_len, uint32_t context);

/* Registered applications in registration order: index 0..apdu_reg_count()-1. */
size_t apdu_reg_count(const apdu_reg_t *reg);
bool apdu_reg_get(const apdu_reg_t *reg, size_t index, apdu_app_info_t *out);
/* Index of the application with exactly this AID, or -1. */
long apdu_reg_find(const apdu_reg_t *reg, const uint8_t *aid, size_t aid_len);

/* Power-on / reset: deselects everything, closes channels 1-19, opens channel 0 and selects the
 * default application there (if any, and if its select() accepts). */
void apdu_reg_power_on(apdu_reg_t *reg);
/* Power off: deselects everything and closes every channel (commands then get 68 81). */
void apdu_reg_power_off(apdu_reg_t *reg);

bool apdu_reg_channel_open(const apdu_reg_t *reg, uint8_t channel);
/* Index of the application selected on channel, or -1 (none, or channel closed / out of range). */
long apdu_reg_selected(const apdu_reg_t *reg, uint8_t channel);
/* On how many open channels the application at index is selected (0 if none or no such index).
 * Inside select()/deselect() the channel being changed is not counted: this is what Java Card's
 * MultiSelectable.select(appInstAlreadySelected) / deselect(appInstStillSelected) need. */
unsigned apdu_reg_active_count(const apdu_reg_t *reg, size_t index);

/* Processes one C-APDU and writes the R-APDU (data || SW1 SW2) into resp, which must hold
 * APDU_RESP_MAX bytes. Returns the response length (>= 2). Never fails. */
size_t apdu_reg_process(apdu_reg_t *reg, const uint8_t *cmd, size_t len, uint8_t *resp);

#endif
