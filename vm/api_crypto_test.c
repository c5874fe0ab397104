/* The javacard.security / javacardx.crypto natives driven THROUGH the VM: the test applet
 * (applets/tests/crypto, converted by our converter) is installed into a card and commanded over
 * card_transmit. Known answers come from the public vectors (FIPS 180, SP 800-38A/B, RFC 4231,
 * the GCM specification, RFC 6979); where no public vector is at hand the expected value is
 * computed on the host with OpenSSL independently of the VM path (ECDH, RSA, DES3, retail MAC). */
#include "vm/vm_card.h"
#include "vm/vm_native.h"
#include "vm/vm_rt.h"
#include "vm/vm_test_cap.h"

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The areas are pulled into this program by name (the VM references them weakly). */
extern const vm_native_area_t vm_api_security, vm_api_crypto;

static char build_dir[PATH_MAX];
static char dir[128], image[192];
static card_t *card;
static vm_t *vm;
static uint8_t resp[CARD_RESP_MAX];

static uint8_t *read_cap(size_t *len) { return vt_read_cap(build_dir, "crypto", len); }

static void open_card(void)
{
    cl_error_t e = { { 0 } };
    uint8_t atr[CARD_ATR_MAX];
    ck_assert_msg(card_open(image, 1024 * 1024, IMG_SYNC_NORMAL, &card, &e) == 0, "card_open: %s", e.msg);
    vm = vm_card_attach(card, VM_CARD_HEAP_OFFSET, &e);
    ck_assert_msg(vm != NULL, "attach: %s", e.msg);
    card_power_on(card, atr);
}

static void close_card(void)
{
    vm_card_detach(card, vm);
    card_close(card);
    card = NULL;
    vm = NULL;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(p);
}

static size_t xmit_raw(const uint8_t *cmd, size_t n) { return card_transmit(card, cmd, n, resp); }

static void select_applet(void)
{
    static const uint8_t sel[] = { 0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x09, 0x01, 0x01 };
    size_t n = xmit_raw(sel, sizeof sel);
    ck_assert_msg(n == 2 && resp[0] == 0x90, "SELECT: %02X%02X (%s)", resp[0], resp[1], vm->last_error);
}

static void setup(void)
{
    vm_native_register(&vm_api_security);
    vm_native_register(&vm_api_crypto);
    snprintf(dir, sizeof dir, "%s/cardlet-crypto-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(image, sizeof image, "%s/card.img", dir);
    open_card();
    size_t len;
    uint8_t *cap = read_cap(&len);
    static const uint8_t aid[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x09, 0x01, 0x01 };
    cl_error_t e = { { 0 } };
    int r = vm_card_install(vm, cap, len, aid, sizeof aid, NULL, 0, NULL, 0, false, &e);
    free(cap);
    ck_assert_msg(r == 0, "install: %s", e.msg);
    select_applet();
}

static void teardown(void)
{
    if (card) close_card();
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* --- commands --- */

static size_t hexb(const char *hex, uint8_t *out, size_t cap)
{
    long n = cl_hex_decode(hex, out, cap);
    ck_assert_msg(n >= 0, "bad hex in test: %s", hex);
    return (size_t)n;
}

/* Loads the applet's input buffer with data (in pieces that fit a short APDU). */
static void load(const uint8_t *d, size_t n)
{
    uint8_t cmd[5 + 255];
    size_t off = 0;
    do {
        size_t piece = n - off > 200 ? 200 : n - off;
        cmd[0] = 0x80; cmd[1] = 0x01; cmd[2] = off ? 1 : 0; cmd[3] = 0; cmd[4] = (uint8_t)piece;
        memcpy(cmd + 5, d + off, piece);
        size_t r = xmit_raw(cmd, 5 + piece);
        ck_assert_msg(r == 2 && resp[0] == 0x90, "LOAD: %02X%02X", resp[0], resp[1]);
        off += piece;
    } while (off < n);
}

static void load_hex(const char *hex)
{
    static uint8_t b[1100];
    load(b, hexb(hex, b, sizeof b));
}

/* Sends 80 ins p1 p2 00 (data comes from the input buffer); returns the response data length
 * and the status word in *sw. */
static size_t op(uint8_t ins, uint8_t p1, uint8_t p2, uint16_t *sw)
{
    uint8_t cmd[5] = { 0x80, ins, p1, p2, 0x00 };
    size_t n = xmit_raw(cmd, 5);
    ck_assert(n >= 2);
    *sw = (uint16_t)(resp[n - 2] << 8 | resp[n - 1]);
    return n - 2;
}

/* An operation that must succeed; returns the response data length. */
static size_t op_ok(uint8_t ins, uint8_t p1, uint8_t p2)
{
    uint16_t sw;
    size_t n = op(ins, p1, p2, &sw);
    ck_assert_msg(sw == 0x9000, "80 %02X %02X %02X: SW %04X (%s)", ins, p1, p2, sw, vm->last_error);
    return n;
}

static void expect_data(size_t n, const char *hex, const char *what)
{
    uint8_t want[600];
    size_t wn = hexb(hex, want, sizeof want);
    char got[1300];
    cl_hex_encode(resp, n < 600 ? n : 600, got, 0);
    ck_assert_msg(n == wn && !memcmp(resp, want, wn), "%s: got %s, expected %s", what, got, hex);
}

static void build_key(uint8_t slot, uint8_t type, uint16_t bits)
{
    uint8_t l[2] = { (uint8_t)(bits >> 8), (uint8_t)bits };
    load(l, 2);
    op_ok(0x20, slot, type);
}

static void set_key_hex(uint8_t slot, uint8_t comp, const char *hex)
{
    load_hex(hex);
    op_ok(0x21, slot, comp);
}

/* KeyBuilder types, algorithm constants of the API. */
enum { T_DES = 3, T_RSA_PUB = 4, T_RSA_PRIV = 5, T_RSA_CRT = 6, T_DSA_PUB = 7, T_EC_PUB = 11, T_EC_PRIV = 12,
       T_AES_TR = 13, T_AES_TD = 14, T_AES = 15, T_HMAC = 21 };
enum { SW_CRYPTO = 0x6F10 };

/* --- message digests and random --- */

static const char *abc = "616263";
static const char *abc448 = "6162636462636465636465666465666765666768666768696768696A68696A6B"
                            "696A6B6C6A6B6C6D6B6C6D6E6C6D6E6F6D6E6F706E6F7071";

START_TEST(sha_fips180)
{
    load_hex(abc);
    expect_data(op_ok(0x10, 1, 1), "A9993E364706816ABA3E25717850C26C9CD0D89D", "SHA-1 abc");
    expect_data(op_ok(0x10, 7, 2), "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7", "SHA-224 abc");
    expect_data(op_ok(0x10, 4, 0), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "SHA-256 abc");
    expect_data(op_ok(0x10, 5, 3),
                "CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7",
                "SHA-384 abc");
    expect_data(op_ok(0x10, 6, 1),
                "DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD"
                "454D4423643CE80E2A9AC94FA54CA49F",
                "SHA-512 abc");
    load_hex(abc448);
    expect_data(op_ok(0x10, 4, 17), "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1", "SHA-256 448 bits");
    /* reset() forgets what was hashed; the object is ready again after doFinal. */
    size_t n = op_ok(0x11, 4, 0);
    ck_assert_uint_eq(n, 64);
    expect_data(32, "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1", "SHA-256 after reset");
    ck_assert_mem_eq(resp + 32, resp, 32);
    /* SHA-3 (FIPS 202 examples for "abc"). */
    load_hex(abc);
    expect_data(op_ok(0x10, 9, 2), "3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532", "SHA3-256 abc");
    expect_data(op_ok(0x10, 11, 0),
                "B751850B1A57168A5693CD924B6B096E08F621827444F70D884F5D0240D2712E10E116E9192AF3C91A7EC57647E39340"
                "57340B4CF408D5A56592F8274EEC53F0",
                "SHA3-512 abc");
    /* MD5 and RIPEMD-160 are not offered. */
    uint16_t sw;
    op(0x10, 2, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    op(0x10, 3, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

START_TEST(random_data)
{
    uint8_t a[64], b[64];
    ck_assert_uint_eq(op_ok(0x12, 2, 64), 64); /* ALG_SECURE_RANDOM */
    memcpy(a, resp, 64);
    ck_assert_uint_eq(op_ok(0x12, 6, 64), 64); /* ALG_KEYGENERATION */
    memcpy(b, resp, 64);
    ck_assert(memcmp(a, b, 64) != 0);
    int zeros = 0;
    for (int i = 0; i < 64; i++) zeros += a[i] == 0;
    ck_assert_int_lt(zeros, 16); /* the buffer was zeroed first: the bytes came from the generator */
    uint16_t sw;
    op(0x12, 9, 8, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

/* --- AES, CMAC, HMAC, GCM --- */

static const char *aes128 = "2B7E151628AED2A6ABF7158809CF4F3C";
static const char *sp800_pt = "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51"
                              "30C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710";

/* Loads the CIPHER command input: mode, IV, chunk size, data. */
static void cipher_input(uint8_t mode, const char *iv_hex, uint8_t chunk, const char *data_hex)
{
    static uint8_t b[1100];
    size_t n = 0;
    b[n++] = mode;
    size_t ivl = iv_hex ? hexb(iv_hex, b + 2, 64) : 0;
    b[n++] = (uint8_t)ivl;
    n += ivl;
    b[n++] = chunk;
    n += hexb(data_hex, b + n, sizeof b - n);
    load(b, n);
}

START_TEST(aes_sp800_38a)
{
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    /* ECB-AES128 (F.1.1), whole and in chunks of 7 bytes. */
    static const char *ecb = "3AD77BB40D7A3660A89ECAF32466EF97F5D3D58503B9699DE785895A96FDBAAF"
                             "43B1CD7F598ECE23881B00E3ED0306887B0C785E27E8AD3F8223207104725DD4";
    cipher_input(2, NULL, 0, sp800_pt);
    expect_data(op_ok(0x40, 14, 0), ecb, "AES-128 ECB encrypt");
    cipher_input(2, NULL, 7, sp800_pt);
    expect_data(op_ok(0x40, 14, 0), ecb, "AES-128 ECB encrypt, 7-byte updates");
    cipher_input(1, NULL, 5, ecb);
    expect_data(op_ok(0x40, 14, 0), sp800_pt, "AES-128 ECB decrypt");
    /* CBC-AES128 (F.2.1). */
    static const char *cbc = "7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2"
                             "73BED6B8E3C1743B7116E69E222295163FF1CAA1681FAC09120ECA307586E1A7";
    cipher_input(2, "000102030405060708090A0B0C0D0E0F", 16, sp800_pt);
    expect_data(op_ok(0x40, 13, 0), cbc, "AES-128 CBC encrypt");
    cipher_input(1, "000102030405060708090A0B0C0D0E0F", 3, cbc);
    expect_data(op_ok(0x40, 13, 0), sp800_pt, "AES-128 CBC decrypt");
    /* AES-256 ECB (F.1.5). */
    build_key(1, T_AES, 256);
    set_key_hex(1, 0, "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");
    cipher_input(2, NULL, 0, "6BC1BEE22E409F96E93D7E117393172A");
    expect_data(op_ok(0x40, 14, 1), "F3EED1BDB5D2A03C064B5A7E3DB181F8", "AES-256 ECB");
    /* CBC-MAC NOPAD over that one block with an AES-256 key = its ECB encryption. */
    load_hex("6BC1BEE22E409F96E93D7E117393172A");
    expect_data(op_ok(0x30, 18, 1), "F3EED1BDB5D2A03C064B5A7E3DB181F8", "AES-256 CBC-MAC");
    /* Milenage OPc = OP xor E_K(OP) (TS 35.207 set 1): E_K(OP) through the card must give it. */
    build_key(2, T_AES, 128);
    set_key_hex(2, 0, "465B5CE8B199B49FAA5F0A2EE238A6BC");
    cipher_input(2, NULL, 0, "CDC202D5123E20F62B6D676AC72CB318");
    ck_assert_uint_eq(op_ok(0x40, 14, 2), 16);
    uint8_t op_[16], opc[16];
    hexb("CDC202D5123E20F62B6D676AC72CB318", op_, 16);
    hexb("CD63CB71954A9F4E48A5994E37A02BAF", opc, 16);
    for (int i = 0; i < 16; i++) ck_assert_uint_eq((uint8_t)(resp[i] ^ op_[i]), opc[i]);
    /* NOPAD with a partial block: ILLEGAL_USE. */
    uint16_t sw;
    cipher_input(2, NULL, 0, "6BC1BEE22E409F96E93D7E11739317");
    op(0x40, 14, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 5);
    /* Korean SEED is not offered. */
    cipher_input(2, NULL, 0, "00");
    op(0x40, 16, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

START_TEST(aes_padding_roundtrip)
{
    build_key(0, T_AES, 192);
    set_key_hex(0, 0, "8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B");
    /* CBC with ISO 9797 M2 (23) and PKCS#5 (24), ECB M2 (26) and PKCS5 (27), for lengths around a block. */
    static const uint8_t algs[] = { 23, 24, 26, 27 };
    for (size_t a = 0; a < sizeof algs; a++)
        for (int len = 0; len <= 33; len += 11) {
            char hex[80] = "";
            for (int i = 0; i < len; i++) sprintf(hex + 2 * i, "%02X", (unsigned)(i * 7 + 1));
            cipher_input(2, algs[a] < 25 ? "0F0E0D0C0B0A09080706050403020100" : NULL, 5, len ? hex : "");
            size_t n = op_ok(0x40, algs[a], 0);
            ck_assert_uint_eq(n, (size_t)(len / 16 + 1) * 16); /* always at least one padding byte */
            char ct[200];
            cl_hex_encode(resp, n, ct, 0);
            /* The padding is checked against the standard's rule on the last block. */
            cipher_input(1, algs[a] < 25 ? "0F0E0D0C0B0A09080706050403020100" : NULL, 9, ct);
            n = op_ok(0x40, algs[a], 0);
            ck_assert_uint_eq(n, (size_t)len);
            if (len) expect_data(n, hex, "padded round trip");
        }
    /* A damaged last block does not unpad: ILLEGAL_USE, never garbage. */
    uint16_t sw;
    cipher_input(1, NULL, 0, "00112233445566778899AABBCCDDEEFF");
    op(0x40, 27, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 5);
}
END_TEST

START_TEST(cmac_sp800_38b)
{
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("6BC1BEE22E409F96E93D7E117393172A");
    expect_data(op_ok(0x30, 49, 0), "070A16B46B4D4144F79BDD9DD04A287C", "CMAC 16 bytes");
    load_hex("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411");
    expect_data(op_ok(0x30, 49, 0), "DFA66747DE9AE63030CA32611497C827", "CMAC 40 bytes");
    load_hex(sp800_pt);
    expect_data(op_ok(0x30, 49, 0), "51F0BEBF7E3B9D92FC49741779363CFE", "CMAC 64 bytes");
    /* Verify: the right MAC, then one bit off. */
    load_hex("00406BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EF"
             "F69F2445DF4F9B17AD2B417BE66C371051F0BEBF7E3B9D92FC49741779363CFE");
    expect_data(op_ok(0x31, 49, 0), "01", "CMAC verify");
    load_hex("00406BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EF"
             "F69F2445DF4F9B17AD2B417BE66C371051F0BEBF7E3B9D92FC49741779363CFF");
    expect_data(op_ok(0x31, 49, 0), "00", "CMAC verify, wrong MAC");
    /* AES CBC-MAC NOPAD over the first block = the ECB encryption of it (zero IV). */
    load_hex("6BC1BEE22E409F96E93D7E117393172A");
    expect_data(op_ok(0x30, 18, 0), "3AD77BB40D7A3660A89ECAF32466EF97", "AES MAC NOPAD");
}
END_TEST

START_TEST(hmac_rfc4231)
{
    build_key(0, T_HMAC, 64);
    set_key_hex(0, 0, "0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B");
    load_hex("4869205468657265"); /* "Hi There" */
    expect_data(op_ok(0x30, 25, 0), "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7", "HMAC-SHA256 TC1");
    expect_data(op_ok(0x30, 26, 0),
                "AFD03944D84895626B0825F4AB46907F15F9DADBE4101EC682AA034C7CEBC59CFAEA9EA9076EDE7F4AF152E8B2FA9CB6",
                "HMAC-SHA384 TC1");
    expect_data(op_ok(0x30, 27, 0),
                "87AA7CDEA5EF619D4FF0B4241A1D6CB02379F4E2CE4EC2787AD0B30545E17CDEDAA833B7D6B8A702038B274EAEA3F4E4"
                "BE9D914EEB61F1702E696C203A126854",
                "HMAC-SHA512 TC1");
    /* RFC 2202 test case 1 for HMAC-SHA1 (same key and data). */
    load_hex("4869205468657265");
    expect_data(op_ok(0x30, 24, 0), "B617318655057264E28BC0B6FB378C8EF146BE00", "HMAC-SHA1 RFC 2202 TC1");
    build_key(1, T_HMAC, 64);
    set_key_hex(1, 0, "4A656665"); /* "Jefe" */
    load_hex("7768617420646F2079612077616E7420666F72206E6F7468696E673F");
    expect_data(op_ok(0x30, 25, 1), "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843", "HMAC-SHA256 TC2");
    /* An HMAC key for an AES algorithm: ILLEGAL_VALUE. */
    uint16_t sw;
    op(0x30, 49, 1, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
}
END_TEST

/* GCM input: mode nLen nonce aadLen aad tagLen data. */
static void gcm_input(uint8_t mode, const char *nonce, const char *aad, uint8_t tag, const char *data)
{
    static uint8_t b[1100];
    size_t n = 0;
    b[n++] = mode;
    size_t nl = hexb(nonce, b + n + 1, 128);
    b[n] = (uint8_t)nl;
    n += 1 + nl;
    size_t al = hexb(aad, b + n + 1, 255);
    b[n] = (uint8_t)al;
    n += 1 + al;
    b[n++] = tag;
    n += hexb(data, b + n, sizeof b - n);
    load(b, n);
}

START_TEST(gcm_spec)
{
    /* Test case 2 (zero key, one zero block, no AAD), then test case 4 (AAD, 60 bytes). */
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, "00000000000000000000000000000000");
    gcm_input(2, "000000000000000000000000", "", 16, "00000000000000000000000000000000");
    expect_data(op_ok(0x60, 0, 0), "0388DACE60B6A392F328C2B971B2FE78AB6E47D42CEC13BDF53A67B21257BDDF", "GCM TC2");
    build_key(1, T_AES, 128);
    set_key_hex(1, 0, "FEFFE9928665731C6D6A8F9467308308");
    static const char *p4 = "D9313225F88406E5A55909C5AFF5269A86A7A9531534F7DA2E4C303D8A318A721C3C0C95956809532FCF0E2449A6B525"
                            "B16AEDF5AA0DE657BA637B39";
    static const char *c4 = "42831EC2217774244B7221B784D0D49CE3AA212F2C02A4E035C17E2329ACA12E21D514B25466931C7D8F6A5AAC84AA05"
                            "1BA30B396A0AAC973D58E091";
    gcm_input(2, "CAFEBABEFACEDBADDECAF888", "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2", 16, p4);
    char want[400];
    snprintf(want, sizeof want, "%s5BC94FBC3221A5DB94FAE95AE7121A47", c4);
    expect_data(op_ok(0x60, 0, 1), want, "GCM TC4 encrypt");
    gcm_input(1, "CAFEBABEFACEDBADDECAF888", "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2", 16, want);
    snprintf(want, sizeof want, "%s01", p4);
    expect_data(op_ok(0x60, 0, 1), want, "GCM TC4 decrypt + verifyTag");
    /* A changed AAD byte: the tag no longer verifies. */
    snprintf(want, sizeof want, "%s5BC94FBC3221A5DB94FAE95AE7121A47", c4);
    gcm_input(1, "CAFEBABEFACEDBADDECAF888", "FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD3", 16, want);
    size_t n = op_ok(0x60, 0, 1);
    ck_assert_uint_eq(n, 61);
    ck_assert_uint_eq(resp[60], 0);
}
END_TEST

/* --- DES3 --- */

/* Host-side DES3 (EVP), independent of the card, for the expected values. */
static size_t host_encrypt(const EVP_CIPHER *c, const uint8_t *key, const uint8_t *iv, const uint8_t *in, size_t n, uint8_t *out)
{
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    ck_assert(x && EVP_EncryptInit_ex(x, c, NULL, key, iv) && EVP_CIPHER_CTX_set_padding(x, 0) &&
              EVP_EncryptUpdate(x, out, &l1, in, (int)n) && EVP_EncryptFinal_ex(x, out + l1, &l2));
    EVP_CIPHER_CTX_free(x);
    return (size_t)(l1 + l2);
}

START_TEST(des3_and_retail_mac)
{
    static const char *k2 = "0123456789ABCDEFFEDCBA9876543210";
    uint8_t k24[24], k1x3[24], msg[24], exp[64], iv[8] = { 0 };
    hexb(k2, k24, 16);
    memcpy(k24 + 16, k24, 8);
    for (int i = 0; i < 24; i++) msg[i] = (uint8_t)(0x30 + i);
    build_key(0, T_DES, 128);
    set_key_hex(0, 0, k2);
    /* DES3 CBC NOPAD (1) against host EVP des-ede3-cbc with K1 K2 K1. */
    char mhex[64], ehex[140];
    cl_hex_encode(msg, 24, mhex, 0);
    cipher_input(2, "0000000000000000", 5, mhex);
    size_t n = host_encrypt(EVP_des_ede3_cbc(), k24, iv, msg, 24, exp);
    cl_hex_encode(exp, n, ehex, 0);
    expect_data(op_ok(0x40, 1, 0), ehex, "DES3 CBC 2-key");
    /* ISO 9797-1 M2 retail MAC (20): single DES CBC under K1 over the padded message, then D(K2), E(K1). */
    uint8_t padded[32];
    memcpy(padded, msg, 24);
    padded[24] = 0x80;
    memset(padded + 25, 0, 7);
    for (int i = 0; i < 3; i++) memcpy(k1x3 + 8 * i, k24, 8);
    n = host_encrypt(EVP_des_ede3_cbc(), k1x3, iv, padded, 32, exp);
    uint8_t last[8], mid[8];
    memcpy(last, exp + n - 8, 8);
    uint8_t k2x3[24];
    for (int i = 0; i < 3; i++) memcpy(k2x3 + 8 * i, k24 + 8, 8);
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int ol = 0;
    ck_assert(EVP_DecryptInit_ex(x, EVP_des_ede3_ecb(), NULL, k2x3, NULL) && EVP_CIPHER_CTX_set_padding(x, 0) &&
              EVP_DecryptUpdate(x, mid, &ol, last, 8));
    EVP_CIPHER_CTX_free(x);
    host_encrypt(EVP_des_ede3_ecb(), k1x3, NULL, mid, 8, last);
    load(msg, 24);
    cl_hex_encode(last, 8, ehex, 0);
    expect_data(op_ok(0x30, 20, 0), ehex, "retail MAC M2");
    /* The 4-byte variant is its prefix. */
    ehex[8] = 0;
    expect_data(op_ok(0x30, 19, 0), ehex, "retail MAC4 M2");
    /* Full DES3 CBC-MAC M2 (6) = last block of DES3 CBC over the padded message. */
    n = host_encrypt(EVP_des_ede3_cbc(), k24, iv, padded, 32, exp);
    cl_hex_encode(exp + n - 8, 8, ehex, 0);
    expect_data(op_ok(0x30, 6, 0), ehex, "DES3 MAC8 M2");
    /* Single DES keys are not offered. */
    uint8_t l[2] = { 0, 64 };
    load(l, 2);
    uint16_t sw;
    op(0x20, 1, T_DES, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

/* Three-key DES3 (KeyBuilder LENGTH_DES3_3KEY): the TDEA example of NIST SP 800-67 Rev. 1 (keys
 * 0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123, "The qufck brown fox jump"). CBC and the
 * CBC-MACs are checked with the same vector: CBC over P1^IV, P2^C1, P3^C2 must give C1 C2 C3. */
static const char *tdea_key3 = "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123";
static const char *tdea_pt = "5468652071756663" "6B2062726F776E20" "666F78206A756D70";
static const char *tdea_ct = "A826FD8CE53B855F" "CCE21C8112256FE6" "68D5C05DD9B6B900";

/* The plaintext whose CBC encryption under iv is the SP 800-67 ciphertext, as hex. */
static void tdea_cbc_plain(const uint8_t iv[8], char hex[49])
{
    uint8_t p[24], c[24], q[24];
    hexb(tdea_pt, p, sizeof p);
    hexb(tdea_ct, c, sizeof c);
    for (int i = 0; i < 24; i++) q[i] = (uint8_t)(p[i] ^ (i < 8 ? iv[i] : c[i - 8]));
    cl_hex_encode(q, 24, hex, 0);
}

START_TEST(des3_three_key_sp800_67)
{
    build_key(0, T_DES, 192);
    set_key_hex(0, 0, tdea_key3);
    /* ECB NOPAD (5): whole, in 5-byte pieces, and back. */
    cipher_input(2, NULL, 0, tdea_pt);
    expect_data(op_ok(0x40, 5, 0), tdea_ct, "3-key DES3 ECB encrypt");
    cipher_input(2, NULL, 5, tdea_pt);
    expect_data(op_ok(0x40, 5, 0), tdea_ct, "3-key DES3 ECB encrypt, 5-byte updates");
    cipher_input(1, NULL, 3, tdea_ct);
    expect_data(op_ok(0x40, 5, 0), tdea_pt, "3-key DES3 ECB decrypt");
    /* CBC NOPAD (1), zero IV and a given IV. */
    static const uint8_t zero[8], iv[8] = { 0xF0, 0xE1, 0xD2, 0xC3, 0xB4, 0xA5, 0x96, 0x87 };
    char q0[49], qiv[49];
    tdea_cbc_plain(zero, q0);
    tdea_cbc_plain(iv, qiv);
    cipher_input(2, "0000000000000000", 7, q0);
    expect_data(op_ok(0x40, 1, 0), tdea_ct, "3-key DES3 CBC encrypt");
    cipher_input(2, "F0E1D2C3B4A59687", 0, qiv);
    expect_data(op_ok(0x40, 1, 0), tdea_ct, "3-key DES3 CBC encrypt with IV");
    cipher_input(1, "F0E1D2C3B4A59687", 9, tdea_ct);
    expect_data(op_ok(0x40, 1, 0), qiv, "3-key DES3 CBC decrypt with IV");
    /* CBC-MAC NOPAD: MAC8 (2) is the last CBC block, MAC4 (1) its first half; verify both ways. */
    load_hex(q0);
    expect_data(op_ok(0x30, 2, 0), "68D5C05DD9B6B900", "3-key DES3 MAC8 NOPAD");
    load_hex(q0);
    expect_data(op_ok(0x30, 1, 0), "68D5C05D", "3-key DES3 MAC4 NOPAD");
    char v[120];
    snprintf(v, sizeof v, "0018%s68D5C05DD9B6B900", q0);
    load_hex(v);
    expect_data(op_ok(0x31, 2, 0), "01", "3-key DES3 MAC8 verify");
    snprintf(v, sizeof v, "0018%s68D5C05DD9B6B901", q0);
    load_hex(v);
    expect_data(op_ok(0x31, 2, 0), "00", "3-key DES3 MAC8 verify, wrong MAC");
    /* MAC8 with an IV (init with IV): the chain starts there. */
    snprintf(v, sizeof v, "08F0E1D2C3B4A59687%s", qiv);
    load_hex(v);
    expect_data(op_ok(0x34, 2, 0), "68D5C05DD9B6B900", "3-key DES3 MAC8 with IV");
    /* The third key matters: the same bytes as a two-key key (K1 K2 K1) give another result. */
    build_key(1, T_DES, 128);
    set_key_hex(1, 0, "0123456789ABCDEF23456789ABCDEF01");
    cipher_input(2, NULL, 0, tdea_pt);
    ck_assert_uint_eq(op_ok(0x40, 5, 1), 24);
    uint8_t ct[24];
    hexb(tdea_ct, ct, sizeof ct);
    ck_assert(memcmp(resp, ct, 24) != 0);
}
END_TEST

/* The padded block ciphers against host OpenSSL: the host pads by hand (ISO 9797-1 M2: 0x80 then
 * zeros; PKCS#5: n bytes of n) and encrypts with EVP's unpadded mode; the card's ciphertext must be
 * the same bytes, and the card must decrypt the host's ciphertext back. Two- and three-key DES3
 * and AES-128/192/256, messages around the block size. */
enum { P_NOPAD = 1, P_M2 = 3, P_PKCS5 = 6 };

static size_t host_pad(uint8_t *m, size_t len, size_t bs, int pad)
{
    if (pad == P_M2) {
        m[len++] = 0x80;
        while (len % bs) m[len++] = 0;
    } else if (pad == P_PKCS5) {
        size_t v = bs - len % bs;
        for (size_t i = 0; i < v; i++) m[len++] = (uint8_t)v;
    }
    return len;
}

/* The host's AES in CBC/ECB for key index 0/1/2 = 128/192/256 bits. */
static const EVP_CIPHER *api_test_aes_cbc(int k) { return k == 0 ? EVP_aes_128_cbc() : k == 1 ? EVP_aes_192_cbc() : EVP_aes_256_cbc(); }
static const EVP_CIPHER *api_test_aes_ecb(int k) { return k == 0 ? EVP_aes_128_ecb() : k == 1 ? EVP_aes_192_ecb() : EVP_aes_256_ecb(); }

static void padded_case(uint8_t alg, uint8_t slot, const EVP_CIPHER *host, const uint8_t *hkey, const char *iv_hex,
                        int pad, size_t len)
{
    size_t bs = (size_t)EVP_CIPHER_get_block_size(host);
    uint8_t m[80], iv[16] = { 0 }, ct[96];
    char mh[170], ch[200];
    for (size_t i = 0; i < len; i++) m[i] = (uint8_t)(0xA5 ^ (i * 29));
    cl_hex_encode(m, len, mh, 0);
    if (iv_hex) hexb(iv_hex, iv, sizeof iv);
    size_t n = host_encrypt(host, hkey, iv_hex ? iv : NULL, m, host_pad(m, len, bs, pad), ct);
    cl_hex_encode(ct, n, ch, 0);
    cipher_input(2, iv_hex, 7, mh);
    char what[80];
    snprintf(what, sizeof what, "alg %u, %s, %zu bytes: encrypt", alg, EVP_CIPHER_get0_name(host), len);
    expect_data(op_ok(0x40, alg, slot), ch, what);
    cipher_input(1, iv_hex, 5, ch);
    snprintf(what, sizeof what, "alg %u, %s, %zu bytes: decrypt", alg, EVP_CIPHER_get0_name(host), len);
    size_t back = op_ok(0x40, alg, slot);
    ck_assert_msg(back == len && (!len || !memcmp(resp, m, len)), "%s", what); /* m: the host padded after it */
}

START_TEST(padded_ciphers_match_host_evp)
{
    static const char *des2 = "0123456789ABCDEFFEDCBA9876543210";
    static const char *aes192 = "8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B";
    static const char *aes256 = "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4";
    build_key(0, T_DES, 128);
    set_key_hex(0, 0, des2);
    build_key(1, T_DES, 192);
    set_key_hex(1, 0, tdea_key3);
    build_key(2, T_AES, 128);
    set_key_hex(2, 0, aes128);
    build_key(3, T_AES, 192);
    set_key_hex(3, 0, aes192);
    build_key(4, T_AES, 256);
    set_key_hex(4, 0, aes256);
    uint8_t k2[24], k3[24], a1[16], a2[24], a3[32];
    hexb(des2, k2, 16);
    memcpy(k2 + 16, k2, 8); /* two-key DES3 is K1 K2 K1 */
    hexb(tdea_key3, k3, 24);
    hexb(aes128, a1, 16);
    hexb(aes192, a2, 24);
    hexb(aes256, a3, 32);
    static const char *div = "F0E1D2C3B4A59687", *aiv = "0F1E2D3C4B5A69788796A5B4C3D2E1F0";
    /* DES: 3 CBC M2, 4 CBC PKCS5, 5 ECB NOPAD, 7 ECB M2, 8 ECB PKCS5. */
    static const struct { uint8_t alg; bool cbc; int pad; } des[] = {
        { 3, true, P_M2 }, { 4, true, P_PKCS5 }, { 5, false, P_NOPAD }, { 7, false, P_M2 }, { 8, false, P_PKCS5 } };
    static const size_t des_lens[] = { 0, 1, 7, 8, 9, 21 }, nopad_lens[] = { 8, 24 };
    for (size_t d = 0; d < CL_ARRAY_LEN(des); d++)
        for (int key = 0; key < 2; key++) {
            const EVP_CIPHER *h = des[d].cbc ? EVP_des_ede3_cbc() : EVP_des_ede3_ecb();
            bool np = des[d].pad == P_NOPAD;
            for (size_t l = 0; l < (np ? CL_ARRAY_LEN(nopad_lens) : CL_ARRAY_LEN(des_lens)); l++)
                padded_case(des[d].alg, (uint8_t)key, h, key ? k3 : k2, des[d].cbc ? div : NULL, des[d].pad,
                            np ? nopad_lens[l] : des_lens[l]);
        }
    /* AES: 23 CBC M2, 24 CBC PKCS5, 26 ECB M2, 27 ECB PKCS5, each key length. */
    static const struct { uint8_t alg; bool cbc; int pad; } aes[] = {
        { 23, true, P_M2 }, { 24, true, P_PKCS5 }, { 26, false, P_M2 }, { 27, false, P_PKCS5 } };
    static const size_t aes_lens[] = { 0, 1, 15, 16, 17, 40 };
    const uint8_t *akeys[] = { a1, a2, a3 };
    for (size_t a = 0; a < CL_ARRAY_LEN(aes); a++)
        for (int key = 0; key < 3; key++) {
            const EVP_CIPHER *h = aes[a].cbc ? api_test_aes_cbc(key) : api_test_aes_ecb(key);
            for (size_t l = 0; l < CL_ARRAY_LEN(aes_lens); l++)
                padded_case(aes[a].alg, (uint8_t)(2 + key), h, akeys[key], aes[a].cbc ? aiv : NULL, aes[a].pad, aes_lens[l]);
        }
}
END_TEST

/* RSA-2048 known key (a fixed key made for this test with OpenSSL) imported through the setters:
 * RSAPublicKey setModulus/setExponent, RSAPrivateKey setModulus/setExponent, RSAPrivateCrtKey
 * setP/Q/DP1/DQ1/PQ. The card verifies the host's SHA-256 PKCS#1 signature, makes the very same
 * signature with both private forms (PKCS#1 v1.5 is deterministic), decrypts the host's PKCS#1
 * and OAEP ciphertexts, and every getter gives back what was set. */
static const char *rsa_n =
    "8B637945667BDEFD74E61E92A7D3AEA3BC1844F07AE1CFA53F2D111684412BF93C0616CCBAA0E2F7DDD29D854896C57C"
    "77BAF1BD9C6BD7F642C277B4BCF355AE2367347761929B737CE78CB62B7597082BB0692E121C41A2805596775609ED80"
    "84EF02F47647A09355020782FF38456C374D175DBC3B8DA3EADE58C1EE1F16DA94FC08BAFB58CAD9DA41F76869BBE98D"
    "9C31FCAD76AD3AFB9B829480118C87DC9A817F5A8DF730F55890C0BE154875864C74F3ABEAA178D7164974F9856FA911"
    "1B996A32EEC40CB2DCA67A2B2C1B5C0AB2358A3376C81A6E899869FDDDDA95C890E35BF174154D4CA0ACC72D06986FAF"
    "F1A18A2EE40FCCCAED758D60BC026B1B";
static const char *rsa_e =
    "010001";
static const char *rsa_d =
    "0F5EDA9670BCD3C94EEA39FB2C698C80FEB2B86B6CF42DFC72BBD55363D0774E665EE4DB12461531305DFE191EA38D9C"
    "7241845071DECC88EF3202EC4472702E21E0F56952B24D7FB8897A114937E57DDFAA20E1BFDA80D1B0102ABAF71B0F7C"
    "696C47D44D9F6166CDC1745D997CE0343F8C39E43ABD0B1B451631631539E0159F17A8069BDCA9B7FE63FDC57E8DF4F1"
    "9A07A8F7E6198DDA827CCF2675F2576EEFF17F472CEA0B4AF3FD9362628FADEAD9FFA4FD90C1F7BA7F1559EF5CB25AFA"
    "7E4D82E9288F9EC3AB8D6E4B4D1439FCDF673EA0EA9F7D4DDC0FADA664DB66BCD494B0FD56ECBDD1DA7D4905FFC5355B"
    "C1ABFFCCC7ED9DFD03A86768D3722021";
static const char *rsa_p =
    "C37C83B0F8B207C1B54AC35EDC63FD8E973A243ADFE155CC43BFD42CA9F321A9B214B85E5B096A9A7DCD6FC301A32809"
    "3650BF871F176373B19609127FC1EB0DB0710B140A1D1D4947FDAE90714463F9BBF2F3164A17024D20A38DAF04A562B3"
    "C3401AEF993367C198DC03BACEF2287FAE30EE299F3547CACBCC4C5CE8D693E1";
static const char *rsa_q =
    "B68970A337191FC6424F04B4C11C5B744A3AC740D898EC24B5A6BE7C6BF518E819074061A3A506773800A99B1F493549"
    "8F5DE73245560D81FE80E21D721EC13C8165C9D57F2152E521F75734CD9873336BCD95D0B73C8F2EBBE7BF133AFBE911"
    "3FE84937F01F31BF602522CEDCF6BCF30CED01906489A384E64E564A5A351E7B";
static const char *rsa_dp =
    "2658EE9C70ACBBC8CBFF7683CD47F01D609D0F2E5D6C9EA00B4A3E1CE4D9C4E8BCFE438C7EDF42023C5B6869209118F1"
    "75AE3164183D464D13B112E686194C3ACB39E1AA74B1716546B204E460D3C1A8E3ADACF1DA66D914B82A5D48CFE8818C"
    "31E9095FA6F5E68C9BA7CD33801510CCBB26EE114C21EF8B609F1AFBBED11901";
static const char *rsa_dq =
    "2BF5A789B71036E5C13C546ECF7EEBCB72C0FB1173D8482E830CB81D30C6A30BEA5323BF1FF0F340ACDD03FB96AA43CA"
    "065BDFFCEC53D006F96AC289C2DD033E760F346F55218A5C2234F5EC8282EF6377D7D7F79ED957C6327C9A38A060E07D"
    "45FDC3FC53B8BF7B4E45433FBC5933A1F8FFEEFB7E2AE39572FD74AC8D52F397";
static const char *rsa_qi =
    "B2A301075263F800F5AF647A4BEFB4C9FA3D10DAB74BEA2AFF85CA6A8D64F9BF7540E04A44D55D81E001A0F1FEA4E56F"
    "FBAAA99D81BD7C465A3237869B4606E4310F7A65E062EF5990C3794BBE3F281F596A77170AD99E34CB608EC1D09F56FE"
    "18683A6E77090BFC29E5A190AF1867192A8CC85C2B3898D3BA9B2AEA9638B4FC";

static BIGNUM *bn_hex(const char *hex)
{
    BIGNUM *b = NULL;
    ck_assert(BN_hex2bn(&b, hex) > 0);
    return b;
}

static EVP_PKEY *host_rsa_key(void)
{
    const char *hex[] = { rsa_n, rsa_e, rsa_d, rsa_p, rsa_q, rsa_dp, rsa_dq, rsa_qi };
    const char *names[] = { OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
                            OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1 };
    BIGNUM *b[8];
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert_ptr_nonnull(bld);
    for (int i = 0; i < 8; i++) {
        b[i] = bn_hex(hex[i]);
        ck_assert(OSSL_PARAM_BLD_push_BN(bld, names[i], b[i]));
    }
    OSSL_PARAM *prm = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY *pk = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    ck_assert(prm && c && EVP_PKEY_fromdata_init(c) > 0 && EVP_PKEY_fromdata(c, &pk, EVP_PKEY_KEYPAIR, prm) > 0);
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(prm);
    OSSL_PARAM_BLD_free(bld);
    for (int i = 0; i < 8; i++) BN_free(b[i]);
    return pk;
}

static size_t host_rsa_encrypt(EVP_PKEY *pk, int pad, const char *msg, uint8_t *ct, size_t cap)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
    ck_assert(c && EVP_PKEY_encrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, pad) > 0 &&
              EVP_PKEY_encrypt(c, ct, &cap, (const uint8_t *)msg, strlen(msg)) > 0);
    EVP_PKEY_CTX_free(c);
    return cap;
}

START_TEST(rsa_2048_known_key_through_setters)
{
    EVP_PKEY *pk = host_rsa_key();
    /* The host's signature of "abc" (SHA-256, PKCS#1 v1.5). */
    uint8_t sig[256];
    size_t sl = sizeof sig;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert(m && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, pk) == 1 &&
              EVP_DigestSign(m, sig, &sl, (const uint8_t *)"abc", 3) == 1 && sl == 256);
    EVP_MD_CTX_free(m);
    char sh[520], in[600];
    cl_hex_encode(sig, sl, sh, 0);
    /* Slot 0 public, 1 private (modulus, exponent), 2 CRT. */
    build_key(0, T_RSA_PUB, 2048);
    set_key_hex(0, 1, rsa_n);
    set_key_hex(0, 2, rsa_e);
    build_key(1, T_RSA_PRIV, 2048);
    set_key_hex(1, 1, rsa_n);
    set_key_hex(1, 2, rsa_d);
    build_key(2, T_RSA_CRT, 2048);
    const char *crt[] = { rsa_p, rsa_q, rsa_dp, rsa_dq, rsa_qi };
    for (int i = 0; i < 5; i++) set_key_hex(2, (uint8_t)(3 + i), crt[i]);
    snprintf(in, sizeof in, "0003616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x31, 40, 0), "01", "card verifies the host's signature");
    sh[0] ^= 1; /* one bit off */
    snprintf(in, sizeof in, "0003616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x31, 40, 0), "00", "a changed signature does not verify");
    sh[0] ^= 1;
    load_hex("616263");
    expect_data(op_ok(0x30, 40, 1), sh, "card signature, private key = host's");
    load_hex("616263");
    expect_data(op_ok(0x30, 40, 2), sh, "card signature, CRT key = host's");
    /* Host ciphertexts, decrypted by the card. */
    uint8_t ct[256];
    char ch[520];
    size_t cl = host_rsa_encrypt(pk, RSA_PKCS1_PADDING, "known answer", ct, sizeof ct);
    cl_hex_encode(ct, cl, ch, 0);
    cipher_input(1, NULL, 0, ch);
    expect_data(op_ok(0x40, 10, 1), "6B6E6F776E20616E73776572", "PKCS#1 decrypt, private key");
    cipher_input(1, NULL, 0, ch);
    expect_data(op_ok(0x40, 10, 2), "6B6E6F776E20616E73776572", "PKCS#1 decrypt, CRT key");
    cl = host_rsa_encrypt(pk, RSA_PKCS1_OAEP_PADDING, "oaep", ct, sizeof ct);
    cl_hex_encode(ct, cl, ch, 0);
    cipher_input(1, NULL, 0, ch);
    expect_data(op_ok(0x40, 15, 2), "6F616570", "OAEP decrypt, CRT key");
    EVP_PKEY_free(pk);
    /* The getters give back what the setters were given. */
    expect_data(op_ok(0x22, 0, 1), rsa_n, "public modulus");
    expect_data(op_ok(0x22, 0, 2), rsa_e, "public exponent");
    expect_data(op_ok(0x22, 1, 1), rsa_n, "private modulus");
    expect_data(op_ok(0x22, 1, 2), rsa_d, "private exponent");
    const char *names[] = { "P", "Q", "DP1", "DQ1", "PQ" };
    for (int i = 0; i < 5; i++) expect_data(op_ok(0x22, 2, (uint8_t)(3 + i)), crt[i], names[i]);
}
END_TEST

/* --- key storage --- */

START_TEST(key_info_and_uninitialized)
{
    build_key(0, T_AES, 128);
    ck_assert_uint_eq(op_ok(0x23, 0, 0), 4);
    expect_data(4, "0000800F", "fresh AES key: not initialized, 128 bits, TYPE_AES");
    uint16_t sw;
    load_hex("00");
    op(0x30, 49, 0, &sw); /* CMAC with no key material */
    ck_assert_uint_eq(sw, SW_CRYPTO | 2);
    op(0x22, 0, 0, &sw); /* getKey */
    ck_assert_uint_eq(sw, SW_CRYPTO | 2);
    set_key_hex(0, 0, aes128);
    expect_data(op_ok(0x23, 0, 0), "0100800F", "initialized");
    expect_data(op_ok(0x22, 0, 0), aes128, "getKey");
    op_ok(0x24, 0, 0); /* clearKey */
    expect_data(op_ok(0x23, 0, 0), "0000800F", "cleared");
    op(0x22, 0, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 2);
    /* Unsupported key types and lengths. */
    uint8_t l[2] = { 0x04, 0x00 };
    load(l, 2);
    op(0x20, 1, T_DSA_PUB, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    l[0] = 0; l[1] = 100;
    load(l, 2);
    op(0x20, 1, T_AES, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

START_TEST(persistent_key_survives_reopen)
{
    build_key(0, T_AES, 256);
    set_key_hex(0, 0, "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");
    build_key(1, T_AES_TR, 128);
    set_key_hex(1, 0, aes128);
    expect_data(op_ok(0x23, 1, 0), "0100800D", "transient key set");
    close_card();
    open_card();
    select_applet();
    expect_data(op_ok(0x23, 0, 0), "0101000F", "persistent key after reopen");
    cipher_input(2, NULL, 0, "6BC1BEE22E409F96E93D7E117393172A");
    expect_data(op_ok(0x40, 14, 0), "F3EED1BDB5D2A03C064B5A7E3DB181F8", "AES-256 with the stored key");
    /* The CLEAR_ON_RESET key lost its material with the power. */
    expect_data(op_ok(0x23, 1, 0), "0000800D", "transient key after reopen");
    set_key_hex(1, 0, aes128);
    uint8_t atr[CARD_ATR_MAX];
    card_reset(card, atr);
    select_applet();
    expect_data(op_ok(0x23, 1, 0), "0000800D", "transient key after reset");
}
END_TEST

START_TEST(transient_deselect_key_cleared_at_deselect)
{
    size_t len;
    cl_error_t e = { { 0 } };
    uint8_t *cap = vt_read_cap(build_dir, "hello", &len); /* a second applet, to deselect ours */
    static const uint8_t hello[] = { 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    int r = vm_card_install(vm, cap, len, hello, sizeof hello, NULL, 0, NULL, 0, false, &e);
    free(cap);
    ck_assert_msg(r == 0, "install hello: %s", e.msg);
    build_key(2, T_AES_TD, 128);
    set_key_hex(2, 0, aes128);
    build_key(3, T_AES, 128);
    set_key_hex(3, 0, aes128);
    static const uint8_t sel_hello[] = { 0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x63, 0x61, 0x72, 0x64, 0x01, 0x01, 0x01 };
    ck_assert_uint_eq(xmit_raw(sel_hello, sizeof sel_hello), 2);
    ck_assert_uint_eq(resp[0], 0x90);
    select_applet();
    expect_data(op_ok(0x23, 2, 0), "0000800E", "CLEAR_ON_DESELECT key after deselection");
    expect_data(op_ok(0x23, 3, 0), "0100800F", "persistent key after deselection");
}
END_TEST

START_TEST(transient_deselect_key_cleared_at_reset)
{
    build_key(2, T_AES_TD, 128);
    set_key_hex(2, 0, aes128);
    expect_data(op_ok(0x23, 2, 0), "0100800E", "deselect key set");
    uint8_t atr[CARD_ATR_MAX];
    card_reset(card, atr);
    select_applet();
    expect_data(op_ok(0x23, 2, 0), "0000800E", "deselect key after reset");
}
END_TEST

/* --- EC --- */

/* Sets P-256 domain parameters (taken from OpenSSL's named curve) on key slot. */
static void set_p256_domain(uint8_t slot)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ck_assert_ptr_nonnull(k);
    static const char *names[] = { OSSL_PKEY_PARAM_EC_P, OSSL_PKEY_PARAM_EC_A, OSSL_PKEY_PARAM_EC_B, NULL, OSSL_PKEY_PARAM_EC_ORDER };
    for (int i = 0; i < 5; i++) {
        uint8_t b[80];
        size_t n;
        if (i == 3) {
            ck_assert(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_EC_GENERATOR, b, sizeof b, &n));
        } else {
            BIGNUM *v = NULL;
            ck_assert(EVP_PKEY_get_bn_param(k, names[i], &v));
            n = 32;
            ck_assert_int_eq(BN_bn2binpad(v, b, 32), 32);
            BN_free(v);
        }
        load(b, n);
        op_ok(0x21, slot, (uint8_t)(i + 1));
    }
    uint8_t one[2] = { 0, 1 };
    load(one, 2);
    op_ok(0x21, slot, 6);
    EVP_PKEY_free(k);
}

START_TEST(ecdsa_p256_rfc6979)
{
    /* RFC 6979 A.2.5: the public key and the signature of "sample" with SHA-256 (r, s as DER). */
    build_key(0, T_EC_PUB, 256);
    set_p256_domain(0);
    set_key_hex(0, 7, "0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
                      "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
    static const char *der = "3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
                             "022100F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
    char in[400];
    snprintf(in, sizeof in, "000673616D706C65%s", der);
    load_hex(in);
    expect_data(op_ok(0x31, 33, 0), "01", "RFC 6979 signature verifies");
    snprintf(in, sizeof in, "000673616D706C66%s", der); /* "samplf" */
    load_hex(in);
    expect_data(op_ok(0x31, 33, 0), "00", "other message does not verify");
    /* The matching private key signs; its signature verifies on the card. */
    build_key(1, T_EC_PRIV, 256);
    set_p256_domain(1);
    set_key_hex(1, 7, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
    load_hex("73616D706C65");
    size_t n = op_ok(0x30, 33, 1);
    ck_assert(n >= 8 && n <= 72 && resp[0] == 0x30 && resp[1] == n - 2);
    char sig[200];
    cl_hex_encode(resp, n, sig, 0);
    uint8_t card_der[80];
    memcpy(card_der, resp, n);
    snprintf(in, sizeof in, "000673616D706C65%s", sig);
    load_hex(in);
    expect_data(op_ok(0x31, 33, 0), "01", "card signature verifies");
    /* The host verifies the card's signature with the RFC's public key. */
    uint8_t w[65];
    hexb("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
         "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299", w, sizeof w);
    EVP_PKEY *pub = NULL;
    OSSL_PARAM prm[3] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0),
                          OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, w, 65), OSSL_PARAM_construct_end() };
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    ck_assert(c && EVP_PKEY_fromdata_init(c) > 0 && EVP_PKEY_fromdata(c, &pub, EVP_PKEY_PUBLIC_KEY, prm) > 0);
    EVP_PKEY_CTX_free(c);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert(EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, pub) == 1);
    ck_assert_int_eq(EVP_DigestVerify(m, card_der, n, (const uint8_t *)"sample", 6), 1);
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(pub);
    /* A public key cannot sign (wrong key type). */
    uint16_t sw;
    load_hex("00");
    op(0x30, 33, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
}
END_TEST

START_TEST(ecdh_both_sides)
{
    /* Two pairs generated on the card over the P-256 parameters set in the public keys. */
    build_key(0, T_EC_PUB, 256);
    build_key(1, T_EC_PRIV, 256);
    build_key(2, T_EC_PUB, 256);
    build_key(3, T_EC_PRIV, 256);
    set_p256_domain(0);
    set_p256_domain(2);
    op_ok(0x25, 0, 1);
    op_ok(0x25, 2, 3);
    uint8_t w0[65], w2[65], z1[32], z3[32];
    ck_assert_uint_eq(op_ok(0x22, 0, 7), 65);
    memcpy(w0, resp, 65);
    ck_assert_uint_eq(op_ok(0x22, 2, 7), 65);
    memcpy(w2, resp, 65);
    ck_assert(memcmp(w0, w2, 65) != 0);
    load(w2, 65);
    ck_assert_uint_eq(op_ok(0x50, 3, 1), 32); /* ALG_EC_SVDP_DH_PLAIN */
    memcpy(z1, resp, 32);
    load(w0, 65);
    ck_assert_uint_eq(op_ok(0x50, 3, 3), 32);
    memcpy(z3, resp, 32);
    ck_assert_mem_eq(z1, z3, 32);
    /* ALG_EC_SVDP_DH is SHA-1 of the same x coordinate. */
    load(w0, 65);
    ck_assert_uint_eq(op_ok(0x50, 1, 3), 20);
    uint8_t h[20];
    unsigned hl;
    ck_assert(EVP_Digest(z3, 32, h, &hl, EVP_sha1(), NULL));
    ck_assert_mem_eq(resp, h, 20);
    /* The host agrees: its own key with the card's public point. */
    EVP_PKEY *host = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    uint8_t hw[65], hz[32], cz[32];
    size_t hwl, hzl = sizeof hz;
    ck_assert(EVP_PKEY_get_octet_string_param(host, OSSL_PKEY_PARAM_PUB_KEY, hw, sizeof hw, &hwl) && hwl == 65);
    load(hw, 65);
    ck_assert_uint_eq(op_ok(0x50, 3, 1), 32);
    memcpy(cz, resp, 32);
    EVP_PKEY *peer = NULL;
    OSSL_PARAM prm[3] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0),
                          OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, w0, 65), OSSL_PARAM_construct_end() };
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    ck_assert(c && EVP_PKEY_fromdata_init(c) > 0 && EVP_PKEY_fromdata(c, &peer, EVP_PKEY_PUBLIC_KEY, prm) > 0);
    EVP_PKEY_CTX_free(c);
    c = EVP_PKEY_CTX_new_from_pkey(NULL, host, NULL);
    ck_assert(c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 && EVP_PKEY_derive(c, hz, &hzl) > 0);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(host);
    ck_assert_mem_eq(cz, hz, 32);
    /* A point that is not on the curve is refused. */
    w0[64] ^= 1;
    load(w0, 65);
    uint16_t sw;
    op(0x50, 3, 3, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
    /* P-521 pairs by KeyPair(ALG_EC_FP, 521): the plain secret is the 66-byte x coordinate. */
    uint8_t l521[2] = { 0x02, 0x09 }, p0[133], z0[66];
    load(l521, 2);
    op_ok(0x26, 5, 4);
    load(l521, 2);
    op_ok(0x26, 5, 6);
    ck_assert_uint_eq(op_ok(0x22, 4, 7), 133);
    memcpy(p0, resp, 133);
    ck_assert_uint_eq(op_ok(0x22, 6, 7), 133);
    load(resp, 133);
    ck_assert_uint_eq(op_ok(0x50, 3, 5), 66);
    memcpy(z0, resp, 66);
    load(p0, 133);
    ck_assert_uint_eq(op_ok(0x50, 3, 7), 66);
    ck_assert_mem_eq(resp, z0, 66);
    /* The pair also works for ECDSA: sign on the card, verify on the card. */
    load_hex("48656C6C6F");
    size_t n = op_ok(0x30, 33, 1);
    char in[300], sig[160];
    cl_hex_encode(resp, n, sig, 0);
    snprintf(in, sizeof in, "000548656C6C6F%s", sig);
    load_hex(in);
    expect_data(op_ok(0x31, 33, 0), "01", "generated pair signs and verifies");
}
END_TEST

/* --- RSA --- */

START_TEST(rsa_sign_verify_and_cipher)
{
    /* KeyPair(ALG_RSA_CRT, 1024): public key in slot 4, CRT private key in slot 5. */
    uint8_t l[2] = { 0x04, 0x00 };
    load(l, 2);
    op_ok(0x26, 2, 4);
    uint8_t mod[128], e[8];
    ck_assert_uint_eq(op_ok(0x22, 4, 1), 128);
    memcpy(mod, resp, 128);
    size_t el = op_ok(0x22, 4, 2);
    ck_assert(el >= 1 && el <= sizeof e);
    memcpy(e, resp, el);
    load_hex("616263");
    size_t n = op_ok(0x30, 40, 5); /* ALG_RSA_SHA_256_PKCS1 */
    ck_assert_uint_eq(n, 128);
    uint8_t sig[128];
    memcpy(sig, resp, 128);
    /* The host verifies it with the public key read from the card. */
    BIGNUM *bn_n = BN_bin2bn(mod, 128, NULL), *bn_e = BN_bin2bn(e, (int)el, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    ck_assert(bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e));
    OSSL_PARAM *prm = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY *pub = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    ck_assert(c && EVP_PKEY_fromdata_init(c) > 0 && EVP_PKEY_fromdata(c, &pub, EVP_PKEY_PUBLIC_KEY, prm) > 0);
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(prm);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert(EVP_DigestVerifyInit(m, NULL, EVP_sha256(), NULL, pub) == 1);
    ck_assert_int_eq(EVP_DigestVerify(m, sig, 128, (const uint8_t *)"abc", 3), 1);
    EVP_MD_CTX_free(m);
    /* The card verifies it too (SHA-256), and refuses it under SHA-1. */
    char in[400], sh[300];
    cl_hex_encode(sig, 128, sh, 0);
    snprintf(in, sizeof in, "0003616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x31, 40, 4), "01", "card verifies RSA-SHA256");
    expect_data(op_ok(0x31, 10, 4), "00", "not an RSA-SHA1 signature");
    /* ALG_RSA_SHA_PKCS1 signature, verified by the card. */
    load_hex("616263");
    ck_assert_uint_eq(op_ok(0x30, 10, 5), 128);
    cl_hex_encode(resp, 128, sh, 0);
    snprintf(in, sizeof in, "0003616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x31, 10, 4), "01", "card verifies RSA-SHA1");
    /* Cipher ALG_RSA_PKCS1: the host encrypts to the card's key, the card decrypts. */
    uint8_t ct[128];
    size_t ctl = sizeof ct;
    c = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    ck_assert(c && EVP_PKEY_encrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0 &&
              EVP_PKEY_encrypt(c, ct, &ctl, (const uint8_t *)"secret", 6) > 0);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY *oaep_pub = pub; /* kept for the OAEP case below */
    char cth[300];
    cl_hex_encode(ct, ctl, cth, 0);
    cipher_input(1, NULL, 0, cth);
    expect_data(op_ok(0x40, 10, 5), "736563726574", "RSA PKCS1 decrypt");
    /* Cipher ALG_RSA_PKCS1_OAEP (SHA-1): the host encrypts, the card decrypts. */
    ctl = sizeof ct;
    c = EVP_PKEY_CTX_new_from_pkey(NULL, oaep_pub, NULL);
    ck_assert(c && EVP_PKEY_encrypt_init(c) > 0 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
              EVP_PKEY_encrypt(c, ct, &ctl, (const uint8_t *)"oaep!", 5) > 0);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(oaep_pub);
    cl_hex_encode(ct, ctl, cth, 0);
    cipher_input(1, NULL, 0, cth);
    expect_data(op_ok(0x40, 15, 5), "6F61657021", "RSA OAEP decrypt");
    /* Card encrypts (public), card decrypts (private), with PKCS#1 and without padding. */
    cipher_input(2, NULL, 0, "0102030405");
    n = op_ok(0x40, 10, 4);
    ck_assert_uint_eq(n, 128);
    cl_hex_encode(resp, n, cth, 0);
    cipher_input(1, NULL, 0, cth);
    expect_data(op_ok(0x40, 10, 5), "0102030405", "RSA PKCS1 round trip");
    char raw[300] = "00";
    for (int i = 2; i < 256; i++) raw[i] = i % 2 ? '7' : '1';
    raw[256] = 0;
    cipher_input(2, NULL, 0, raw);
    ck_assert_uint_eq(op_ok(0x40, 12, 4), 128);
    cl_hex_encode(resp, 128, cth, 0);
    cipher_input(1, NULL, 0, cth);
    expect_data(op_ok(0x40, 12, 5), raw, "RSA NOPAD round trip");
}
END_TEST

START_TEST(refusals)
{
    uint16_t sw;
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("00");
    op(0x30, 9, 0, &sw); /* ALG_RSA_SHA_ISO9796 */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    op(0x30, 35, 0, &sw); /* ALG_AES_MAC_192_NOPAD (192-bit block) */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    op(0x50, 7, 0, &sw); /* ALG_DH_PLAIN */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    cipher_input(2, NULL, 0, "00");
    op(0x40, 0xF4, 0, &sw); /* ALG_AES_CCM */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    /* An AES key for a DES cipher. */
    cipher_input(2, NULL, 0, "0011223344556677");
    op(0x40, 5, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
    /* A wrong IV length. */
    cipher_input(2, "0011", 0, "00112233445566778899AABBCCDDEEFF");
    op(0x40, 13, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
}
END_TEST

START_TEST(build_key_by_memory_type)
{
    uint8_t b[3] = { 0, 128, 1 }; /* 128 bits, MEMORY_TYPE_TRANSIENT_RESET */
    load(b, 3);
    op_ok(0x27, 0, 2); /* ALG_TYPE_AES */
    expect_data(op_ok(0x23, 0, 0), "0000800D", "AES CLEAR_ON_RESET key");
    b[2] = 0;
    load(b, 3);
    op_ok(0x27, 1, 9); /* ALG_TYPE_HMAC, persistent */
    expect_data(op_ok(0x23, 1, 0), "00008015", "HMAC key");
    uint16_t sw;
    op(0x27, 2, 3, &sw); /* ALG_TYPE_DSA_PUBLIC */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
    b[2] = 7;
    load(b, 3);
    op(0x27, 2, 2, &sw); /* no such memory type */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

START_TEST(signature_state_across_commands_and_reset)
{
    build_key(0, T_HMAC, 64);
    set_key_hex(0, 0, "0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B");
    uint8_t init[2] = { 25, 0 }; /* ALG_HMAC_SHA_256, key slot 0 */
    load(init, 2);
    op_ok(0x32, 0, 0);
    load_hex("486920");
    op_ok(0x32, 1, 0);
    load_hex("5468657265");
    expect_data(op_ok(0x32, 2, 0), "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7",
                "HMAC over three commands");
    /* After sign the object starts a new message with the same key. */
    load_hex("4869205468657265");
    expect_data(op_ok(0x32, 2, 0), "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7", "again");
    /* A reset loses the running state (it is RAM on a card): sign is refused, not wrong. */
    load_hex("4869");
    op_ok(0x32, 1, 0);
    uint8_t atr[CARD_ATR_MAX];
    card_reset(card, atr);
    select_applet();
    uint16_t sw;
    op(0x32, 2, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 4); /* INVALID_INIT */
}
END_TEST

START_TEST(key_update_in_aborted_transaction)
{
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("000102030405060708090A0B0C0D0E0F");
    op_ok(0x70, 0, 0);
    expect_data(op_ok(0x22, 0, 0), aes128, "key after the aborted update");
    build_key(1, T_AES, 128);
    load_hex("000102030405060708090A0B0C0D0E0F");
    op_ok(0x70, 1, 0);
    expect_data(op_ok(0x23, 1, 0), "0000800F", "still uninitialized");
}
END_TEST

START_TEST(array_bounds_checked)
{
    uint16_t sw;
    load_hex("00");
    op(0x13, 4, 0, &sw); /* update(in, 1000, 100) on a 1024-byte array: ArrayIndexOutOfBounds -> 6F00 */
    ck_assert_uint_eq(sw, 0x6F00);
    /* The card goes on working. */
    load_hex(abc);
    expect_data(op_ok(0x10, 4, 1), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "after the refusal");
}
END_TEST

/* Signs msg_hex on the card with key slot priv, verifies with slot pub; returns the verdict byte. */
static uint8_t sign_then_verify(uint8_t alg, uint8_t priv, uint8_t pub, const char *msg_hex)
{
    load_hex(msg_hex);
    size_t n = op_ok(0x30, alg, priv);
    ck_assert(n > 0 && n <= 256);
    char sig[600], in[800];
    cl_hex_encode(resp, n, sig, 0);
    snprintf(in, sizeof in, "%04X%s%s", (unsigned)(strlen(msg_hex) / 2), msg_hex, sig);
    load_hex(in);
    ck_assert_uint_eq(op_ok(0x31, alg, pub), 1);
    return resp[0];
}

START_TEST(more_algorithms)
{
    /* AES-CTR (SP 800-38A F.5.1), in 5-byte pieces. */
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    cipher_input(2, "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF", 5, sp800_pt);
    expect_data(op_ok(0x40, 0xF0, 0),
                "874D6191B620E3261BEF6864990DB6CE9806F66B7970FDFF8617187BB9FFFDFF"
                "5AE4DF3EDBD5D35E5B4F09020DB03EAB1E031DDA2FBE03D1792170A0F3009CEE",
                "AES-128 CTR");
    /* ECDSA P-384 with a pair generated by KeyPair(ALG_EC_FP, 384) (the card's default curve). */
    uint8_t l[2] = { 0x01, 0x80 };
    load(l, 2);
    op_ok(0x26, 5, 2);
    ck_assert_uint_eq(sign_then_verify(34, 3, 2, "616263"), 1);
    ck_assert_uint_eq(op_ok(0x22, 2, 7), 97); /* uncompressed P-384 point */
    /* RSA with a modulus/exponent private key (KeyPair ALG_RSA): PKCS#1 and PSS. */
    l[0] = 0x04; l[1] = 0x00;
    load(l, 2);
    op_ok(0x26, 1, 4);
    ck_assert_uint_eq(sign_then_verify(40, 5, 4, "616263"), 1);
    ck_assert_uint_eq(sign_then_verify(44, 5, 4, "616263"), 1);
    /* Three-key DES3 CBC PKCS#5 round trip. */
    build_key(6, T_DES, 192);
    set_key_hex(6, 0, "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123");
    cipher_input(2, "0001020304050607", 3, "48656C6C6F20776F726C64");
    ck_assert_uint_eq(op_ok(0x40, 4, 6), 16);
    char ct[40];
    cl_hex_encode(resp, 16, ct, 0);
    cipher_input(1, "0001020304050607", 3, ct);
    expect_data(op_ok(0x40, 4, 6), "48656C6C6F20776F726C64", "DES3 CBC PKCS5 round trip");
}
END_TEST

START_TEST(algorithm_parts_and_lengths)
{
    /* Signature.getInstance(MessageDigest.ALG_SHA_256, SIG_CIPHER_ECDSA, PAD_NULL) is ALG_ECDSA_SHA_256. */
    load_hex("040500");
    expect_data(op_ok(0x33, 0, 0xFF), "21040500", "ECDSA SHA-256 by parts");
    load_hex("040307");
    expect_data(op_ok(0x33, 0, 0xFF), "28040307", "RSA SHA-256 PKCS1 by parts");
    load_hex("00");
    expect_data(op_ok(0x33, 20, 0xFF), "14000205", "retail MAC parts");
    /* getLength: MACs fixed; ECDSA the longest DER form; RSA the modulus size. */
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    expect_data(op_ok(0x33, 49, 0), "31000A000010", "CMAC length");
    uint8_t l[2] = { 0x01, 0x00 };
    load(l, 2);
    op_ok(0x26, 5, 2);
    expect_data(op_ok(0x33, 33, 3), "210405000048", "ECDSA P-256 length");
    l[0] = 0x04;
    load(l, 2);
    op_ok(0x26, 2, 4);
    expect_data(op_ok(0x33, 40, 5), "280403070080", "RSA-1024 length");
    /* Cipher.getInstance(CIPHER_AES_CBC, PAD_PKCS5) is ALG_AES_CBC_PKCS5; (CIPHER_DES_ECB, PAD_ISO9797_M2) ALG_DES_ECB_ISO9797_M2. */
    load_hex("0106");
    expect_data(op_ok(0x41, 0, 0), "180106", "AES CBC PKCS5 by parts");
    load_hex("0403");
    expect_data(op_ok(0x41, 0, 0), "070403", "DES ECB M2 by parts");
    /* (CIPHER_AES_GCM, PAD_NULL) is ALG_AES_GCM (an AEADCipher), and its padding reads PAD_NULL. */
    load_hex("F100");
    expect_data(op_ok(0x41, 0, 0), "F3F100", "AES GCM by parts");
    uint16_t sw;
    load_hex("0509");
    op(0x41, 0, 0, &sw); /* Korean SEED */
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

/* KeyPair.genKeyPair keeps an RSA public exponent set before it: 65537 stays; any other value
 * (this card's private keys use 65537) is refused, and the key keeps it, never silently replaced. */
START_TEST(rsa_genpair_keeps_or_refuses_preset_exponent)
{
    build_key(0, T_RSA_PUB, 512);
    build_key(1, T_RSA_CRT, 512);
    set_key_hex(0, 2, "03");
    uint16_t sw;
    op(0x25, 0, 1, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
    expect_data(op_ok(0x22, 0, 2), "03", "preset exponent kept");
    uint16_t info_sw;
    op(0x22, 0, 1, &info_sw); /* no modulus was made */
    ck_assert_uint_eq(info_sw, SW_CRYPTO | 2);
    set_key_hex(0, 2, "00010001");
    op_ok(0x25, 0, 1);
    expect_data(op_ok(0x22, 0, 2), "010001", "65537 kept");
    ck_assert_uint_eq(op_ok(0x22, 0, 1), 64);
    /* The pair works: the card signs with the CRT key and verifies with the public one. */
    load_hex("616263");
    ck_assert_uint_eq(op_ok(0x30, 40, 1), 64);
    char in[200], sh[140];
    cl_hex_encode(resp, 64, sh, 0);
    snprintf(in, sizeof in, "0003616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x31, 40, 0), "01", "generated pair verifies");
}
END_TEST

START_TEST(crypto_exception_throw_it)
{
    uint16_t sw;
    for (uint8_t r = 1; r <= 5; r++) {
        op(0x71, r, 0, &sw);
        ck_assert_uint_eq(sw, SW_CRYPTO | r);
    }
}
END_TEST

START_TEST(rsa_2048_pair)
{
    uint8_t l[2] = { 0x08, 0x00 };
    load(l, 2);
    op_ok(0x26, 2, 4); /* KeyPair(ALG_RSA_CRT, 2048) */
    ck_assert_uint_eq(op_ok(0x22, 4, 1), 256);
    ck_assert_uint_eq(op_ok(0x22, 5, 3), 128); /* P */
    ck_assert_uint_eq(sign_then_verify(40, 5, 4, "48656C6C6F"), 1);
}
END_TEST

/* signPreComputedHash gives what sign over the message gives; verifyPreComputedHash agrees. */
START_TEST(precomputed_hash)
{
    uint8_t l[2] = { 0x01, 0x00 };
    load(l, 2);
    op_ok(0x26, 5, 2); /* P-256 pair: slots 2, 3 */
    l[0] = 0x04;
    load(l, 2);
    op_ok(0x26, 2, 4); /* RSA-1024 CRT pair: slots 4, 5 */
    static const char *h_abc = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    char in[800], sig[600];
    /* RSA PKCS#1 is deterministic: both ways give the same signature. */
    load_hex(h_abc);
    ck_assert_uint_eq(op_ok(0x35, 40, 5), 128);
    cl_hex_encode(resp, 128, sig, 0);
    load_hex("616263");
    expect_data(op_ok(0x30, 40, 5), sig, "RSA PKCS1 sign over the message = over its hash");
    /* ECDSA over the hash verifies as a signature of the message, and the other way round. */
    load_hex(h_abc);
    size_t n = op_ok(0x35, 33, 3);
    cl_hex_encode(resp, n, sig, 0);
    snprintf(in, sizeof in, "0003616263%s", sig);
    load_hex(in);
    expect_data(op_ok(0x31, 33, 2), "01", "precomputed-hash ECDSA verifies");
    load_hex("616263");
    n = op_ok(0x30, 33, 3);
    cl_hex_encode(resp, n, sig, 0);
    snprintf(in, sizeof in, "20%s%s", h_abc, sig);
    load_hex(in);
    expect_data(op_ok(0x36, 33, 2), "01", "verifyPreComputedHash");
    /* A hash of the wrong length: ILLEGAL_VALUE. */
    uint16_t sw;
    load_hex("00112233");
    op(0x35, 33, 3, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 1);
    /* MACs have no precomputed-hash form. */
    build_key(0, T_HMAC, 64);
    set_key_hex(0, 0, "0B0B");
    load_hex(h_abc);
    op(0x35, 25, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 5);
}
END_TEST

/* After doFinal a Cipher starts the next message with the key and IV of its init. */
START_TEST(cipher_reuse_after_do_final)
{
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("0D000210000102030405060708090A0B0C0D0E0F"); /* ALG_AES_BLOCK_128_CBC_NOPAD, slot 0, encrypt, IV */
    op_ok(0x42, 0, 0);
    for (int i = 0; i < 3; i++) {
        load_hex("6BC1BEE22E409F96E93D7E117393172A");
        expect_data(op_ok(0x42, 1, 0), "7649ABAC8119B246CEE98E9B12E9197D", "CBC first block, same IV every time");
    }
    load_hex("0E000100"); /* ALG_AES_BLOCK_128_ECB_NOPAD, slot 0, decrypt, no IV */
    op_ok(0x42, 0, 0);
    for (int i = 0; i < 2; i++) {
        load_hex("3AD77BB40D7A3660A89ECAF32466EF97");
        expect_data(op_ok(0x42, 1, 0), "6BC1BEE22E409F96E93D7E117393172A", "ECB decrypt, repeated");
    }
    /* A reset loses the initialization: INVALID_INIT. */
    uint8_t atr[CARD_ATR_MAX];
    card_reset(card, atr);
    select_applet();
    uint16_t sw;
    load_hex("3AD77BB40D7A3660A89ECAF32466EF97");
    op(0x42, 1, 0, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 4);
}
END_TEST

/* An output array too small for doFinal or update: the call throws, and the next message still
 * gives the right answer (doFinal restarts with the IV of init; update refuses before it consumes
 * anything), never a result chained on from the message that was lost. */
START_TEST(cipher_output_too_small_changes_nothing)
{
    static const char *pt2 = "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51";
    static const char *ct2 = "7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2";
    uint16_t sw;
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("0D000210000102030405060708090A0B0C0D0E0F"); /* AES CBC NOPAD, slot 0, encrypt, IV */
    op_ok(0x42, 0, 0);
    load_hex(pt2);
    op(0x42, 2, 16, &sw); /* doFinal of two blocks into the last 16 bytes */
    ck_assert_uint_ne(sw, 0x9000);
    expect_data(op_ok(0x42, 1, 0), ct2, "CBC after a doFinal that did not fit");
    op(0x42, 3, 16, &sw); /* update of two blocks into the last 16 bytes */
    ck_assert_uint_ne(sw, 0x9000);
    expect_data(op_ok(0x42, 1, 0), ct2, "CBC after an update that did not fit");
    op_ok(0x42, 3, 32); /* the same update with room: chains on, as update does */
    load_hex("30C81C46A35CE411E5FBC1191A0A52EF");
    expect_data(op_ok(0x42, 1, 0), "73BED6B8E3C1743B7116E69E22229516", "third CBC block after an update with room");
    /* PKCS#5 decryption holds the last block back: a doFinal that did not fit must not leave it there. */
    load_hex("18000210000102030405060708090A0B0C0D0E0F"); /* AES CBC PKCS5, slot 0, encrypt, IV */
    op_ok(0x42, 0, 0);
    load_hex("6BC1BEE22E409F96E93D7E117393172A");
    size_t n = op_ok(0x42, 1, 0);
    ck_assert_uint_eq(n, 32);
    char ct[80];
    cl_hex_encode(resp, n, ct, 0);
    load_hex("18000110000102030405060708090A0B0C0D0E0F"); /* decrypt */
    op_ok(0x42, 0, 0);
    load_hex(ct);
    op(0x42, 2, 8, &sw);
    ck_assert_uint_ne(sw, 0x9000);
    load_hex(ct);
    expect_data(op_ok(0x42, 1, 0), "6BC1BEE22E409F96E93D7E117393172A", "PKCS#5 decryption after a doFinal that did not fit");
    load_hex(ct);
    op(0x42, 3, 0, &sw); /* update: its first block is due, no room at all */
    ck_assert_uint_ne(sw, 0x9000);
    load_hex(ct);
    expect_data(op_ok(0x42, 1, 0), "6BC1BEE22E409F96E93D7E117393172A", "PKCS#5 decryption after an update that did not fit");
}
END_TEST

/* DER SEQUENCE { INTEGER r, INTEGER s } from r || s (width bytes each, width <= 32), written here
 * independently of the card's codec. */
static size_t test_der_rs(const uint8_t *rs, size_t width, uint8_t *out)
{
    size_t k = 2;
    for (int i = 0; i < 2; i++) {
        const uint8_t *v = rs + i * width;
        size_t n = width;
        while (n > 1 && v[0] == 0) { v++; n--; }
        int pad = v[0] >= 0x80;
        out[k++] = 0x02;
        out[k++] = (uint8_t)(n + pad);
        if (pad) out[k++] = 0;
        memcpy(out + k, v, n);
        k += n;
    }
    out[0] = 0x30;
    out[1] = (uint8_t)(k - 2);
    return k;
}

/* The host verifies the card's plain r || s over "abc" (as DER it builds itself) with the card's
 * public point w on the named curve. */
static void host_verify_plain(const char *curve, uint8_t *w, size_t wlen, const EVP_MD *md, const uint8_t *rs, size_t width)
{
    uint8_t der[80];
    size_t dl = test_der_rs(rs, width, der);
    EVP_PKEY *pub = NULL;
    OSSL_PARAM prm[3] = { OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)curve, 0),
                          OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, w, wlen), OSSL_PARAM_construct_end() };
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    ck_assert(c && EVP_PKEY_fromdata_init(c) > 0 && EVP_PKEY_fromdata(c, &pub, EVP_PKEY_PUBLIC_KEY, prm) > 0);
    EVP_PKEY_CTX_free(c);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    ck_assert(EVP_DigestVerifyInit(m, NULL, md, NULL, pub) == 1);
    ck_assert_int_eq(EVP_DigestVerify(m, der, dl, (const uint8_t *)"abc", 3), 1);
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(pub);
}

/* ECDSA with plain r || s (getInstance(ALG_SHA_256, SIG_CIPHER_ECDSA_PLAIN, PAD_NULL)). */
START_TEST(ecdsa_plain)
{
    uint8_t l[2] = { 0x01, 0x00 };
    load(l, 2);
    op_ok(0x26, 5, 2); /* P-256 pair: slots 2 (public), 3 (private) */
    load_hex("040900");
    expect_data(op_ok(0x33, 0, 3), "000409000040", "plain: no single constant, 64-byte signatures");
    load_hex("04090001036162 63");
    size_t n = op_ok(0x37, 0, 3);
    ck_assert_uint_eq(n, 64);
    uint8_t rs[64];
    memcpy(rs, resp, 64);
    char in[300], sh[140];
    cl_hex_encode(rs, 64, sh, 0);
    snprintf(in, sizeof in, "0409000203616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x37, 0, 2), "01", "plain signature verifies on the card");
    snprintf(in, sizeof in, "0409000203616264%s", sh);
    load_hex(in);
    expect_data(op_ok(0x37, 0, 2), "00", "other message");
    snprintf(in, sizeof in, "040900020361626300%s", sh); /* one byte too long */
    load_hex(in);
    expect_data(op_ok(0x37, 0, 2), "00", "wrong length");
    uint8_t w[65];
    ck_assert_uint_eq(op_ok(0x22, 2, 7), 65);
    memcpy(w, resp, 65);
    host_verify_plain("P-256", w, 65, EVP_sha256(), rs, 32);
    /* The internal codes are not single-byte algorithms. */
    uint16_t sw;
    load_hex("00");
    op(0x30, 0xE4, 3, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 3);
}
END_TEST

/* Plain r || s are each as long as the ORDER (BSI TR-03111), which for secp160r1 (a 161-bit
 * order over a 160-bit field) is 21 bytes, not the key size's 20. */
START_TEST(ecdsa_plain_width_is_the_order_length)
{
    static const char *dom[5] = {
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF7FFFFFFC",
        "1C97BEFC54BD7A8B65ACF89F81D4D4ADC565FA45",
        "044A96B5688EF573284664698968C38BB913CBFC8223A628553168947D59DCC912042351377AC5FB32",
        "0100000000000000000001F4C8F927AED3CA752257" };
    build_key(0, T_EC_PUB, 160);
    build_key(1, T_EC_PRIV, 160);
    for (uint8_t slot = 0; slot < 2; slot++) {
        for (uint8_t i = 0; i < 5; i++) set_key_hex(slot, (uint8_t)(i + 1), dom[i]);
        set_key_hex(slot, 6, "0001");
    }
    op_ok(0x25, 0, 1); /* genKeyPair */
    load_hex("010900");
    expect_data(op_ok(0x33, 0, 1), "00010900002A", "getLength: 2 x 21");
    load_hex("0109000103616263");
    size_t n = op_ok(0x37, 0, 1);
    ck_assert_uint_eq(n, 42);
    uint8_t rs[42];
    memcpy(rs, resp, 42);
    char in[200], sh[90];
    cl_hex_encode(rs, 42, sh, 0);
    snprintf(in, sizeof in, "0109000203616263%s", sh);
    load_hex(in);
    expect_data(op_ok(0x37, 0, 0), "01", "plain signature verifies on the card");
    uint8_t w[41]; /* OpenSSL's own secp160r1 checks it */
    ck_assert_uint_eq(op_ok(0x22, 0, 7), 41);
    memcpy(w, resp, 41);
    host_verify_plain("secp160r1", w, 41, EVP_sha1(), rs, 21);
}
END_TEST

START_TEST(mac_with_iv_and_m1)
{
    /* AES CBC-MAC with an IV = last block of CBC encryption with that IV (SP 800-38A F.2.1 vectors). */
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    load_hex("10000102030405060708090A0B0C0D0E0F6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51");
    expect_data(op_ok(0x34, 18, 0), "5086CB9B507219EE95DB113A917678B2", "AES MAC with IV");
    /* ISO 9797 M1 (zero padding): a 13-byte message MACs like the same message with three zero bytes. */
    build_key(1, T_DES, 128);
    set_key_hex(1, 0, "0123456789ABCDEFFEDCBA9876543210");
    load_hex("00112233445566778899AABBCC");
    size_t n = op_ok(0x30, 4, 1);
    ck_assert_uint_eq(n, 8);
    uint8_t m1[8];
    memcpy(m1, resp, 8);
    load_hex("00112233445566778899AABBCC000000");
    ck_assert_uint_eq(op_ok(0x30, 2, 1), 8); /* MAC8 NOPAD over the padded message */
    ck_assert_mem_eq(resp, m1, 8);
    /* NOPAD over 13 bytes: ILLEGAL_USE. */
    uint16_t sw;
    load_hex("00112233445566778899AABBCC");
    op(0x30, 2, 1, &sw);
    ck_assert_uint_eq(sw, SW_CRYPTO | 5);
    /* Cipher M1: encryption pads with zeros; decryption leaves them. */
    cipher_input(2, NULL, 0, "00112233445566778899AABBCC");
    ck_assert_uint_eq(op_ok(0x40, 6, 1), 16);
    char ct[40];
    cl_hex_encode(resp, 16, ct, 0);
    cipher_input(1, NULL, 0, ct);
    expect_data(op_ok(0x40, 6, 1), "00112233445566778899AABBCC000000", "DES ECB M1 round trip");
}
END_TEST

/* Random commands against the crypto API (random algorithms, key types, lengths, slots, inputs):
 * every one gets a status word, the card never crashes (ASan/UBSan in make SAN=1) and keeps working. */
START_TEST(random_commands_never_break_the_card)
{
    static const uint8_t ins[] = { 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
                                   0x30, 0x31, 0x32, 0x40, 0x50, 0x60, 0x70 };
    build_key(0, T_AES, 128);
    set_key_hex(0, 0, aes128);
    build_key(1, T_HMAC, 64);
    set_key_hex(1, 0, "0B0B0B0B");
    uint8_t l[2] = { 0x01, 0x00 };
    load(l, 2);
    op_ok(0x26, 5, 2); /* EC P-256 pair in slots 2, 3 */
    l[0] = 0x02; l[1] = 0x00;
    load(l, 2);
    op_ok(0x26, 2, 4); /* RSA-512 CRT pair in slots 4, 5 */
    build_key(6, T_DES, 128);
    set_key_hex(6, 0, "0123456789ABCDEFFEDCBA9876543210");
    uint32_t seed = 12345;
    int answered = 0;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint8_t data[64];
        size_t n = (seed >> 16) % sizeof data;
        for (size_t k = 0; k < n; k++) { seed = seed * 1103515245u + 12345u; data[k] = (uint8_t)(seed >> 16); }
        /* Keep some structure: a plausible mode, IV length and chunk for CIPHER/GCM inputs. */
        if (n > 3 && (seed & 0x100)) { data[0] = 1 + (seed >> 9) % 2; data[1] = (uint8_t)(((seed >> 11) % 2) * 16); }
        load(data, n);
        seed = seed * 1103515245u + 12345u;
        uint8_t in = ins[(seed >> 16) % sizeof ins];
        seed = seed * 1103515245u + 12345u;
        uint8_t p1 = (uint8_t)(seed >> 16), p2 = (uint8_t)(seed >> 24);
        if (seed & 0x10000) p1 %= 50; /* mostly algorithm numbers that exist */
        if (seed & 0x20000) p2 %= 8;  /* mostly valid key slots */
        if (in == 0x26 || in == 0x20 || in == 0x27) p1 = (uint8_t)(7 + p1 % 3); /* keep slots 0..6 as set up */
        uint16_t sw;
        op(in, p1, p2, &sw);
        answered += (sw >> 8) == 0x90 || (sw >> 8) == 0x6F || (sw >> 8) == 0x69 || (sw >> 8) == 0x6A || (sw >> 8) == 0x67 ||
                    (sw >> 8) == 0x6D || (sw >> 8) == 0x6B;
    }
    ck_assert_int_eq(answered, 3000);
    load_hex(abc);
    expect_data(op_ok(0x10, 4, 1), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", "still working");
    /* Whatever the random commands left in the persistent keys is still there after a re-open. */
    uint8_t before[7][64], after[64];
    size_t blen[7];
    uint16_t bsw[7], sw;
    for (uint8_t k = 0; k < 7; k++) {
        blen[k] = op(0x22, k, 7, &bsw[k]);
        memcpy(before[k], resp, blen[k] < 64 ? blen[k] : 64);
    }
    close_card();
    open_card();
    select_applet();
    for (uint8_t k = 0; k < 7; k++) {
        size_t n = op(0x22, k, 7, &sw);
        memcpy(after, resp, n < 64 ? n : 64);
        ck_assert_uint_eq(sw, bsw[k]);
        ck_assert_uint_eq(n, blen[k]);
        ck_assert_mem_eq(after, before[k], n < 64 ? n : 64);
    }
}
END_TEST

int main(void)
{
    static const char *const caps[] = { "crypto", "hello", NULL };
    vt_build_dir(build_dir, sizeof build_dir);
    vt_ensure_caps(build_dir, caps);
    Suite *s = suite_create("api_crypto");
    TCase *tc = tcase_create("through the VM");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sha_fips180);
    tcase_add_test(tc, random_data);
    tcase_add_test(tc, aes_sp800_38a);
    tcase_add_test(tc, aes_padding_roundtrip);
    tcase_add_test(tc, cmac_sp800_38b);
    tcase_add_test(tc, hmac_rfc4231);
    tcase_add_test(tc, gcm_spec);
    tcase_add_test(tc, des3_and_retail_mac);
    tcase_add_test(tc, des3_three_key_sp800_67);
    tcase_add_test(tc, padded_ciphers_match_host_evp);
    tcase_add_test(tc, rsa_2048_known_key_through_setters);
    tcase_add_test(tc, key_info_and_uninitialized);
    tcase_add_test(tc, persistent_key_survives_reopen);
    tcase_add_test(tc, transient_deselect_key_cleared_at_reset);
    tcase_add_test(tc, transient_deselect_key_cleared_at_deselect);
    tcase_add_test(tc, ecdsa_p256_rfc6979);
    tcase_add_test(tc, ecdh_both_sides);
    tcase_add_test(tc, rsa_sign_verify_and_cipher);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, build_key_by_memory_type);
    tcase_add_test(tc, signature_state_across_commands_and_reset);
    tcase_add_test(tc, key_update_in_aborted_transaction);
    tcase_add_test(tc, array_bounds_checked);
    tcase_add_test(tc, more_algorithms);
    tcase_add_test(tc, random_commands_never_break_the_card);
    tcase_add_test(tc, algorithm_parts_and_lengths);
    tcase_add_test(tc, rsa_genpair_keeps_or_refuses_preset_exponent);
    tcase_add_test(tc, mac_with_iv_and_m1);
    tcase_add_test(tc, crypto_exception_throw_it);
    tcase_add_test(tc, rsa_2048_pair);
    tcase_add_test(tc, precomputed_hash);
    tcase_add_test(tc, cipher_reuse_after_do_final);
    tcase_add_test(tc, cipher_output_too_small_changes_nothing);
    tcase_add_test(tc, ecdsa_plain);
    tcase_add_test(tc, ecdsa_plain_width_is_the_order_length);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
