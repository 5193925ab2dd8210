/**
 * @file host_tls.c
 * @brief TLS of the virtual device: an OpenSSL context of our own for libmosquitto
 *        (MOSQ_OPT_SSL_CTX), credentials loaded from the core's slot bytes, and failures
 *        classified from the X509 verification result and the TLS alerts, never from log text.
 *
 * What libmosquitto does not do here: with MOSQ_OPT_SSL_CTX_WITH_DEFAULTS = 0 it applies none of
 * its own TLS settings (no CA files, no verify callback, no host-name check of its own, no
 * tls_insecure), so the checks below are the only ones and happen once. It still sets SNI to the
 * connect host; the info callback replaces that with the requested name when the handshake starts.
 */
#include "host_port.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct hil_port_context *context_of(const SSL *ssl) {
    return (struct hil_port_context *)SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

/* The first verification failure of the handshake (OpenSSL stops at it: we return 0). */
static int verify_cb(int ok, X509_STORE_CTX *store) {
    SSL *ssl = (SSL *)X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct hil_port_context *ctx = (ssl != NULL) ? context_of(ssl) : NULL;
    if (!ok && (ctx != NULL) && (ctx->tls.verify_error == X509_V_OK)) {
        ctx->tls.verify_error = X509_STORE_CTX_get_error(store);
        ctx->tls.verify_depth = X509_STORE_CTX_get_error_depth(store);
    }
    return ok;
}

/* SNI at the start of the handshake; alerts the server sent us; handshake completion. */
static void info_cb(const SSL *ssl, int where, int ret) {
    struct hil_port_context *ctx = context_of(ssl);
    if (ctx == NULL) {
        return;
    }
    if (((where & SSL_CB_HANDSHAKE_START) != 0) && (ctx->tls.keep_ssl == NULL)) {
        /* libmosquitto named the connect host; RFC 6066 allows no IP literals in SNI. */
        int fd = SSL_get_fd(ssl);
        (void)SSL_set_tlsext_host_name((SSL *)ssl,
                                       (ctx->tls.sni_is_ip || !ctx->tls.send_sni) ? NULL : ctx->tls.sni);
        /* Keep the connection readable until the attempt's outcome is known (see
         * host_tls_drain()); released at CONNACK at the latest. */
        ctx->tls.keep_fd = (fd >= 0) ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
        if ((ctx->tls.keep_fd >= 0) && (SSL_up_ref((SSL *)ssl) == 1)) {
            ctx->tls.keep_ssl = (void *)ssl;
        }
    }
    if ((where & SSL_CB_HANDSHAKE_DONE) != 0) {
        ctx->tls.handshake_done = true;
    }
    if (((where & SSL_CB_READ_ALERT) != 0) && (((ret >> 8) & 0xff) == SSL3_AL_FATAL) &&
        (ctx->tls.alert_received < 0)) {
        ctx->tls.alert_received = ret & 0xff;
        ctx->tls.alert_after_cert = ctx->tls.cert_sent;
    }
}

/* Our ClientHello went out (so TCP is up); our Certificate message (possibly empty) went out:
 * a later fatal alert refuses it. */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl,
                   void *arg) {
    struct hil_port_context *ctx = context_of(ssl);
    (void)version;
    (void)arg;
    if ((ctx != NULL) && (write_p != 0) && (content_type == SSL3_RT_HANDSHAKE) && (len > 0U)) {
        unsigned char type = ((const unsigned char *)buf)[0];
        if (type == SSL3_MT_CLIENT_HELLO) {
            ctx->tls.hello_sent = true; /* written in full: the TCP connection is up */
        } else if (type == SSL3_MT_CERTIFICATE) {
            ctx->tls.cert_sent = true;
        } else {
            /* other handshake messages */
        }
    }
}

/* Keys must not be encrypted: never prompt on a terminal for a pass phrase. */
static int no_password(char *buf, int size, int rwflag, void *user) {
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)user;
    return 0;
}

static bool is_ip_literal(const char *name) {
    unsigned char addr[16];
    return (inet_pton(AF_INET, name, addr) == 1) || (inet_pton(AF_INET6, name, addr) == 1);
}

/* ALPN "a,b" -> wire format "\x01a\x01b"; false when a name is empty or too long. */
static bool alpn_wire(const char *list, unsigned char *out, size_t size, size_t *len) {
    size_t n = 0U;
    bool ok = true;
    const char *p = list;
    while (ok && (*p != '\0')) {
        const char *end = strchr(p, ',');
        size_t l = (end != NULL) ? (size_t)(end - p) : strlen(p);
        ok = (l > 0U) && (l <= 255U) && ((n + 1U + l) <= size);
        if (ok) {
            out[n] = (unsigned char)l;
            (void)memcpy(&out[n + 1U], p, l);
            n += 1U + l;
        }
        p += l;
        if (*p == ',') {
            p++;
            ok = ok && (*p != '\0');
        }
    }
    *len = n;
    return ok;
}

static void fail(hil_error_class_t *cls, char *detail, size_t size, const char *text) {
    *cls = HIL_ERR_TLS_BAD_CREDENTIALS;
    (void)snprintf(detail, size, "%s", text);
}

/* Every PEM certificate of blob into the trust store; returns how many. */
static int load_trust(SSL_CTX *sctx, const hil_port_blob_t *blob) {
    int n = 0;
    BIO *bio = BIO_new_mem_buf(blob->data, (int)blob->len);
    X509 *x = NULL;
    while ((bio != NULL) && ((x = PEM_read_bio_X509(bio, NULL, no_password, NULL)) != NULL)) {
        if (X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), x) == 1) {
            n++;
        }
        X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error(); /* the reader ends with "no start line" */
    return n;
}

/* The client certificate (first PEM block) and its chain (the rest); returns the leaf. */
static X509 *load_identity_cert(SSL_CTX *sctx, const hil_port_blob_t *blob) {
    BIO *bio = BIO_new_mem_buf(blob->data, (int)blob->len);
    X509 *leaf = (bio != NULL) ? PEM_read_bio_X509(bio, NULL, no_password, NULL) : NULL;
    if ((leaf != NULL) && (SSL_CTX_use_certificate(sctx, leaf) == 1)) {
        X509 *extra = NULL;
        while ((extra = PEM_read_bio_X509(bio, NULL, no_password, NULL)) != NULL) {
            if (SSL_CTX_add0_chain_cert(sctx, extra) != 1) {
                X509_free(extra);
            }
        }
    } else {
        X509_free(leaf);
        leaf = NULL;
    }
    BIO_free(bio);
    ERR_clear_error();
    return leaf;
}

static EVP_PKEY *load_key(const hil_port_blob_t *blob) {
    BIO *bio = BIO_new_mem_buf(blob->data, (int)blob->len);
    EVP_PKEY *key = (bio != NULL) ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
    BIO_free(bio);
    ERR_clear_error();
    return key;
}

/* The client identity; false with the failure in cls/detail. Nothing has been sent yet. */
static bool load_identity(SSL_CTX *sctx, const hil_port_tls_t *tls, hil_error_class_t *cls, char *detail,
                          size_t size) {
    bool ok = true;
    X509 *leaf = NULL;
    EVP_PKEY *key = NULL;
    if (tls->cert.len == 0U) {
        return true; /* no client certificate */
    }
    leaf = load_identity_cert(sctx, &tls->cert);
    key = load_key(&tls->key);
    if (leaf == NULL) {
        fail(cls, detail, size, "cert_slot: no usable PEM certificate");
        ok = false;
    } else if (key == NULL) {
        fail(cls, detail, size, "key_slot: no usable PEM private key (encrypted keys are not supported)");
        ok = false;
    } else if (X509_check_private_key(leaf, key) != 1) {
        fail(cls, detail, size, "the private key does not match the client certificate");
        ok = false;
    } else if (SSL_CTX_use_PrivateKey(sctx, key) != 1) {
        fail(cls, detail, size, "key_slot: the private key cannot be used");
        ok = false;
    } else {
        /* identity loaded */
    }
    ERR_clear_error();
    X509_free(leaf);
    EVP_PKEY_free(key);
    return ok;
}

void host_tls_begin_attempt(struct hil_port_context *ctx) {
    host_tls_release(ctx);
    ctx->tls.verify_error = X509_V_OK;
    ctx->tls.verify_depth = 0;
    ctx->tls.hello_sent = false;
    ctx->tls.cert_sent = false;
    ctx->tls.alert_received = -1;
    ctx->tls.alert_after_cert = false;
    ctx->tls.handshake_done = false;
}

struct ssl_ctx_st *host_tls_context(struct hil_port_context *ctx, const hil_port_tls_t *tls,
                                    hil_error_class_t *cls, char *detail, size_t size) {
    SSL_CTX *sctx = SSL_CTX_new(TLS_client_method());
    bool ok = sctx != NULL;
    unsigned char alpn[HIL_DEVICE_MAX_ALPN + 2U];
    size_t alpn_len = 0U;

    *cls = HIL_ERR_TLS_HANDSHAKE;
    (void)snprintf(detail, size, "cannot create a TLS context");
    (void)snprintf(ctx->tls.sni, sizeof(ctx->tls.sni), "%s", tls->sni);
    ctx->tls.sni_is_ip = is_ip_literal(tls->sni);
    ctx->tls.send_sni = tls->send_sni;
    host_tls_begin_attempt(ctx);

    if (ok) {
        X509_VERIFY_PARAM *param = SSL_CTX_get0_param(sctx);
        SSL_CTX_set_app_data(sctx, ctx);
        (void)SSL_CTX_set_min_proto_version(sctx, (tls->version == HIL_TLS_VERSION_1_3) ? TLS1_3_VERSION
                                                                                        : TLS1_2_VERSION);
        (void)SSL_CTX_set_max_proto_version(sctx, (tls->version == HIL_TLS_VERSION_1_2) ? TLS1_2_VERSION : 0);
        SSL_CTX_set_info_callback(sctx, info_cb);
        SSL_CTX_set_msg_callback(sctx, msg_cb);
        if (tls->verify_server) {
            SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER, verify_cb);
        } else {
            SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL); /* misbehaviour skip-server-verify */
        }
        if (tls->verify_server && tls->verify_host) {
            if (ctx->tls.sni_is_ip) {
                ok = X509_VERIFY_PARAM_set1_ip_asc(param, tls->sni) == 1;
            } else {
                X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                ok = X509_VERIFY_PARAM_set1_host(param, tls->sni, 0) == 1;
            }
            if (!ok) {
                fail(cls, detail, size, "sni: not a usable host name");
            }
        }
        if (ok && ctx->time_set) {
            /* sys.time.set: certificate validity is judged at the device's time. */
            X509_VERIFY_PARAM_set_time(param, time(NULL) + ctx->time_offset_s);
        }
    }
    if (ok && (tls->alpn != NULL) && (tls->alpn[0] != '\0')) {
        ok = alpn_wire(tls->alpn, alpn, sizeof(alpn), &alpn_len) &&
             (SSL_CTX_set_alpn_protos(sctx, alpn, (unsigned)alpn_len) == 0);
        if (!ok) {
            fail(cls, detail, size, "alpn: not a usable protocol list");
        }
    }
    if (ok && (load_trust(sctx, &tls->ca) == 0)) {
        fail(cls, detail, size, "ca_slot: no usable PEM certificate");
        ok = false;
    }
    if (ok) {
        ok = load_identity(sctx, tls, cls, detail, size);
    }
    if (!ok) {
        SSL_CTX_free(sctx);
        sctx = NULL;
    }
    ERR_clear_error();
    return sctx;
}

void host_tls_release(struct hil_port_context *ctx) {
    if (ctx->tls.keep_ssl != NULL) {
        SSL_free((SSL *)ctx->tls.keep_ssl);
        ctx->tls.keep_ssl = NULL;
    }
    if (ctx->tls.keep_fd >= 0) {
        (void)close(ctx->tls.keep_fd);
        ctx->tls.keep_fd = -1;
    }
}

void host_tls_drain(struct hil_port_context *ctx, void *live_ssl) {
    /* A TLS 1.3 server refuses our certificate after our side of the handshake completed: its
     * alert is in our receive buffer when the write of CONNECT fails on the reset connection,
     * and libmosquitto may close the socket at once. Read what was received (non-blocking) so
     * the info callback sees the alert: through libmosquitto's SSL while it has one, else
     * through our own reference and our duplicate of the socket. */
    SSL *ssl = (SSL *)ctx->tls.keep_ssl;
    if ((ssl != NULL) && ctx->tls_active && (ctx->tls.alert_received < 0)) {
        char buf[256];
        if (live_ssl != ssl) {
            BIO *bio = BIO_new_socket(ctx->tls.keep_fd, BIO_NOCLOSE);
            if (bio == NULL) {
                ssl = NULL;
            } else {
                SSL_set_bio(ssl, bio, bio); /* the closed fd number must not be used */
            }
        }
        for (int i = 0; (ssl != NULL) && (i < 16); i++) {
            if (SSL_read(ssl, buf, (int)sizeof(buf)) <= 0) {
                break;
            }
        }
        ERR_clear_error();
    }
    host_tls_release(ctx);
}

const char *host_tls_version(hil_port_context_t *ctx) {
    /* What the handshake negotiated, not what was asked: a scenario verifies the restriction. */
    const char *name = NULL;
    SSL *ssl = ((ctx != NULL) && ctx->tls_active && (ctx->mosq != NULL)) ? (SSL *)mosquitto_ssl_get(ctx->mosq)
                                                                         : NULL;
    if (ssl != NULL) {
        switch (SSL_version(ssl)) {
        case TLS1_2_VERSION: name = "1.2"; break;
        case TLS1_3_VERSION: name = "1.3"; break;
        default: name = NULL; break;
        }
    }
    return name;
}

void host_tls_free(struct ssl_ctx_st *sctx) {
    SSL_CTX_free(sctx);
}

/* OpenSSL 3.0 has no text for the TLS 1.3 alerts; RFC 8446 names them. */
static const char *alert_name(int code) {
    const char *name = SSL_alert_desc_string_long(code);
    switch (code) {
    case 109: name = "missing extension"; break;
    case 115: name = "unknown PSK identity"; break;
    case 116: name = "certificate required"; break;
    case 120: name = "no application protocol"; break;
    default: break;
    }
    return name;
}

bool host_tls_classify(const struct hil_port_context *ctx, hil_error_class_t *cls, char *detail,
                       size_t size) {
    bool found = true;
    const struct host_tls_diag *d = &ctx->tls;
    if (!ctx->tls_active) {
        found = false;
    } else if (d->verify_error != X509_V_OK) {
        switch (d->verify_error) {
        case X509_V_ERR_CERT_HAS_EXPIRED: *cls = HIL_ERR_TLS_SERVER_EXPIRED; break;
        case X509_V_ERR_CERT_NOT_YET_VALID: *cls = HIL_ERR_TLS_SERVER_NOT_YET_VALID; break;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH: *cls = HIL_ERR_TLS_HOSTNAME_MISMATCH; break;
        default: *cls = HIL_ERR_TLS_SERVER_UNTRUSTED; break;
        }
        (void)snprintf(detail, size, "X509 error %d at depth %d: %s", d->verify_error, d->verify_depth,
                       X509_verify_cert_error_string(d->verify_error));
    } else if (d->alert_received >= 0) {
        /* A fatal alert after our Certificate message: the server refused it (under TLS 1.3
         * it arrives with the first record after our side of the handshake completed). */
        *cls = d->alert_after_cert ? HIL_ERR_TLS_PEER_REJECTED : HIL_ERR_TLS_HANDSHAKE;
        (void)snprintf(detail, size, "TLS alert from the server: %s (%d)%s", alert_name(d->alert_received),
                       d->alert_received, d->alert_after_cert ? ", after our certificate" : "");
    } else if (!d->handshake_done && d->hello_sent) {
        *cls = HIL_ERR_TLS_HANDSHAKE;
        (void)snprintf(detail, size, "the TLS handshake did not complete (no alert, no verification error)");
    } else {
        found = false; /* TLS was fine: the failure is the network's or MQTT's */
    }
    return found;
}
