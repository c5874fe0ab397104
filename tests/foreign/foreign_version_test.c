/* Import versions (JCVM 4.5.2 and the loader, docs/vm.md "Linking"): a package built against
 * version M.n of a package links with M.n' on the card when n' >= n (a newer minor version is
 * binary compatible), never with another major version or an older minor one. Checked for an
 * installed library (points-server, imported by points-client) and for the API (javacard.framework,
 * imported by hello). tests/hostile has the refusals of a framework import of minor 99 and of the
 * server's next major version; this file adds the minor boundaries both ways. A refused install
 * changes nothing: the image file is byte for byte what it was, and what was installed still works.
 *
 * The packages are our converter's, in GlobalPlatform order (recap.py's "gp" variant), with the
 * version bytes patched: Header package_info (minor, major) and the Import entries. */
#include "tests/foreign/fx_card.h"

#include "cap/cap_consts.h"

#define SERVER_APPLET "F063617264030101"
#define CLIENT_APPLET "F063617264040101"
static const uint8_t server_aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x03, 0x01 };
static const uint8_t framework_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x62, 0x01, 0x01 };

static vmt_t t;
static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

/* Offset of the info of the component with this tag in a component stream. */
static size_t comp_info(const uint8_t *s, size_t len, uint8_t tag)
{
    for (size_t pos = 0; pos + 3 <= len; pos += 3u + cl_get16(s + pos + 1))
        if (s[pos] == tag) return pos + 3;
    ck_abort_msg("no component with tag %u", tag);
    return 0;
}

/* Header info: magic (4), CAP minor, CAP major, flags, then package_info: minor, major, AID. */
static void set_package_version(uint8_t *s, size_t len, uint8_t major, uint8_t minor)
{
    size_t h = comp_info(s, len, CAP_COMP_HEADER);
    s[h + 7] = minor;
    s[h + 8] = major;
}

/* Import info: count, then per package minor, major, AID length, AID. */
static void set_import_version(uint8_t *s, size_t len, const uint8_t *aid, size_t aid_len, uint8_t major, uint8_t minor)
{
    size_t at = comp_info(s, len, CAP_COMP_IMPORT);
    unsigned n = s[at++];
    for (unsigned i = 0; i < n; i++, at += 3u + s[at + 2])
        if (s[at + 2] == aid_len && !memcmp(s + at + 3, aid, aid_len)) {
            s[at] = minor;
            s[at + 1] = major;
            return;
        }
    ck_abort_msg("import not found");
}

static uint8_t *image_bytes(size_t *len)
{
    cl_error_t e = { { 0 } };
    uint8_t *b = cl_read_file(t.image, 64u << 20, len, &e);
    ck_assert_msg(b != NULL, "%s", e.msg);
    return b;
}

/* The install must be refused with a message naming the import, the image left as it was. */
static void expect_refused(const uint8_t *s, size_t len, const char *class_aid, const char *what)
{
    size_t before_len, after_len;
    uint8_t *before = image_bytes(&before_len);
    int packages = vm_card_package_count(t.vm);
    cl_error_t e = { { 0 } };
    ck_assert_msg(fx_install(&t, s, len, class_aid, NULL, NULL, &e) != 0, "%s: accepted", what);
    printf("foreign_version: %s: %s\n", what, e.msg);
    ck_assert_msg(strstr(e.msg, "Import component") != NULL, "%s: refused for another reason: %s", what, e.msg);
    ck_assert_int_eq(vm_card_package_count(t.vm), packages);
    uint8_t *after = image_bytes(&after_len);
    ck_assert_msg(before_len == after_len && !memcmp(before, after, before_len), "%s: the refusal changed the image", what);
    free(before);
    free(after);
}

static void install_ok(const uint8_t *s, size_t len, const char *class_aid, const char *what)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(fx_install(&t, s, len, class_aid, NULL, NULL, &e) == 0, "%s: %s", what, e.msg);
}

/* Library 1.1 on the card, client built against 1.0: accepted, works, also after re-linking at
 * power-up. Client built against 1.2: refused. */
START_TEST(library_newer_minor_accepted)
{
    size_t slen, clen;
    uint8_t *server = fx_read_gen(&t, "points-server", "gp", "stream", &slen);
    uint8_t *client = fx_read_gen(&t, "points-client", "gp", "stream", &clen);
    set_package_version(server, slen, 1, 1);
    set_import_version(client, clen, server_aid, sizeof server_aid, 1, 0);
    install_ok(server, slen, SERVER_APPLET, "server 1.1");
    uint8_t *ahead = malloc(clen);
    memcpy(ahead, client, clen);
    set_import_version(ahead, clen, server_aid, sizeof server_aid, 1, 2);
    expect_refused(ahead, clen, CLIENT_APPLET, "client built against 1.2, server 1.1 on the card");
    install_ok(client, clen, CLIENT_APPLET, "client built against 1.0");
    vmt_close(&t);
    vmt_open(&t);
    ck_assert_int_gt(fx_run_sample(&t, "points-client", "server 1.1, client built against 1.0"), 0);
    free(ahead);
    free(server);
    free(client);
}
END_TEST

/* Library 1.0 on the card, client built against 1.1 (the library it needs is newer than the
 * card's): refused; so is a client built against major 0 or 2. The real client still links. */
START_TEST(library_older_minor_refused)
{
    size_t slen, clen;
    uint8_t *server = fx_read_gen(&t, "points-server", "gp", "stream", &slen);
    uint8_t *client = fx_read_gen(&t, "points-client", "gp", "stream", &clen);
    set_package_version(server, slen, 1, 0);
    install_ok(server, slen, SERVER_APPLET, "server 1.0");
    static const uint8_t versions[][2] = { { 1, 1 }, { 0, 0 }, { 0, 9 }, { 2, 0 } };
    uint8_t *m = malloc(clen);
    for (size_t i = 0; i < CL_ARRAY_LEN(versions); i++) {
        char what[96];
        memcpy(m, client, clen);
        set_import_version(m, clen, server_aid, sizeof server_aid, versions[i][0], versions[i][1]);
        snprintf(what, sizeof what, "client built against %u.%u, server 1.0 on the card", versions[i][0], versions[i][1]);
        expect_refused(m, clen, CLIENT_APPLET, what);
    }
    set_import_version(client, clen, server_aid, sizeof server_aid, 1, 0);
    install_ok(client, clen, CLIENT_APPLET, "client built against 1.0");
    ck_assert_int_gt(fx_run_sample(&t, "points-client", "server 1.0, client built against 1.0"), 0);
    free(m);
    free(server);
    free(client);
}
END_TEST

/* The API: hello imports javacard.framework at the card's minor version, at every older one
 * (accepted, hello answers) and at the next one (refused). */
START_TEST(api_minor_versions)
{
    int fw = vm_pkg_find(t.vm, framework_aid, sizeof framework_aid);
    ck_assert_int_ge(fw, 0);
    uint8_t major = t.vm->pkgs[fw]->major, minor = t.vm->pkgs[fw]->minor;
    ck_assert_uint_gt(minor, 0);
    size_t len;
    uint8_t *hello = fx_read_gen(&t, "hello", "gp", "stream", &len);
    for (unsigned m = 0; m <= minor; m++) {
        char what[64];
        vmt_teardown(&t);
        vmt_setup(&t);
        set_import_version(hello, len, framework_aid, sizeof framework_aid, major, (uint8_t)m);
        snprintf(what, sizeof what, "hello built against framework %u.%u", major, m);
        install_ok(hello, len, "F063617264010101", what);
        ck_assert_int_gt(fx_run_sample(&t, "hello", what), 0);
    }
    vmt_teardown(&t);
    vmt_setup(&t);
    set_import_version(hello, len, framework_aid, sizeof framework_aid, major, (uint8_t)(minor + 1));
    expect_refused(hello, len, "F063617264010101", "hello built against the framework's next minor version");
    printf("foreign_version: javacard.framework %u.%u on the card, minors 0..%u accepted\n", major, minor, minor);
    free(hello);
}
END_TEST

int main(void)
{
    /* START_TEST names are pointer variables, so the list is built at run time */
    const TTest *const tests[] = {
        library_newer_minor_accepted, library_older_minor_refused, api_minor_versions,
    };
    return fx_main("foreign_version", setup, teardown, 60, tests, CL_ARRAY_LEN(tests));
}
