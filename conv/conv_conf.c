/* conv_conf: the package settings of a conversion (cap.conf or command-line options). */
#include "conv/conv_pkg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int conv_conf_set_package(conv_conf_t *c, const char *v, cl_error_t *e)
{
    size_t n = strlen(v);
    if (n == 0 || n > 255 || v[0] == '.' || v[0] == '/' || v[n - 1] == '.' || v[n - 1] == '/') {
        cl_seterr(e, "bad package name '%s'", v);
        return -1;
    }
    char *s = malloc(n + 1);
    if (!s) { cl_seterr(e, "out of memory"); return -1; }
    for (size_t i = 0; i <= n; i++) s[i] = v[i] == '.' ? '/' : v[i];
    free(c->package);
    c->package = s;
    return 0;
}

int conv_conf_set_aid(uint8_t *aid, int *len, const char *hex, cl_error_t *e)
{
    uint8_t tmp[16];
    long n = cl_hex_decode(hex, tmp, sizeof tmp);
    if (n < 5 || n > 16) { cl_seterr(e, "bad AID '%s' (5 to 16 bytes of hex)", hex); return -1; }
    memcpy(aid, tmp, (size_t)n);
    *len = (int)n;
    return 0;
}

int conv_conf_set_version(conv_conf_t *c, const char *v, cl_error_t *e)
{
    unsigned maj, min;
    char extra;
    if (sscanf(v, "%u.%u%c", &maj, &min, &extra) != 2 || maj > 127 || min > 255) {
        cl_seterr(e, "bad version '%s' (MAJOR.MINOR)", v);
        return -1;
    }
    c->major = (int)maj;
    c->minor = (int)min;
    return 0;
}

int conv_conf_add_applet(conv_conf_t *c, const char *cls, const char *aidhex, cl_error_t *e)
{
    if (c->applet_count >= CONV_MAX_APPLETS) { cl_seterr(e, "too many applets (at most %d)", CONV_MAX_APPLETS); return -1; }
    if (!*cls) { cl_seterr(e, "applet without a class name"); return -1; }
    int i = c->applet_count;
    if (conv_conf_set_aid(c->applets[i].aid, &c->applets[i].aid_len, aidhex, e)) return -1;
    size_t n = strlen(cls);
    c->applets[i].cls = malloc(n + 1);
    if (!c->applets[i].cls) { cl_seterr(e, "out of memory"); return -1; }
    for (size_t k = 0; k <= n; k++) c->applets[i].cls[k] = cls[k] == '.' ? '/' : cls[k];
    c->applet_count++;
    return 0;
}

int conv_conf_parse(conv_conf_t *c, const char *text, size_t len, const char *what, cl_error_t *e)
{
    size_t pos = 0;
    int ln = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n') eol++;
        ln++;
        char line[512];
        if (eol - pos >= sizeof line) { cl_seterr(e, "%s:%d: line too long", what, ln); return -1; }
        memcpy(line, text + pos, eol - pos);
        line[eol - pos] = 0;
        pos = eol + 1;
        char *h = strchr(line, '#');
        if (h) *h = 0;
        char *w[4];
        int nw = 0;
        for (char *t = strtok(line, " \t\r"); t && nw < 4; t = strtok(NULL, " \t\r")) w[nw++] = t;
        if (!nw) continue;
        cl_error_t sub;
        int rc;
        if (!strcmp(w[0], "package") && nw == 2) rc = conv_conf_set_package(c, w[1], &sub);
        else if (!strcmp(w[0], "aid") && nw == 2) rc = conv_conf_set_aid(c->aid, &c->aid_len, w[1], &sub);
        else if (!strcmp(w[0], "version") && nw == 2) rc = conv_conf_set_version(c, w[1], &sub);
        else if (!strcmp(w[0], "applet") && nw == 3) rc = conv_conf_add_applet(c, w[1], w[2], &sub);
        else if (!strcmp(w[0], "depends")) rc = 0;  /* build-only: which packages to compile against */
        else if (!strcmp(w[0], "int") && nw == 2 && (!strcmp(w[1], "yes") || !strcmp(w[1], "no"))) {
            c->int_support = !strcmp(w[1], "yes");
            rc = 0;
        } else {
            snprintf(sub.msg, sizeof sub.msg, "unknown setting '%s'", w[0]);
            rc = -1;
        }
        if (rc) { cl_seterr(e, "%s:%d: %s", what, ln, sub.msg); return -1; }
    }
    return 0;
}

void conv_conf_free(conv_conf_t *c)
{
    free(c->package);
    for (int i = 0; i < c->applet_count; i++) free(c->applets[i].cls);
    memset(c, 0, sizeof *c);
}
