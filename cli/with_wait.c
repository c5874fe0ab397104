/* with_wait: waits, through libpcsclite as any client would, until the private pcscd lists our reader and
 * the card is present (or gone). libpcsclite reads PCSCLITE_CSOCK_NAME once, so the caller sets it first. */
#include "cli/with.h"

#include <PCSC/winscard.h>
#include <PCSC/pcsclite.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool pcscd_gone(struct with_run *run, cl_error_t *e)
{
    int st;
    if (!with_child_exited(run->pcscd_pid, &st)) return false;
    char why[96];
    cl_seterr(e, "pcscd did not start: it %s (log: %s)", with_describe_status(st, why, sizeof why), run->pcscd_log);
    run->pcscd_pid = 0;
    return true;
}

/* Finds the first reader whose name starts with "FRIENDLY " in a multi-string list. */
static bool find_reader(const char *list, DWORD len, const char *friendly, char *out, size_t cap)
{
    size_t flen = strlen(friendly);
    for (const char *p = list; p < list + len && *p; p += strlen(p) + 1)
        if (!strncmp(p, friendly, flen) && p[flen] == ' ') {
            size_t n = strnlen(p, cap - 1); /* reader names are at most 128 bytes; cut, never overflow */
            memcpy(out, p, n);
            out[n] = 0;
            return true;
        }
    return false;
}

int with_wait_reader(struct with_run *run, int timeout_ms, cl_error_t *e)
{
    uint64_t deadline = cl_now_ns() + (uint64_t)timeout_ms * 1000000u;
    SCARDCONTEXT ctx = 0;
    bool have_ctx = false, listed = false;
    LONG last = SCARD_S_SUCCESS;
    while (!with_stop_signal) {
        if (pcscd_gone(run, e)) goto fail;
        if (!have_ctx && access(run->csock, F_OK) == 0) {
            last = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
            have_ctx = last == SCARD_S_SUCCESS;
        }
        if (have_ctx) {
            char list[4096];
            DWORD len = sizeof list;
            last = SCardListReaders(ctx, NULL, list, &len);
            if (last == SCARD_S_SUCCESS && find_reader(list, len, run->friendly, run->reader_name, sizeof run->reader_name)) {
                listed = true;
                /* pcscd lists a reader whose driver failed to load too; a live one reports EMPTY or PRESENT. */
                SCARD_READERSTATE rs;
                memset(&rs, 0, sizeof rs);
                rs.szReader = run->reader_name;
                rs.dwCurrentState = SCARD_STATE_UNAWARE;
                if (SCardGetStatusChange(ctx, 0, &rs, 1) == SCARD_S_SUCCESS &&
                    (rs.dwEventState & (SCARD_STATE_EMPTY | SCARD_STATE_PRESENT))) {
                    SCardReleaseContext(ctx);
                    return 0;
                }
            }
            if (last == SCARD_E_NO_SERVICE) { /* pcscd went away under us: start over */
                SCardReleaseContext(ctx);
                have_ctx = false;
            }
        }
        if (cl_now_ns() >= deadline) break;
        with_sleep_ms(20);
    }
    if (with_stop_signal) cl_seterr(e, "interrupted by signal %d while waiting for pcscd", with_stop_signal);
    else if (!have_ctx)
        cl_seterr(e, "pcscd did not start: no answer on %s within %d ms (%s; log: %s)", run->csock, timeout_ms,
                  pcsc_stringify_error(last), run->pcscd_log);
    else if (listed)
        cl_seterr(e, "no reader: pcscd lists \"%s\" but it never came up within %d ms; the driver %s did not load "
                  "or could not open %s (log: %s)", run->reader_name, timeout_ms, run->driver_path, run->reader_addr,
                  run->pcscd_log);
    else
        cl_seterr(e, "no reader: pcscd runs but lists no reader \"%s\" after %d ms; the driver %s did not load "
                  "or could not open %s (log: %s)", run->friendly, timeout_ms, run->driver_path, run->reader_addr,
                  run->pcscd_log);
fail:
    if (have_ctx) SCardReleaseContext(ctx);
    return -1;
}

int with_wait_card(struct with_run *run, bool want_present, int timeout_ms, cl_error_t *e)
{
    uint64_t deadline = cl_now_ns() + (uint64_t)timeout_ms * 1000000u;
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS) {
        cl_seterr(e, "pcscd does not answer: %s", pcsc_stringify_error(rv));
        return -1;
    }
    SCARD_READERSTATE rs;
    memset(&rs, 0, sizeof rs);
    rs.szReader = run->reader_name;
    rs.dwCurrentState = SCARD_STATE_UNAWARE;
    int result = -1;
    bool mute = false;
    while (!with_stop_signal) {
        if (pcscd_gone(run, e)) goto out;
        int st;
        if (want_present && run->card_pid && with_child_exited(run->card_pid, &st)) {
            char why[96];
            cl_seterr(e, "no card: the card daemon %s before the reader saw a card (log: %s)",
                      with_describe_status(st, why, sizeof why), run->card_log);
            run->card_pid = 0;
            goto out;
        }
        uint64_t now = cl_now_ns();
        if (now >= deadline) break;
        uint64_t left_ms = (deadline - now) / 1000000u;
        rv = SCardGetStatusChange(ctx, left_ms < 100 ? (DWORD)left_ms + 1 : 100, &rs, 1);
        if (rv == SCARD_S_SUCCESS) {
            rs.dwCurrentState = rs.dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
            bool present = (rs.dwEventState & SCARD_STATE_PRESENT) && !(rs.dwEventState & SCARD_STATE_MUTE);
            mute = (rs.dwEventState & SCARD_STATE_MUTE) != 0;
            if (present == want_present) {
                result = 0;
                goto out;
            }
        } else if (rv != SCARD_E_TIMEOUT) {
            cl_seterr(e, "waiting for the card in \"%s\": %s", run->reader_name, pcsc_stringify_error(rv));
            goto out;
        }
    }
    if (with_stop_signal) cl_seterr(e, "interrupted by signal %d while waiting for the card", with_stop_signal);
    else if (want_present)
        cl_seterr(e, "no card: reader \"%s\" shows no %scard after %d ms (card daemon log: %s)", run->reader_name,
                  mute ? "working (mute) " : "", timeout_ms, run->card_log);
    else
        cl_seterr(e, "card still present in \"%s\" after %d ms", run->reader_name, timeout_ms);
out:
    SCardReleaseContext(ctx);
    return result;
}
