/* api_security_der: ECDSA signature encodings. OpenSSL speaks DER (SEQUENCE { INTEGER r,
 * INTEGER s }); Signature.SIG_CIPHER_ECDSA_PLAIN wants r || s, each left-padded to the order's
 * byte length. This is an encoding only: the signing and verifying stay in EVP. */
#include "vm/api_crypto_int.h"

#include <string.h>

/* Reads a DER length at d[*i] (short or long form up to two bytes). */
static bool der_len(const uint8_t *d, size_t n, size_t *i, size_t *len)
{
    if (*i >= n) return false;
    uint8_t b = d[(*i)++];
    if (b < 0x80) { *len = b; return true; }
    if (b == 0x81 && *i < n) { *len = d[(*i)++]; return *len >= 0x80; }
    if (b == 0x82 && *i + 1 < n) { *len = (size_t)d[*i] << 8 | d[*i + 1]; *i += 2; return *len >= 0x100; }
    return false;
}

/* One INTEGER into out (width bytes, left-padded); false if it does not fit or is malformed. */
static bool der_int(const uint8_t *d, size_t n, size_t *i, uint8_t *out, size_t width)
{
    size_t len;
    if (*i >= n || d[(*i)++] != 0x02 || !der_len(d, n, i, &len) || len == 0 || len > n - *i) return false;
    const uint8_t *v = d + *i;
    *i += len;
    if (v[0] & 0x80) return false; /* r and s are positive */
    while (len > 1 && v[0] == 0) { v++; len--; }
    if (len > width) return false;
    memset(out, 0, width - len);
    memcpy(out + width - len, v, len);
    return true;
}

bool api_ecdsa_der_to_plain(const uint8_t *der, size_t n, size_t width, uint8_t *out)
{
    size_t i = 0, len;
    if (n < 2 || der[i++] != 0x30 || !der_len(der, n, &i, &len) || len != n - i) return false;
    return der_int(der, n, &i, out, width) && der_int(der, n, &i, out + width, width) && i == n;
}

/* Appends INTEGER v (width bytes, big-endian) minimally encoded; returns bytes written. */
static size_t put_int(uint8_t *o, const uint8_t *v, size_t width)
{
    while (width > 1 && v[0] == 0) { v++; width--; }
    size_t pad = (v[0] & 0x80) ? 1 : 0, len = width + pad, k = 0;
    o[k++] = 0x02;
    if (len >= 0x80) o[k++] = 0x81;
    o[k++] = (uint8_t)len;
    if (pad) o[k++] = 0;
    memcpy(o + k, v, width);
    return k + width;
}

size_t api_ecdsa_plain_to_der(const uint8_t *plain, size_t width, uint8_t *out)
{
    uint8_t body[2 * (3 + 1 + 66)];
    if (width == 0 || width > 66) return 0;
    size_t b = put_int(body, plain, width);
    b += put_int(body + b, plain + width, width);
    size_t k = 0;
    out[k++] = 0x30;
    if (b >= 0x80) out[k++] = 0x81;
    out[k++] = (uint8_t)b;
    memcpy(out + k, body, b);
    return k + b;
}
