/* cardlet script: runs APDU scripts (scriptor's or apdutool's format, cli/script_parse.c) through PC/SC and
 * optionally checks each response against the expectation written in the script. Every file is parsed before
 * anything is sent, so a typo never leaves a card half-scripted. */
#include "cli/cli.h"
#include "cli/script.h"
#include "common/cl_util.h"

#include <PCSC/pcsclite.h>
#include <PCSC/winscard.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCRIPT_FILE_MAX (16u << 20)

struct runner {
    const char *reader_arg; /* --reader */
    DWORD protocols;        /* --protocol; default T=0|T=1 (pcscd picks, preferring T=1) */
    bool check, verbose;
    SCARDCONTEXT ctx;
    bool have_ctx;
    SCARDHANDLE card;
    bool connected;
    DWORD proto;
    char reader[MAX_READERNAME + 1];
    uint8_t resp[SCRIPT_APDU_MAX + 2];
    struct script_transcript *transcript; /* --expected */
    unsigned transcript_overrun;
    /* per file */
    const char *file;
    enum script_format format;
    bool output;
    unsigned sent, checked, mismatches;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cardlet script [--reader NAME] [--protocol T=0|T=1] [--format scriptor|apdutool] [--check]\n"
            "                      [--expected TRANSCRIPT] [-v] FILE...\n"
            "Sends the APDUs of each FILE (- for standard input) through PC/SC and prints the responses in the\n"
            "file's own style.\n\n"
            "  --reader NAME     reader to use (exact name or unique prefix; default: the first reader)\n"
            "  --protocol P      T=0 or T=1 (default: let pcscd choose)\n"
            "  --format F        scriptor or apdutool (default: detected per file)\n"
            "  --check           compare each response with its expectation; exit 1 on any mismatch\n"
            "  --expected FILE   also compare every exchange with the \"CLA: ..\" lines of a recorded apdutool\n"
            "                    transcript (implies --check; one script file)\n"
            "  -v, --verbose     reader, protocol and ATR on stderr\n\n"
            "scriptor files: hex APDU lines, `reset`, `exit`, # comments; expectation: a following line \"< 6F ... 90 00\".\n"
            "apdutool files: powerup; powerdown; echo \"..\"; 0xCLA 0xINS 0xP1 0xP2 0xLc [data] 0xLe;  // and /* */ comments;\n"
            "  expectation: a comment \"// expect: 90 00\" after the command.\n"
            "Patterns: hex bytes, .. any one byte, ... (or *) any bytes. Exit: 0 ok, 1 mismatch or card error, 2 bad\n"
            "usage or a script that does not parse (file:line: what is wrong).\n");
}

static void print_hex_spaced(FILE *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) fprintf(out, "%s%02X", i ? " " : "", b[i]);
}

static bool connect_card(struct runner *r, DWORD disposition_if_connected)
{
    LONG rv;
    if (r->connected) {
        rv = SCardReconnect(r->card, SCARD_SHARE_SHARED, r->protocols, disposition_if_connected, &r->proto);
        if (rv != SCARD_S_SUCCESS) {
            fprintf(stderr, "cardlet script: %s: reset of the card in \"%s\" failed: %s\n", r->file, r->reader,
                    pcsc_stringify_error(rv));
            return false;
        }
        return true;
    }
    rv = SCardConnect(r->ctx, r->reader, SCARD_SHARE_SHARED, r->protocols, &r->card, &r->proto);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "cardlet script: %s: cannot connect to the card in \"%s\": %s\n", r->file, r->reader,
                pcsc_stringify_error(rv));
        return false;
    }
    r->connected = true;
    if (r->format == SCRIPT_SCRIPTOR)
        printf("Using T=%d protocol\n", r->proto == SCARD_PROTOCOL_T0 ? 0 : 1); /* as scriptor says it */
    if (r->verbose) fprintf(stderr, "cardlet script: connected to \"%s\", T=%d\n", r->reader, r->proto == SCARD_PROTOCOL_T0 ? 0 : 1);
    return true;
}

static void disconnect_card(struct runner *r, DWORD disposition)
{
    if (r->connected) SCardDisconnect(r->card, disposition);
    r->connected = false;
}

/* Current ATR of the connected card; returns its length (0 on failure). */
static size_t card_atr(struct runner *r, uint8_t *atr, size_t cap)
{
    char name[MAX_READERNAME + 1];
    DWORD nlen = sizeof name, state, proto, alen = (DWORD)cap;
    if (SCardStatus(r->card, name, &nlen, &state, &proto, atr, &alen) != SCARD_S_SUCCESS) return 0;
    return alen;
}

/* Compares a response (or an ATR) with the step's expectation. */
static void check_step(struct runner *r, const struct script_step *st, const uint8_t *got, size_t n)
{
    if (!r->check || !st->expect) return;
    r->checked++;
    if (script_pattern_match(st->expect, st->expect_len, got, n)) return;
    r->mismatches++;
    char want[SCRIPT_PAT_MAX * 4 + 1];
    script_pattern_format(st->expect, st->expect_len, want, sizeof want);
    fprintf(stderr, "%s:%d: response mismatch (expectation on line %d)\n    expected: %s\n    got:      ", r->file,
            st->line, st->expect_line, want);
    print_hex_spaced(stderr, got, n > 64 ? 64 : n);
    fprintf(stderr, "%s\n", n > 64 ? " ..." : "");
}

static void print_scriptor_response(const uint8_t *b, size_t n)
{
    char sw[96];
    printf("< ");
    for (size_t i = 0; i < n; i++) {
        printf("%02X", b[i]);
        if (i + 1 < n) printf((i + 1) % 16 == 0 ? " \n" : " "); /* scriptor wraps after 16 bytes */
    }
    printf(" : %s\n", script_sw_text(b[n - 2], b[n - 1], sw, sizeof sw));
}

/* Compares an exchange with the next line of the recorded transcript (--expected). */
static void check_transcript(struct runner *r, const struct script_step *st, const char *line)
{
    struct script_transcript *t = r->transcript;
    if (!t) return;
    if (t->next >= t->n) {
        if (!r->transcript_overrun++)
            fprintf(stderr, "%s:%d: exchange beyond the end of transcript %s (%zu exchanges there)\n    got:      %s\n",
                    r->file, st->line, t->name, t->n, line);
        r->mismatches++;
        return;
    }
    r->checked++;
    size_t k = t->next++;
    if (script_transcript_same(line, t->lines[k])) return;
    r->mismatches++;
    fprintf(stderr, "%s:%d: response differs from %s:%d\n    expected: %s\n    got:      %s\n", r->file, st->line,
            t->name, t->line_no[k], t->lines[k], line);
}

/* Runs one parsed file. Returns 0, or 1 when the card could not be reached (the file stops there). */
static int run_file(struct runner *r, const char *file, const struct script *s)
{
    r->file = file;
    r->format = s->format;
    r->output = true;
    r->sent = r->checked = r->mismatches = 0;
    int rc = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        const struct script_step *st = &s->steps[i];
        switch (st->op) {
        case SOP_ECHO:
            if (r->output) printf("%s\n", st->text);
            break;
        case SOP_OUTPUT:
            r->output = st->on;
            break;
        case SOP_POWERDOWN:
            disconnect_card(r, SCARD_UNPOWER_CARD);
            break;
        case SOP_RESET:
        case SOP_POWERUP: {
            if (r->format == SCRIPT_SCRIPTOR && r->output) printf("> RESET\n");
            DWORD how = st->op == SOP_RESET ? SCARD_RESET_CARD : SCARD_UNPOWER_CARD;
            /* Not connected yet: connecting alone may find the card as the previous client left it (pcscd
             * keeps it powered for a grace period), so connect, then reset it as asked. */
            bool fresh = !r->connected;
            if (!connect_card(r, how) || (fresh && !connect_card(r, how))) {
                if (r->format == SCRIPT_SCRIPTOR) printf("< KO\n");
                rc = 1;
                break;
            }
            uint8_t atr[MAX_ATR_SIZE];
            size_t alen = card_atr(r, atr, sizeof atr);
            if (r->format == SCRIPT_SCRIPTOR && r->output) {
                printf("< OK: ");
                for (size_t k = 0; k < alen; k++) printf("%02X ", atr[k]);
                printf("\n");
            }
            if (r->verbose) {
                fprintf(stderr, "cardlet script: ATR ");
                print_hex_spaced(stderr, atr, alen);
                fprintf(stderr, "\n");
            }
            check_step(r, st, atr, alen);
            break;
        }
        case SOP_APDU: {
            if (!r->connected && !connect_card(r, SCARD_LEAVE_CARD)) {
                rc = 1;
                break;
            }
            if (r->format == SCRIPT_SCRIPTOR && r->output) {
                printf("> ");
                print_hex_spaced(stdout, st->apdu, st->apdu_len);
                printf("\n");
            }
            DWORD rlen = sizeof r->resp;
            const SCARD_IO_REQUEST *pci = r->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
            LONG rv = SCardTransmit(r->card, pci, st->apdu, (DWORD)st->apdu_len, NULL, r->resp, &rlen);
            if (rv != SCARD_S_SUCCESS || rlen < 2) {
                fflush(stdout);
                fprintf(stderr, "%s:%d: transmit failed: %s\n", file, st->line,
                        rv != SCARD_S_SUCCESS ? pcsc_stringify_error(rv) : "response shorter than SW1 SW2");
                rc = 1;
                break;
            }
            r->sent++;
            char *line = NULL;
            if (r->format == SCRIPT_APDUTOOL || r->transcript) {
                line = script_apdutool_line(st->apdu, st->apdu_len, r->resp, rlen);
                if (!line) {
                    fprintf(stderr, "cardlet script: out of memory\n");
                    rc = 1;
                    break;
                }
            }
            if (r->output) {
                if (r->format == SCRIPT_SCRIPTOR) print_scriptor_response(r->resp, rlen);
                else printf("%s\n", line);
            }
            fflush(stdout);
            check_step(r, st, r->resp, rlen);
            if (line) check_transcript(r, st, line);
            free(line);
            break;
        }
        }
    }
    disconnect_card(r, SCARD_LEAVE_CARD);
    fflush(stdout);
    if (r->transcript && rc == 0 && r->transcript->next < r->transcript->n) {
        const struct script_transcript *t = r->transcript;
        fprintf(stderr, "%s: ended after %zu exchanges; transcript %s has %zu (next: line %d)\n", file, t->next,
                t->name, t->n, t->line_no[t->next]);
        r->mismatches++;
    }
    if (r->check)
        fprintf(stderr, "cardlet script: %s: %u command%s sent, %u response%s checked, %u mismatch%s\n", file, r->sent,
                r->sent == 1 ? "" : "s", r->checked, r->checked == 1 ? "" : "s", r->mismatches,
                r->mismatches == 1 ? "" : "es");
    return rc ? rc : (r->mismatches ? 1 : 0);
}

/* The script from standard input ("-"), as scriptor reads it when given no file. */
static uint8_t *read_stdin(size_t *len, cl_error_t *e)
{
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        cl_seterr(e, "<stdin>: out of memory");
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= SCRIPT_FILE_MAX) {
                free(buf);
                cl_seterr(e, "<stdin>: script longer than %u bytes", SCRIPT_FILE_MAX);
                return NULL;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                cl_seterr(e, "<stdin>: out of memory");
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0) break;
    }
    if (ferror(stdin)) {
        free(buf);
        cl_seterr(e, "<stdin>: read error");
        return NULL;
    }
    *len = n;
    return buf;
}

static int pick_reader(struct runner *r)
{
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &r->ctx);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "cardlet script: cannot reach pcscd: %s%s\n", pcsc_stringify_error(rv),
                getenv("PCSCLITE_CSOCK_NAME") ? "" : " (run inside `cardlet with`, or start pcscd)");
        return -1;
    }
    r->have_ctx = true;
    char *list = NULL;
    DWORD len = SCARD_AUTOALLOCATE;
    rv = SCardListReaders(r->ctx, NULL, (LPSTR)&list, &len);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "cardlet script: no reader: %s\n", pcsc_stringify_error(rv));
        return -1;
    }
    const char *found = NULL;
    int prefix_hits = 0;
    const char *prefix_found = NULL;
    for (const char *p = list; *p; p += strlen(p) + 1) {
        if (!r->reader_arg) { found = p; break; }
        if (!strcmp(p, r->reader_arg)) { found = p; break; }
        if (!strncmp(p, r->reader_arg, strlen(r->reader_arg))) { prefix_hits++; prefix_found = p; }
    }
    if (!found && prefix_hits == 1) found = prefix_found;
    if (!found) {
        fprintf(stderr, "cardlet script: reader \"%s\" %s; readers:\n", r->reader_arg,
                prefix_hits > 1 ? "is ambiguous" : "not found");
        for (const char *p = list; *p; p += strlen(p) + 1) fprintf(stderr, "    %s\n", p);
        SCardFreeMemory(r->ctx, list);
        return -1;
    }
    snprintf(r->reader, sizeof r->reader, "%s", found);
    SCardFreeMemory(r->ctx, list);
    return 0;
}

static int cmd_script(int argc, char **argv)
{
    enum { O_READER = 256, O_PROTO, O_FORMAT, O_CHECK, O_EXPECTED };
    static const struct option longs[] = {
        { "reader", required_argument, 0, O_READER }, { "protocol", required_argument, 0, O_PROTO },
        { "format", required_argument, 0, O_FORMAT },  { "check", no_argument, 0, O_CHECK },
        { "expected", required_argument, 0, O_EXPECTED },
        { "verbose", no_argument, 0, 'v' },            { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    static struct runner r;
    memset(&r, 0, sizeof r);
    r.protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
    enum script_format fmt = SCRIPT_AUTO;
    const char *expected = NULL;
    struct script_transcript transcript = { 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "vhr:", longs, NULL)) != -1) {
        switch (c) {
        case 'r':
        case O_READER: r.reader_arg = optarg; break;
        case O_PROTO:
            if (!strcasecmp(optarg, "T=0") || !strcasecmp(optarg, "T0")) r.protocols = SCARD_PROTOCOL_T0;
            else if (!strcasecmp(optarg, "T=1") || !strcasecmp(optarg, "T1")) r.protocols = SCARD_PROTOCOL_T1;
            else {
                fprintf(stderr, "cardlet script: --protocol is T=0 or T=1, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_FORMAT:
            if (!strcmp(optarg, "scriptor")) fmt = SCRIPT_SCRIPTOR;
            else if (!strcmp(optarg, "apdutool")) fmt = SCRIPT_APDUTOOL;
            else {
                fprintf(stderr, "cardlet script: --format is scriptor or apdutool, not '%s'\n", optarg);
                return 2;
            }
            break;
        case O_CHECK: r.check = true; break;
        case O_EXPECTED: expected = optarg; break;
        case 'v': r.verbose = true; break;
        case 'h': usage(stdout); return 0;
        default:
            if (optopt && optopt < 256) fprintf(stderr, "cardlet script: unknown option '-%c' or missing value\n", optopt);
            else if (optopt) fprintf(stderr, "cardlet script: option '%s' needs a value\n", argv[optind - 1]);
            else fprintf(stderr, "cardlet script: unknown option '%s'\n", argv[optind - 1]);
            fprintf(stderr, "usage: cardlet script [OPTIONS] FILE...   (cardlet script --help)\n");
            return 2;
        }
    }
    int nfiles = argc - optind;
    if (nfiles <= 0) {
        fprintf(stderr, "cardlet script: no script file given\nusage: cardlet script [OPTIONS] FILE...\n");
        return 2;
    }
    if (expected && nfiles != 1) {
        fprintf(stderr, "cardlet script: --expected goes with exactly one script file\n");
        return 2;
    }
    struct script *scripts = calloc((size_t)nfiles, sizeof *scripts);
    if (!scripts) return 1;
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        cl_error_t e;
        size_t len = 0;
        bool is_stdin = !strcmp(argv[optind + i], "-");
        uint8_t *text = is_stdin ? read_stdin(&len, &e) : cl_read_file(argv[optind + i], SCRIPT_FILE_MAX, &len, &e);
        if (!text) {
            fprintf(stderr, "cardlet script: %s\n", e.msg);
            status = 2;
            continue;
        }
        if (script_parse(is_stdin ? "<stdin>" : argv[optind + i], (const char *)text, len, fmt, &scripts[i], &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            status = 2;
        }
        free(text);
    }
    if (expected) {
        cl_error_t e;
        size_t len = 0;
        uint8_t *text = cl_read_file(expected, SCRIPT_FILE_MAX, &len, &e);
        if (!text) {
            fprintf(stderr, "cardlet script: %s\n", e.msg);
            status = 2;
        } else if (script_transcript_parse(expected, (const char *)text, len, &transcript, &e) != 0) {
            fprintf(stderr, "%s\n", e.msg);
            status = 2;
        } else {
            r.transcript = &transcript;
            r.check = true; /* a transcript is only given to be checked against */
        }
        free(text);
    }
    if (status == 0 && pick_reader(&r) != 0) status = 1;
    /* Every file runs even after a mismatch in an earlier one, so one run reports all of them. */
    bool ready = status == 0;
    for (int i = 0; i < nfiles && ready; i++)
        if (run_file(&r, strcmp(argv[optind + i], "-") ? argv[optind + i] : "<stdin>", &scripts[i]) != 0) status = 1;
    for (int i = 0; i < nfiles; i++) script_free(&scripts[i]);
    script_transcript_free(&transcript);
    free(scripts);
    if (r.have_ctx) SCardReleaseContext(r.ctx);
    return status;
}

CLI_REGISTER(script, "run APDU scripts (scriptor or apdutool format) through PC/SC, optionally checking responses",
             cmd_script)
