/* api_security: the javacard.security package's classes (vm_api_security, referenced by
 * vm_native.c). The natives live in api_keys.c (KeyBuilder, keys), api_security_md.c
 * (MessageDigest, RandomData, CryptoException, refused classes), api_security_sig.c
 * (Signature) and api_security_pair.c (KeyPair, KeyAgreement); docs/crypto.md lists what is
 * offered. Every API interface is declared so CAP files that name it link. */
#include "vm/api_crypto_int.h"
#include "cap/cap_consts.h"

#define SEC_IFACE(tok, name) { VM_PKG_SECURITY, tok, "javacard/security/" name, -1, -1, CAP_ACC_INTERFACE, 0, NULL, 0, NULL, 0 }
#define SEC_CLASS(tok, name, sup_pkg, sup_tok, cells, m) \
    { VM_PKG_SECURITY, tok, "javacard/security/" name, sup_pkg, sup_tok, 0, cells, m, 0, NULL, 0 }

static vm_native_class_t security_classes[] = {
    SEC_IFACE(SEC_KEY, "Key"),
    SEC_IFACE(SEC_DSAKEY, "DSAKey"),
    SEC_IFACE(SEC_PRIVATEKEY, "PrivateKey"),
    SEC_IFACE(SEC_PUBLICKEY, "PublicKey"),
    SEC_IFACE(SEC_SECRETKEY, "SecretKey"),
    SEC_IFACE(SEC_DSAPRIV, "DSAPrivateKey"),
    SEC_IFACE(SEC_DSAPUB, "DSAPublicKey"),
    SEC_IFACE(SEC_RSACRT, "RSAPrivateCrtKey"),
    SEC_IFACE(SEC_RSAPRIV, "RSAPrivateKey"),
    SEC_IFACE(SEC_RSAPUB, "RSAPublicKey"),
    SEC_IFACE(SEC_DESKEY, "DESKey"),
    SEC_IFACE(SEC_ECKEY, "ECKey"),
    SEC_IFACE(SEC_ECPRIV, "ECPrivateKey"),
    SEC_IFACE(SEC_ECPUB, "ECPublicKey"),
    SEC_IFACE(SEC_AESKEY, "AESKey"),
    SEC_IFACE(SEC_HMACKEY, "HMACKey"),
    SEC_IFACE(SEC_SEEDKEY, "KoreanSEEDKey"),
    SEC_IFACE(SEC_SIGMR, "SignatureMessageRecovery"),
    SEC_IFACE(SEC_DHKEY, "DHKey"),
    SEC_IFACE(SEC_DHPRIV, "DHPrivateKey"),
    SEC_IFACE(SEC_DHPUB, "DHPublicKey"),
    SEC_CLASS(SEC_MD, "MessageDigest", VM_PKG_JAVA_LANG, 0, OP_CELLS, api_md_methods),
    SEC_CLASS(SEC_CRYPTOEXC, "CryptoException", VM_PKG_FRAMEWORK, 5, 0, api_cryptoexc_methods),
    SEC_CLASS(SEC_KEYBUILDER, "KeyBuilder", VM_PKG_JAVA_LANG, 0, 0, api_keybuilder_methods),
    SEC_CLASS(SEC_RANDOM, "RandomData", VM_PKG_JAVA_LANG, 0, OP_CELLS, api_random_methods),
    SEC_CLASS(SEC_SIGNATURE, "Signature", VM_PKG_JAVA_LANG, 0, OP_CELLS, api_signature_methods),
    SEC_CLASS(SEC_KEYPAIR, "KeyPair", VM_PKG_JAVA_LANG, 0, 2, api_keypair_methods),
    SEC_CLASS(SEC_CHECKSUM, "Checksum", VM_PKG_JAVA_LANG, 0, 0, api_checksum_methods),
    SEC_CLASS(SEC_KEYAGREEMENT, "KeyAgreement", VM_PKG_JAVA_LANG, 0, OP_CELLS, api_keyagreement_methods),
    SEC_CLASS(SEC_INITMD, "InitializedMessageDigest", VM_PKG_SECURITY, SEC_MD, 0, api_initmd_methods),
    SEC_CLASS(SEC_MD_ONESHOT, "MessageDigest$OneShot", VM_PKG_SECURITY, SEC_MD, 0, api_oneshot_md_methods),
    SEC_CLASS(SEC_INITMD_ONESHOT, "InitializedMessageDigest$OneShot", VM_PKG_SECURITY, SEC_INITMD, 0,
              api_oneshot_initmd_methods),
    SEC_CLASS(SEC_RANDOM_ONESHOT, "RandomData$OneShot", VM_PKG_SECURITY, SEC_RANDOM, 0, api_oneshot_random_methods),
    SEC_CLASS(SEC_SIG_ONESHOT, "Signature$OneShot", VM_PKG_SECURITY, SEC_SIGNATURE, 0, api_oneshot_sig_methods),
};

/* The method counts live with the methods (other files); filled in before registration. */
#define SEC_NCLASSES (CL_ARRAY_LEN(security_classes) + API_KEY_NCLASSES)
static vm_native_class_t all_classes[SEC_NCLASSES];
const vm_native_area_t vm_api_security = { "javacard.security", all_classes, SEC_NCLASSES };

__attribute__((constructor)) static void api_security_register(void)
{
    static const struct { const vm_native_method_t *m; const size_t *n; } counts[] = {
        { api_md_methods, &api_md_nmethods }, { api_cryptoexc_methods, &api_cryptoexc_nmethods },
        { api_keybuilder_methods, &api_keybuilder_nmethods }, { api_random_methods, &api_random_nmethods },
        { api_signature_methods, &api_signature_nmethods }, { api_keypair_methods, &api_keypair_nmethods },
        { api_checksum_methods, &api_checksum_nmethods }, { api_keyagreement_methods, &api_keyagreement_nmethods },
        { api_initmd_methods, &api_initmd_nmethods }, { api_oneshot_md_methods, &api_oneshot_md_nmethods },
        { api_oneshot_initmd_methods, &api_oneshot_initmd_nmethods },
        { api_oneshot_random_methods, &api_oneshot_random_nmethods }, { api_oneshot_sig_methods, &api_oneshot_sig_nmethods },
    };
    size_t n = 0;
    for (size_t i = 0; i < CL_ARRAY_LEN(security_classes); i++) {
        vm_native_class_t c = security_classes[i];
        for (size_t k = 0; k < CL_ARRAY_LEN(counts); k++)
            if (c.methods == counts[k].m) c.nmethods = *counts[k].n;
        all_classes[n++] = c;
    }
    for (size_t i = 0; i < api_key_nclasses && n < SEC_NCLASSES; i++) all_classes[n++] = api_key_classes[i];
    vm_native_register(&vm_api_security);
}
