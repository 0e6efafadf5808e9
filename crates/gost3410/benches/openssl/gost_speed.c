/*
 * OpenSSL's GOST engine signing and verifying a Streebog digest in a loop: the peer that
 * scripts/bench-gost.sh runs beside gost3410's own loop (examples/speed.rs), with the
 * same digest length, the same count and one thread.
 *
 *   gost_speed ALGORITHM PARAMSET COUNT     e.g. gost_speed gost2012_256 A 2000
 *
 * Prints "sign <microseconds per signature> verify <microseconds per verification>".
 * The engine comes from the configuration in OPENSSL_CONF.
 */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(const char *what) {
    fprintf(stderr, "gost_speed: %s\n", what);
    ERR_print_errors_fp(stderr);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: gost_speed ALGORITHM PARAMSET COUNT\n");
        return 2;
    }
    int count = atoi(argv[3]);
    if (count <= 0)
        return fail("COUNT must be positive");
    if (!OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL))
        return fail("cannot load the configuration");
    int nid = OBJ_txt2nid(argv[1]);
    if (nid == NID_undef)
        return fail("unknown algorithm (is the GOST engine loaded?)");

    EVP_PKEY_CTX *gen = EVP_PKEY_CTX_new_id(nid, NULL);
    EVP_PKEY *key = NULL;
    if (gen == NULL || EVP_PKEY_keygen_init(gen) <= 0 ||
        EVP_PKEY_CTX_ctrl_str(gen, "paramset", argv[2]) <= 0 ||
        EVP_PKEY_keygen(gen, &key) <= 0)
        return fail("cannot generate a key");

    size_t digest_len = strcmp(argv[1], "gost2012_512") == 0 ? 64 : 32;
    unsigned char digest[64];
    for (size_t i = 0; i < sizeof digest; i++)
        digest[i] = (unsigned char)(i * 7 + 1);
    unsigned char sig[128];
    size_t sig_len = sizeof sig;

    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0)
        return fail("cannot start signing");
    double t0 = now();
    for (int i = 0; i < count; i++) {
        sig_len = sizeof sig;
        if (EVP_PKEY_sign(ctx, sig, &sig_len, digest, digest_len) <= 0)
            return fail("signing failed");
    }
    double sign = (now() - t0) / count;

    EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(key, NULL);
    if (vctx == NULL || EVP_PKEY_verify_init(vctx) <= 0)
        return fail("cannot start verifying");
    t0 = now();
    for (int i = 0; i < count; i++) {
        if (EVP_PKEY_verify(vctx, sig, sig_len, digest, digest_len) != 1)
            return fail("verification failed");
    }
    double verify = (now() - t0) / count;

    printf("sign %.1f verify %.1f\n", sign * 1e6, verify * 1e6);
    EVP_PKEY_CTX_free(vctx);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_CTX_free(gen);
    EVP_PKEY_free(key);
    return 0;
}
