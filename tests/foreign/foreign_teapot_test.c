/* A CAP file our converter did not make: TeapotApplet (cryptoadvance/specter-javacard), as the
 * load file omfgp publishes in its tests (tests/foreign/README.md). CAP 2.1, GlobalPlatform order,
 * no Descriptor, imports java.lang 1.0 and javacard.framework 1.5 (older than the card's: accepted).
 * It is installed as that load file, as a JAR of its components, and as omfgp's shuffled stream with
 * two unlisted custom components; each instance must answer what the applet's source and its
 * authors' test (tests/tests/test_teapot.py) say: GET returns the stored data (initially "I am a
 * teapot gimme some tea plz"), PUT stores up to 254 bytes and returns them, 6D00 for another INS,
 * 6E00 for another CLA (on channel 0), 6700 above 254 bytes; the data survives a power cycle. */
#include "tests/foreign/fx_card.h"

#include <openssl/evp.h>

#include "cap/cap_parse.h"
#include "cap/cap_zip.h"

#define TEAPOT_APPLET "B00B5111CA01"
/* omfgp's test asserts this SHA-256 of the load file: our transcription is the published file. */
static const char teapot_sha256[] = "e45503ea1dfce6dad09fb40d81568d8668aaa752477e102014cd99875a1e634f";

static vmt_t t;
static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

static uint8_t *teapot(size_t *len) { return fx_read_hex("tests/foreign/teapot-loadfile.hex", len); }

/* GET's first answer: "I am a teapot gimme some tea plz" and 9000, made from the text so no
 * answer is copied by hand. out: 2 * 32 + 5 bytes. */
static void default_answer(char *out)
{
    static const char text[] = "I am a teapot gimme some tea plz";
    cl_hex_encode((const uint8_t *)text, strlen(text), out, 0);
    strcat(out, "9000");
}

/* Installs the package in b and an instance of the applet (class AID = instance AID). */
static void install_teapot(const uint8_t *b, size_t len, const char *what)
{
    cl_error_t e = { { 0 } };
    ck_assert_msg(fx_install(&t, b, len, TEAPOT_APPLET, NULL, NULL, &e) == 0, "install %s: %s", what, e.msg);
}

/* The conversation of test_teapot.py plus the limits of the source, on the selected instance. */
static void talk_to_teapot(const char *what)
{
    char resp[700], cmd[700];
    default_answer(resp);
    fx_expect(&t, what, "B0A10000", resp);
    fx_expect(&t, what, "B0A1000003616263", resp);       /* data of a GET is ignored */
    fx_expect(&t, what, "B0A20000020080", "00809000");
    fx_expect(&t, what, "B0A10000", "00809000");
    /* 254 bytes: the capacity */
    int n = snprintf(cmd, sizeof cmd, "B0A20000FE");
    for (int i = 0; i < 254; i++) n += snprintf(cmd + n, sizeof cmd - (size_t)n, "61");
    snprintf(resp, sizeof resp, "%s9000", cmd + 10);
    fx_expect(&t, what, cmd, resp);
    fx_expect(&t, what, "B0A10000", resp);
    /* 255 bytes: SW_WRONG_LENGTH, the stored data unchanged */
    n = snprintf(cmd, sizeof cmd, "B0A20000FF");
    for (int i = 0; i < 255; i++) n += snprintf(cmd + n, sizeof cmd - (size_t)n, "62");
    fx_expect(&t, what, cmd, "6700");
    fx_expect(&t, what, "B0A10000", resp);
    fx_expect(&t, what, "B0A2000000", "9000");            /* empty data */
    fx_expect(&t, what, "B0A10000", "9000");
    fx_expect(&t, what, "B0A30000", "6D00");
    /* another CLA on channel 0 reaches the applet's own check; test_teapot.py's B1 names logical
     * channel 1, which the card refuses before the applet (not open) */
    fx_expect(&t, what, "A0A10000", "6E00");
    ck_assert_uint_ne(vmt_xmit(&t, "B1A10000"), 0x9000);
    /* stored data is persistent: store, power cycle, read it back */
    fx_expect(&t, what, "B0A200000474656133", "746561339000");
}

START_TEST(load_file_is_the_published_one)
{
    size_t len;
    uint8_t *s = teapot(&len), md[32];
    unsigned mdlen = 0;
    ck_assert_uint_eq(len, 831);
    ck_assert(EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32);
    char hex[65];
    cl_hex_encode(md, 32, hex, 0);
    ck_assert_msg(!strcasecmp(hex, teapot_sha256), "teapot-loadfile.hex: SHA-256 %s, published %s", hex, teapot_sha256);
    /* what it is: CAP 2.1, no Descriptor, GlobalPlatform order, another converter's layout */
    cap_file_t cap;
    cl_error_t e = { { 0 } };
    ck_assert_msg(cap_parse(&cap, s, len, 0, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(cap.cap_minor, 1);
    ck_assert(!cap.comp[CAP_COMP_DESCRIPTOR].present);
    ck_assert_uint_eq(cap.applet_count, 1);
    ck_assert_uint_eq(cap.import_count, 2);
    ck_assert_uint_eq(cap.imports[1].minor, 5);
    ck_assert_uint_eq(cap.class_count, 2);
    cap_free(&cap);
    free(s);
}
END_TEST

START_TEST(load_file_installs_and_answers)
{
    size_t len;
    uint8_t *s = teapot(&len);
    install_teapot(s, len, "load file");
    vmt_select(&t, TEAPOT_APPLET);
    talk_to_teapot("load file");
    vmt_close(&t);
    vmt_open(&t);
    vmt_select(&t, TEAPOT_APPLET);
    fx_expect(&t, "after a power cycle", "B0A10000", "746561339000");
    free(s);
}
END_TEST

/* install() registers with the instance AID of its parameters (register(bArray, bOffset + 1,
 * bArray[bOffset])): a second instance under its own AID, with its own data. */
START_TEST(second_instance_by_install_parameters)
{
    size_t len;
    uint8_t *s = teapot(&len);
    install_teapot(s, len, "load file");
    cl_error_t e = { { 0 } };
    uint8_t cls[6], inst[8];
    cl_hex_decode(TEAPOT_APPLET, cls, sizeof cls);
    cl_hex_decode("B00B5111CA0102", inst, sizeof inst);
    ck_assert_msg(vm_install_applet(t.vm, cls, 6, inst, 7, NULL, 0, 0, &e) == 0, "second instance: %s", e.msg);
    vmt_close(&t);
    vmt_open(&t);
    vmt_select(&t, "B00B5111CA0102");
    fx_expect(&t, "second instance", "B0A200000131", "319000");
    vmt_select(&t, TEAPOT_APPLET);
    char resp[80];
    default_answer(resp);
    fx_expect(&t, "first instance keeps its data", "B0A10000", resp);
    vmt_select(&t, "B00B5111CA0102");
    fx_expect(&t, "second instance", "B0A10000", "319000");
    free(s);
}
END_TEST

/* The same components in a JAR (our zip writer, entries in reverse tag order): the container a
 * converter hands out, which the card must take as well. */
START_TEST(jar_of_the_components)
{
    size_t len;
    uint8_t *s = teapot(&len), *jar = NULL;
    size_t jlen = 0;
    cap_zip_writer_t w = { 0 };
    cl_error_t e = { { 0 } };
    size_t starts[16], n = 0;
    for (size_t pos = 0; pos < len; pos += 3u + cl_get16(s + pos + 1)) starts[n++] = pos;
    ck_assert_uint_eq(n, 9);
    for (size_t i = n; i-- > 0;) {
        char name[64];
        const uint8_t *c = s + starts[i];
        snprintf(name, sizeof name, "toys/javacard/%s.cap", cap_component_name(c[0]));
        ck_assert_msg(cap_zip_writer_add(&w, name, c, 3u + cl_get16(c + 1), &e) == 0, "%s", e.msg);
    }
    ck_assert_msg(cap_zip_writer_finish(&w, &jar, &jlen, &e) == 0, "%s", e.msg);
    cap_zip_writer_free(&w);
    install_teapot(jar, jlen, "JAR");
    vmt_select(&t, TEAPOT_APPLET);
    talk_to_teapot("JAR");
    free(jar);
    free(s);
}
END_TEST

/* omfgp's own form: shuffled components and two custom components the Directory does not list. */
START_TEST(shuffled_stream_with_custom_components)
{
    size_t len, llen;
    uint8_t *s = fx_read_hex("tests/foreign/teapot-omfgp-shuffled.hex", &len), *l = teapot(&llen);
    ck_assert_uint_eq(len, 1093);
    /* the same package: every component of the load file occurs in it byte for byte */
    for (size_t pos = 0; pos < llen; pos += 3u + cl_get16(l + pos + 1)) {
        size_t clen = 3u + cl_get16(l + pos + 1);
        ck_assert_msg(memmem(s, len, l + pos, clen) != NULL, "component tag %u not in the shuffled stream", l[pos]);
    }
    install_teapot(s, len, "shuffled stream");
    vmt_select(&t, TEAPOT_APPLET);
    talk_to_teapot("shuffled stream");
    free(s);
    free(l);
}
END_TEST

/* Every strict prefix of the load file is refused by the parser with a message (never a crash). */
START_TEST(truncated_load_file_refused)
{
    size_t len;
    uint8_t *s = teapot(&len);
    for (size_t n = 1; n < len; n++) {
        cap_file_t cap;
        cl_error_t e = { { 0 } };
        ck_assert_msg(cap_parse(&cap, s, n, CAP_PARSE_NO_COPY, &e) != 0, "prefix of %zu bytes accepted", n);
        ck_assert_msg(e.msg[0], "prefix of %zu bytes refused without a message", n);
    }
    free(s);
}
END_TEST

/* Every byte of the load file changed (xor 0x5A): refused at install with a message, or accepted
 * and every command answered with a status word (no Descriptor here, so the verifier can only
 * prove stack depths: the run-time checks must contain whatever the damage does). */
START_TEST(every_byte_changed)
{
    size_t len;
    uint8_t *s = teapot(&len), *m = malloc(len);
    ck_assert_ptr_nonnull(m);
    static const char *const cmds[] = { "00A4040006B00B5111CA01", "B0A10000", "B0A20000020080", "B0A10000", "B0A30000" };
    int refused = 0, accepted = 0, instances = 0;
    size_t *refused_at = malloc(len * sizeof *refused_at);
    ck_assert_ptr_nonnull(refused_at);
    bool used = false; /* a refused install leaves the card as it was: only an accepted one needs a new card */
    for (size_t i = 0; i < len; i++) {
        memcpy(m, s, len);
        m[i] ^= 0x5A;
        if (used) {
            vmt_teardown(&t);
            vmt_setup(&t);
        }
        used = false;
        cl_error_t e = { { 0 } };
        uint8_t slot;
        if (vm_load_install(t.vm, m, len, &slot, &e) != 0) {
            ck_assert_msg(e.msg[0], "byte %zu: refused without a message", i);
            refused_at[refused++] = i;
            continue;
        }
        accepted++;
        used = true;
        uint8_t cls[6];
        cl_hex_decode(TEAPOT_APPLET, cls, sizeof cls);
        if (vm_install_applet(t.vm, cls, 6, cls, 6, NULL, 0, 0, &e) != 0) continue;
        instances++;
        for (size_t k = 0; k < CL_ARRAY_LEN(cmds); k++) vmt_xmit(&t, cmds[k]); /* asserts a status word */
    }
    printf("foreign_teapot: %zu one-byte changes: %d refused, %d accepted (%d with an instance answering)\n", len, refused,
           accepted, instances);
    ck_assert_int_gt(refused, 0);
    ck_assert_int_gt(accepted, 0);
    /* A refused install leaves the card as it was: on one card, every refused variant again in a
     * row, then the published file installs and answers its whole conversation. */
    if (used) {
        vmt_teardown(&t);
        vmt_setup(&t);
    }
    for (int r = 0; r < refused; r++) {
        memcpy(m, s, len);
        m[refused_at[r]] ^= 0x5A;
        cl_error_t e = { { 0 } };
        uint8_t slot;
        ck_assert_msg(vm_load_install(t.vm, m, len, &slot, &e) != 0, "byte %zu: refused once, accepted now", refused_at[r]);
    }
    install_teapot(s, len, "load file after the refusals");
    vmt_select(&t, TEAPOT_APPLET);
    talk_to_teapot("load file after the refusals");
    free(refused_at);
    free(m);
    free(s);
}
END_TEST

int main(void)
{
    /* START_TEST names are pointer variables, so the list is built at run time */
    const TTest *const tests[] = {
        load_file_is_the_published_one, load_file_installs_and_answers,
        second_instance_by_install_parameters, jar_of_the_components,
        shuffled_stream_with_custom_components, truncated_load_file_refused, every_byte_changed,
    };
    return fx_main("foreign_teapot", setup, teardown, 60, tests, CL_ARRAY_LEN(tests));
}
