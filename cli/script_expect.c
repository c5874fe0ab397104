/* script_expect: expected-response patterns of `cardlet script --check`. A pattern is hex bytes with two
 * wildcards: ".." stands for exactly one byte, "..." (or "*") for any run of bytes, so a test can pin the parts
 * of a response that matter (tags, status word) and leave serial numbers or random data open. */
#include "cli/script.h"

#include <stdio.h>
#include <string.h>

long script_pattern_parse(const char *text, int16_t *out, size_t cap, char *why, size_t why_cap)
{
    size_t n = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) break;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\t') p++;
        size_t tl = (size_t)(p - tok);
        if ((tl == 3 && !strncmp(tok, "...", 3)) || (tl == 1 && *tok == '*')) {
            if (n && out[n - 1] == SCRIPT_PAT_RUN) continue; /* two runs in a row mean one */
            if (n >= cap) goto too_long;
            out[n++] = SCRIPT_PAT_RUN;
            continue;
        }
        if (tl == 2 && !strncmp(tok, "..", 2)) {
            if (n >= cap) goto too_long;
            out[n++] = SCRIPT_PAT_ANY;
            continue;
        }
        if (tl > 2 && (tok[0] == '0') && (tok[1] == 'x' || tok[1] == 'X')) { tok += 2; tl -= 2; }
        if (tl % 2) {
            snprintf(why, why_cap, "odd number of hex digits in '%.*s'", (int)(tl > 40 ? 40 : tl), tok);
            return -1;
        }
        for (size_t i = 0; i < tl; i += 2) {
            int hi = cl_hex_digit((unsigned char)tok[i]), lo = cl_hex_digit((unsigned char)tok[i + 1]);
            if (hi < 0 || lo < 0) {
                snprintf(why, why_cap, "'%.*s' is neither hex bytes nor a wildcard (.. one byte, ... any bytes)",
                         (int)(tl > 40 ? 40 : tl), tok);
                return -1;
            }
            if (n >= cap) goto too_long;
            out[n++] = (int16_t)(hi << 4 | lo);
        }
    }
    if (!n) {
        snprintf(why, why_cap, "empty expected response");
        return -1;
    }
    return (long)n;
too_long:
    snprintf(why, why_cap, "expected response longer than %zu elements (use ... for long data)", cap);
    return -1;
}

bool script_pattern_match(const int16_t *pat, size_t plen, const uint8_t *resp, size_t rlen)
{
    /* Glob matching with backtracking to the last run: linear for one run, bounded by plen*rlen in general. */
    size_t p = 0, r = 0, star_p = (size_t)-1, star_r = 0;
    while (r < rlen) {
        if (p < plen && pat[p] == SCRIPT_PAT_RUN) {
            star_p = p++;
            star_r = r;
        } else if (p < plen && (pat[p] == SCRIPT_PAT_ANY || pat[p] == resp[r])) {
            p++;
            r++;
        } else if (star_p != (size_t)-1) {
            p = star_p + 1;
            r = ++star_r;
        } else {
            return false;
        }
    }
    while (p < plen && pat[p] == SCRIPT_PAT_RUN) p++;
    return p == plen;
}

char *script_pattern_format(const int16_t *pat, size_t plen, char *out, size_t cap)
{
    size_t o = 0;
    if (cap) out[0] = 0;
    for (size_t i = 0; i < plen && o + 5 < cap; i++) {
        int n;
        if (pat[i] == SCRIPT_PAT_ANY) n = snprintf(out + o, cap - o, "%s..", i ? " " : "");
        else if (pat[i] == SCRIPT_PAT_RUN) n = snprintf(out + o, cap - o, "%s...", i ? " " : "");
        else n = snprintf(out + o, cap - o, "%s%02X", i ? " " : "", (unsigned)pat[i]);
        if (n < 0 || (size_t)n >= cap - o) break;
        o += (size_t)n;
    }
    return out;
}
