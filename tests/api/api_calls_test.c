/* The API methods the vmapi suite does not reach, each called from an applet with its result
 * checked (docs/testing-api.md): applets/tests/api2 (Api2Test, Leaver, Sharer; library apilib)
 * driven through card_transmit. Fixed answers are in tests/api/api2.script; what needs computing
 * (random bytes, P-256 parameters, the RSA CRT relations, an HMAC, blocks of a long command,
 * deletion with AppletEvent.uninstall) is checked here, the cryptography against OpenSSL's EVP. */
#include "tests/api/api_known.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <sys/wait.h>

#define API2 "F063617264230101"
#define LEAVER "F063617264230102"
#define SHARER "F063617264230103"
#define LEAVER_THROWS "F063617264230104" /* a second Leaver whose uninstall() throws */

static vmt_t t;

static void setup(void) { vmt_setup(&t); }
static void teardown(void) { vmt_teardown(&t); }

/* An instance of an api2 applet class (the package is loaded already). */
static void instance(const char *class_hex, const char *inst_hex, const char *params_hex)
{
    uint8_t cls[16], inst[16], params[16];
    long cl = cl_hex_decode(class_hex, cls, sizeof cls), il = cl_hex_decode(inst_hex, inst, sizeof inst);
    long pl = params_hex ? cl_hex_decode(params_hex, params, sizeof params) : 0;
    ck_assert(cl > 0 && il > 0 && pl >= 0);
    cl_error_t e = { { 0 } };
    ck_assert_msg(vm_card_install(t.vm, NULL, 0, cls, (uint8_t)cl, inst, (uint8_t)il, params, (uint8_t)pl, false, &e) == 0,
                  "instance %s: %s", inst_hex, e.msg);
}

/* apilib, api2 with Api2Test, Leaver, the throwing Leaver and Sharer; Api2Test selected. */
static void install_all(void)
{
    vmt_install(&t, "apilib", NULL, NULL);
    vmt_install(&t, "api2", API2, NULL);
    instance(LEAVER, LEAVER, NULL);
    instance(LEAVER, LEAVER_THROWS, "01");
    instance(SHARER, SHARER, NULL);
    vmt_select(&t, API2);
}

/* Sends raw bytes (for commands longer than vmt_xmit's hex buffer); returns the SW. */
static unsigned xmit_raw(const uint8_t *cmd, size_t n)
{
    t.rlen = card_transmit(t.card, cmd, n, t.resp);
    ck_assert_msg(t.rlen >= 2, "no status word");
    return (unsigned)(t.resp[t.rlen - 2] << 8 | t.resp[t.rlen - 1]);
}

/* Reads a one-byte-length value at *pos of the response (the applet's Out.putLV). */
static const uint8_t *take_lv(size_t *pos, size_t *len)
{
    ck_assert_msg(*pos < t.rlen - 2, "response too short at %zu", *pos);
    *len = t.resp[*pos];
    ck_assert_msg(*pos + 1 + *len <= t.rlen - 2, "value of %zu bytes overruns the response", *len);
    const uint8_t *p = t.resp + *pos + 1;
    *pos += 1 + *len;
    return p;
}

START_TEST(api2_conversation)
{
    install_all();
    static char report[20 * 1400];
    int failed;
    int checked = api_run_script(&t, "tests/api/api2.script", &failed, report, sizeof report);
    ck_assert_int_ge(checked, 40);
    ck_assert_msg(failed == 0, "%d of %d API expectations failed:%s", failed, checked, report);
}
END_TEST

/* isCommandChainingCLA and getCurrentState across a chain whose first command (extended, 1500
 * bytes, more than the APDU buffer holds) arrives in several receiveBytes blocks: each block is
 * min(what is left, 200) (Api2Test reads into the buffer's last 200 bytes), the state is
 * STATE_PARTIAL_INCOMING (1) until the last one, then STATE_FULL_INCOMING (2); the byte sum over
 * the chain (this command and a short last one) is what was sent. */
START_TEST(chain_receives_blocks)
{
    install_all();
    enum { NC = 1500 };
    static uint8_t cmd[7 + NC];
    unsigned sum = 0;
    memcpy(cmd, (const uint8_t[]){ 0x10, 0x11, 0x00, 0x00, 0x00, NC >> 8, NC & 0xFF }, 7);
    for (int i = 0; i < NC; i++) {
        cmd[7 + i] = (uint8_t)(i * 37 + 11);
        sum += cmd[7 + i];
    }
    ck_assert_uint_eq(xmit_raw(cmd, sizeof cmd), 0x9000);
    const uint8_t *r = t.resp;
    API_CHECK("chain.ext.cla", r[0] == 1 && r[1] == 1 && r[2] == 0, "chaining %u, interindustry %u, state %u", r[0], r[1], r[2]);
    unsigned total = (unsigned)(r[3] << 8 | r[4]), got = (unsigned)(r[5] << 8 | r[6]), calls = r[8];
    ck_assert_uint_eq(total, NC);
    ck_assert_msg(got > 0 && got < NC, "setIncomingAndReceive got %u of %u", got, NC);
    API_CHECK("chain.ext.partial_state", r[7] == 1, "state after the first block %u, expected 1 (PARTIAL_INCOMING)", r[7]);
    ck_assert_uint_eq(t.rlen, 9 + 3u * calls + 3 + 4 + 2);
    API_CHECK("chain.ext.several_calls", calls >= 2, "%u receiveBytes calls", calls);
    unsigned have = got;
    for (unsigned k = 0; k < calls; k++) {
        const uint8_t *c = r + 9 + 3 * k;
        unsigned n = (unsigned)(c[0] << 8 | c[1]), want = NC - have < 200 ? NC - have : 200;
        have += n;
        API_CHECK("chain.ext.block_size", n == want, "call %u received %u, expected %u", k, n, want);
        API_CHECK("chain.ext.block_state", c[2] == (have == NC ? 2 : 1), "call %u: state %u with %u of %u bytes in", k, c[2], have,
                  NC);
    }
    const uint8_t *end = r + 9 + 3 * calls;
    ck_assert_uint_eq(have, NC);
    API_CHECK("chain.ext.after", end[0] == 0 && end[1] == 0 && end[2] == 2, "final receiveBytes %u, state %u", end[0] << 8 | end[1],
              end[2]);
    ck_assert_uint_eq((unsigned)(end[3] << 8 | end[4]), NC);
    API_CHECK("chain.ext.sum", (unsigned)(end[5] << 8 | end[6]) == (sum & 0xFFFF), "byte sum %04X, sent %04X", end[5] << 8 | end[6],
              sum & 0xFFFF);
    /* The chain's last command: not chaining; totals over both commands. */
    ck_assert_uint_eq(vmt_xmit(&t, "0011000002FF01"), 0x9000);
    ck_assert_uint_eq(t.rlen, 18);
    API_CHECK("chain.ext.last", t.resp[0] == 0 && (t.resp[12] << 8 | t.resp[13]) == NC + 2 &&
                                    (unsigned)(t.resp[14] << 8 | t.resp[15]) == ((sum + 0x100) & 0xFFFF),
              "chaining %u, chain bytes %u, sum %04X", t.resp[0], t.resp[12] << 8 | t.resp[13], t.resp[14] << 8 | t.resp[15]);
}
END_TEST

static bool all_fill(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0x5A) return false;
    return true;
}

/* RandomData.generateData / nextBytes / setSeed: only the asked range is written, it is not left
 * as it was, two requests (and a request after setSeed) give different bytes, nextBytes returns
 * offset + length, a length of 0 writes nothing. Across two commands the output differs too. */
START_TEST(random_output)
{
    install_all();
    uint8_t first[16];
    for (int round = 0; round < 2; round++) {
        ck_assert_uint_eq(vmt_xmit(&t, "8050010000"), 0x9000);
        size_t pos = 0, la, lb, lc;
        const uint8_t *a = take_lv(&pos, &la), *b = take_lv(&pos, &lb);
        unsigned next = (unsigned)(t.resp[pos] << 8 | t.resp[pos + 1]);
        pos += 2;
        const uint8_t *c = take_lv(&pos, &lc);
        ck_assert(la == 40 && lb == 40 && lc == 40);
        API_CHECK("random.generateData.range", all_fill(a, 4) && all_fill(a + 20, 20) && !all_fill(a + 4, 16),
                  "generateData(a, 4, 16) wrote outside [4, 20) or nothing");
        API_CHECK("random.nextBytes.range", all_fill(b, 2) && all_fill(b + 22, 18) && !all_fill(b + 2, 20),
                  "nextBytes(b, 2, 20) wrote outside [2, 22) or nothing");
        API_CHECK("random.nextBytes.return", next == 22, "nextBytes returned %u, expected offset + length = 22", next);
        API_CHECK("random.outputs_differ", memcmp(a + 4, b + 2, 16) && memcmp(c, a + 4, 16) && memcmp(c, b + 2, 20),
                  "two random outputs are equal");
        API_CHECK("random.after_setSeed", !all_fill(c, 40), "nextBytes after setSeed left the array as it was");
        API_CHECK("random.length0", t.resp[pos] == 1, "generateData with length 0 changed the array");
        if (round == 0) memcpy(first, a + 4, 16);
        else API_CHECK("random.commands_differ", memcmp(first, a + 4, 16) != 0, "two commands generated the same bytes");
    }
}
END_TEST

/* One P-256 domain parameter from OpenSSL (the reference the card's values are checked against). */
static size_t p256_param(const char *name, uint8_t *out, size_t cap)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *params = NULL;
    ck_assert(ctx && EVP_PKEY_paramgen_init(ctx) == 1 && EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1 &&
              EVP_PKEY_paramgen(ctx, &params) == 1);
    size_t n = 0;
    if (!strcmp(name, OSSL_PKEY_PARAM_EC_GENERATOR)) {
        ck_assert(EVP_PKEY_get_octet_string_param(params, name, out, cap, &n) == 1);
    } else {
        BIGNUM *bn = NULL;
        ck_assert_msg(EVP_PKEY_get_bn_param(params, name, &bn) == 1, "OpenSSL has no %s for P-256", name);
        n = (size_t)BN_num_bytes(bn);
        ck_assert(n <= cap);
        BN_bn2bin(bn, out);
        BN_free(bn);
    }
    EVP_PKEY_free(params);
    EVP_PKEY_CTX_free(ctx);
    return n;
}

/* The same integer, whatever leading zero bytes either encoding has? */
static bool same_integer(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    while (an && !*a) { a++; an--; }
    while (bn && !*b) { b++; bn--; }
    return an == bn && !memcmp(a, b, an);
}

/* ECKey getField / getA / getB / getG / getR / getK of a key pair generated without parameters
 * (the card's P-256): OpenSSL's P-256 values; the private key reports the same. */
START_TEST(ec_domain_is_p256)
{
    install_all();
    ck_assert_uint_eq(vmt_xmit(&t, "8060000000"), 0x9000);
    static const struct { const char *check, *param; } comp[] = {
        { "ec.getField", OSSL_PKEY_PARAM_EC_P }, { "ec.getA", OSSL_PKEY_PARAM_EC_A }, { "ec.getB", OSSL_PKEY_PARAM_EC_B },
        { "ec.getG", OSSL_PKEY_PARAM_EC_GENERATOR }, { "ec.getR", OSSL_PKEY_PARAM_EC_ORDER },
    };
    size_t pos = 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(comp); i++) {
        size_t n, wn;
        const uint8_t *v = take_lv(&pos, &n);
        uint8_t want[80];
        wn = p256_param(comp[i].param, want, sizeof want);
        bool ok = i == 3 ? n == 65 && wn == 65 && !memcmp(v, want, 65) : same_integer(v, n, want, wn);
        API_CHECK(comp[i].check, ok, "%zu bytes, not OpenSSL's P-256 %s", n, comp[i].param);
    }
    uint8_t h[8];
    size_t hn = p256_param(OSSL_PKEY_PARAM_EC_COFACTOR, h, sizeof h);
    API_CHECK("ec.getK", hn == 1 && t.resp[pos] == 0 && t.resp[pos + 1] == h[0], "K %u", t.resp[pos] << 8 | t.resp[pos + 1]);
    API_CHECK("ec.private_same_domain", t.resp[pos + 2] == 1, "the private key's parameters differ from the public key's");
    ck_assert_uint_eq(t.rlen, pos + 3 + 2);
}
END_TEST

/* ECPublicKey.getW and ECPrivateKey.getS of a generated pair: OpenSSL accepts them as one P-256
 * key pair (S x G = W, W on the curve). */
START_TEST(ec_private_s_matches_w)
{
    install_all();
    ck_assert_uint_eq(vmt_xmit(&t, "8060010000"), 0x9000);
    size_t pos = 0, wn, sn;
    const uint8_t *w = take_lv(&pos, &wn), *s = take_lv(&pos, &sn);
    ck_assert_msg(wn == 65 && w[0] == 4, "W: %zu bytes", wn);
    ck_assert_msg(sn >= 1 && sn <= 33, "S: %zu bytes", sn);
    BIGNUM *priv = BN_bin2bn(s, (int)sn, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert(priv && bld);
    ck_assert(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0) == 1);
    ck_assert(OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, w, wn) == 1);
    ck_assert(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) == 1);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    ck_assert(params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
              EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) == 1);
    EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    API_CHECK("ec.getS_pairs_with_getW", chk && EVP_PKEY_pairwise_check(chk) == 1, "S x G is not W");
    EVP_PKEY_CTX_free(chk);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(priv);
}
END_TEST

/* (a * b) mod m == 1? */
static bool inverse_mod(const BIGNUM *a, const BIGNUM *b, const BIGNUM *m, BN_CTX *bc)
{
    BIGNUM *r = BN_new();
    bool ok = r && BN_mod_mul(r, a, b, m, bc) == 1 && BN_is_one(r);
    BN_free(r);
    return ok;
}

/* RSAPrivateCrtKey getP / getQ / getDP1 / getDQ1 / getPQ after genKeyPair: p * q is the public
 * modulus, e * DP1 = 1 mod (p - 1), e * DQ1 = 1 mod (q - 1), q * PQ = 1 mod p. */
START_TEST(rsa_crt_parts)
{
    install_all();
    ck_assert_uint_eq(vmt_xmit(&t, "8070000000"), 0x9000);
    BIGNUM *v[7];
    size_t pos = 0;
    for (int i = 0; i < 7; i++) {
        size_t n;
        const uint8_t *p = take_lv(&pos, &n);
        ck_assert_msg(n > 0, "component %d is empty", i);
        v[i] = BN_bin2bn(p, (int)n, NULL);
        ck_assert(v[i]);
    }
    ck_assert_uint_eq(t.rlen, pos + 2);
    const BIGNUM *n = v[0], *e = v[1], *p = v[2], *q = v[3], *dp = v[4], *dq = v[5], *pq = v[6];
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *pq_prod = BN_new(), *p1 = BN_dup(p), *q1 = BN_dup(q);
    ck_assert(bc && pq_prod && p1 && q1 && BN_sub_word(p1, 1) && BN_sub_word(q1, 1));
    ck_assert_int_eq(BN_num_bits(n), 512);
    API_CHECK("rsa.crt.p_times_q", BN_mul(pq_prod, p, q, bc) == 1 && BN_cmp(pq_prod, n) == 0, "p * q is not the modulus");
    API_CHECK("rsa.crt.dp1", inverse_mod(e, dp, p1, bc), "e * DP1 != 1 mod (p - 1)");
    API_CHECK("rsa.crt.dq1", inverse_mod(e, dq, q1, bc), "e * DQ1 != 1 mod (q - 1)");
    API_CHECK("rsa.crt.pq", inverse_mod(q, pq, p, bc), "q * PQ != 1 mod p");
    BN_free(pq_prod);
    BN_clear_free(p1);
    BN_clear_free(q1);
    for (int i = 0; i < 7; i++) BN_clear_free(v[i]);
    BN_CTX_free(bc);
}
END_TEST

/* HMACKey: clearKey then getKey (UNINITIALIZED_KEY); setKey / getKey round trip at an offset; the
 * HMAC-SHA-256 the card computes under it is OpenSSL's under the key sent; a 20-byte setKey gives
 * getKey 20; clearKey: not initialized; an empty key: ILLEGAL_VALUE. */
START_TEST(hmac_key)
{
    install_all();
    uint8_t key[32];
    char cmd[16 + 64 + 1] = "8070020020";
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)(0xC3 ^ (i * 29));
        snprintf(cmd + 10 + 2 * i, 3, "%02X", key[i]);
    }
    ck_assert_uint_eq(vmt_xmit(&t, cmd), 0x9000);
    const uint8_t *r = t.resp;
    API_CHECK("hmac.getKey_uninitialized", r[0] == 0 && r[1] == 2, "reason %u", r[0] << 8 | r[1]);
    API_CHECK("hmac.getKey", r[2] == 32 && r[3] == 1 && r[4] == 1, "getKey returned %u, bytes %u, before untouched %u", r[2], r[3],
              r[4]);
    size_t pos = 5, mn;
    const uint8_t *mac = take_lv(&pos, &mn);
    uint8_t want[32];
    size_t wn = 0;
    static const uint8_t msg[] = { 'a', 'p', 'i', '2' }; /* what Api2Test signs */
    ck_assert(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, sizeof key, msg, sizeof msg, want, sizeof want, &wn) != NULL);
    API_CHECK("hmac.key_in_use", mn == 32 && wn == 32 && !memcmp(mac, want, 32), "the card's HMAC is not HMAC-SHA-256 under the key");
    ck_assert_uint_eq(t.rlen, pos + 4 + 2);
    API_CHECK("hmac.getKey_shorter", r[pos] == 20, "getKey after a 20-byte setKey returned %u", r[pos]);
    API_CHECK("hmac.clearKey", r[pos + 1] == 0, "initialized after clearKey");
    API_CHECK("hmac.setKey_empty", r[pos + 2] == 0 && r[pos + 3] == 1, "setKey of 0 bytes: reason %u", r[pos + 2] << 8 | r[pos + 3]);
}
END_TEST

/* Reads Api2Test's INS 40 answer: uninstall() calls and those in the applet's own context. */
static void uninstall_counts(unsigned *calls, unsigned *own, bool *leaver_present)
{
    vmt_select(&t, API2);
    ck_assert_uint_eq(vmt_xmit(&t, "8040000000"), 0x9000);
    ck_assert_uint_eq(t.rlen, 11);
    *leaver_present = t.resp[0] == 1;
    *calls = t.resp[7];
    *own = t.resp[8];
}

static void delete_applet(const char *aid_hex)
{
    uint8_t aid[16];
    long n = cl_hex_decode(aid_hex, aid, sizeof aid);
    cl_error_t e = { { 0 } };
    ck_assert_msg(vm_card_delete_applet(t.vm, aid, (uint8_t)n, &e) == 0, "delete %s: %s", aid_hex, e.msg);
}

/* AppletEvent.uninstall through the VM's delete: it runs once, in the deleted applet's context,
 * before the instance is gone; one that throws is deleted all the same. An applet without
 * AppletEvent (Sharer) is deleted without a call. */
START_TEST(uninstall_on_vm_delete)
{
    install_all();
    unsigned calls, own;
    bool present;
    uninstall_counts(&calls, &own, &present);
    ck_assert(present && calls == 0 && own == 0);
    delete_applet(LEAVER);
    uninstall_counts(&calls, &own, &present);
    API_CHECK("uninstall.vm_delete", !present && calls == 1 && own == 1, "after deleting Leaver: present %d, %u calls, %u in its context",
              present, calls, own);
    delete_applet(LEAVER_THROWS);
    uninstall_counts(&calls, &own, &present);
    API_CHECK("uninstall.throwing", calls == 2 && own == 2, "after deleting the throwing Leaver: %u calls, %u in its context", calls, own);
    uint8_t aid[8];
    ck_assert(cl_hex_decode(LEAVER_THROWS, aid, sizeof aid) == 8);
    cl_error_t e = { { 0 } };
    ck_assert_msg(vm_card_delete_applet(t.vm, aid, 8, &e) != 0, "the throwing Leaver is still installed");
    delete_applet(SHARER);
    uninstall_counts(&calls, &own, &present);
    ck_assert_uint_eq(calls, 2);
}
END_TEST

/* Runs build/bin/cardlet with the arguments (NULL-terminated); returns its exit status. */
static int run_cardlet(const char *const *argv)
{
    char bin[PATH_MAX + 32];
    snprintf(bin, sizeof bin, "%s/bin/cardlet", t.build_dir);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(126);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    int st;
    ck_assert(waitpid(pid, &st, 0) == pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* AppletEvent.uninstall through `cardlet image delete` on the image file (the card closed), read
 * back by Api2Test when the card is opened again. */
START_TEST(uninstall_on_image_delete)
{
    install_all();
    vmt_close(&t);
    const char *del[] = { "cardlet", "image", "delete", t.image, LEAVER, NULL };
    ck_assert_int_eq(run_cardlet(del), 0);
    vmt_open(&t);
    unsigned calls, own;
    bool present;
    uninstall_counts(&calls, &own, &present);
    API_CHECK("uninstall.image_delete", !present && calls == 1 && own == 1,
              "after cardlet image delete: present %d, %u calls, %u in its context", present, calls, own);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("api_calls");
    TCase *tc = tcase_create("api2");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, api2_conversation);
    tcase_add_test(tc, chain_receives_blocks);
    tcase_add_test(tc, random_output);
    tcase_add_test(tc, ec_domain_is_p256);
    tcase_add_test(tc, ec_private_s_matches_w);
    tcase_add_test(tc, rsa_crt_parts);
    tcase_add_test(tc, hmac_key);
    tcase_add_test(tc, uninstall_on_vm_delete);
    tcase_add_test(tc, uninstall_on_image_delete);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
