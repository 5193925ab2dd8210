/*
 * Links the output of `hil pki to-c` the way firmware would and prints what OpenSSL reads from
 * the embedded PEM: the SHA-256 fingerprints of the client certificate and of the root CA (as
 * `openssl x509 -fingerprint -sha256` prints them) and whether the key matches the certificate.
 * Built by harness/tests/system/test_pki.py with one of:
 *   -DHIL_LAYOUT_AWS       aws_clientcredential_keys.h on the include path
 *   -DHIL_LAYOUT_INFINEON  hil_mqtt_credentials.h on the include path
 *   -DHIL_LAYOUT_C_ARRAY   linked with the generated C file (made with --name fw)
 */
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdio.h>
#include <string.h>

#if defined(HIL_LAYOUT_AWS)
#include "aws_clientcredential_keys.h"
/* sizeof of a string literal counts its NUL, as the FreeRTOS and Infineon code uses them. */
#define CERT_PEM keyCLIENT_CERTIFICATE_PEM
#define CERT_LEN (sizeof(keyCLIENT_CERTIFICATE_PEM) - 1)
#define KEY_PEM keyCLIENT_PRIVATE_KEY_PEM
#define KEY_LEN (sizeof(keyCLIENT_PRIVATE_KEY_PEM) - 1)
#elif defined(HIL_LAYOUT_INFINEON)
#include "hil_mqtt_credentials.h"
#define CA_PEM ROOT_CA_CERTIFICATE
#define CA_LEN (sizeof(ROOT_CA_CERTIFICATE) - 1)
#define CERT_PEM CLIENT_CERTIFICATE
#define CERT_LEN (sizeof(CLIENT_CERTIFICATE) - 1)
#define KEY_PEM CLIENT_PRIVATE_KEY
#define KEY_LEN (sizeof(CLIENT_PRIVATE_KEY) - 1)
#elif defined(HIL_LAYOUT_C_ARRAY)
extern const char fw_root_ca_pem[];
extern const size_t fw_root_ca_pem_len;
extern const char fw_client_cert_pem[];
extern const size_t fw_client_cert_pem_len;
extern const char fw_client_key_pem[];
extern const size_t fw_client_key_pem_len;
#define CA_PEM fw_root_ca_pem
#define CA_LEN fw_root_ca_pem_len
#define CERT_PEM fw_client_cert_pem
#define CERT_LEN fw_client_cert_pem_len
#define KEY_PEM fw_client_key_pem
#define KEY_LEN fw_client_key_pem_len
#else
#error "define HIL_LAYOUT_AWS, HIL_LAYOUT_INFINEON or HIL_LAYOUT_C_ARRAY"
#endif

/* Reads the first certificate of `pem` from a memory BIO; checks that `len` is the text's length. */
static X509 *read_cert(const char *what, const char *pem, size_t len) {
    BIO *bio;
    X509 *cert;
    if (strlen(pem) != len) {
        fprintf(stderr, "%s: length %zu, but the text is %zu bytes\n", what, len, strlen(pem));
        return NULL;
    }
    bio = BIO_new_mem_buf(pem, (int)len);
    cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (cert == NULL) fprintf(stderr, "%s: PEM_read_bio_X509 failed\n", what);
    return cert;
}

static int print_fingerprint(const char *what, const char *pem, size_t len) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0, i;
    X509 *cert = read_cert(what, pem, len);
    if (cert == NULL || X509_digest(cert, EVP_sha256(), md, &n) != 1) {
        X509_free(cert);
        return 1;
    }
    printf("%s sha256 Fingerprint=", what);
    for (i = 0; i < n; ++i) printf(i == 0 ? "%02X" : ":%02X", md[i]);
    printf("\n");
    X509_free(cert);
    return 0;
}

static int print_key_match(const char *cert_pem, size_t cert_len, const char *key_pem, size_t key_len) {
    X509 *cert = read_cert("cert", cert_pem, cert_len);
    BIO *bio = BIO_new_mem_buf(key_pem, (int)key_len);
    EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    int ok =
        cert != NULL && key != NULL && strlen(key_pem) == key_len && X509_check_private_key(cert, key) == 1;
    printf("key %s\n", ok ? "matches" : "DOES NOT MATCH");
    EVP_PKEY_free(key);
    BIO_free(bio);
    X509_free(cert);
    return ok ? 0 : 1;
}

int main(void) {
    int failed = print_fingerprint("cert", CERT_PEM, CERT_LEN);
#ifdef CA_PEM
    failed |= print_fingerprint("ca", CA_PEM, CA_LEN);
#endif
    failed |= print_key_match(CERT_PEM, CERT_LEN, KEY_PEM, KEY_LEN);
    return failed;
}
