/*
 * SSL_GET: HTTP_GET's request and judgement (check_http.c) over TLS, with
 * OpenSSL on a non-blocking socket: connect, handshake, request, answer,
 * each step waiting on the socket for what OpenSSL wants (read or write).
 *
 * As keepalived (check_ssl.c): one context for all SSL_GET checks, from
 * the SSL { } block when there is one (certificate, key, password: a
 * client certificate; ca: loaded) and automatic otherwise, TLS_method, and
 * no verification of the server's certificate (keepalived never sets
 * SSL_VERIFY_PEER: a self-signed certificate is fine).  With enable_sni,
 * the virtualhost is sent as the server name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "checker.h"

static SSL_CTX *ssl_ctx;

static char ssl_password[KACONF_PATH_MAX];

static int
password_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n = strlen(ssl_password);

	(void)rwflag;
	(void)u;
	if (size < 0 || n + 1 > (size_t)size)
		return 0;
	memcpy(buf, ssl_password, n + 1);
	return (int)n;
}

static void
ssl_errstr(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

int
check_ssl_init(const struct kaconf_ssl *s, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char why[256];

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		ssl_errstr(why, sizeof(why));
		snprintf(err, errlen, "SSL: no context: %s", why);
		return -1;
	}
	if (s != NULL && s->set) {
		snprintf(ssl_password, sizeof(ssl_password), "%s", s->password);
		if (s->password[0] != '\0')
			SSL_CTX_set_default_passwd_cb(ctx, password_cb);
		if (s->certificate[0] != '\0' &&
		    SSL_CTX_use_certificate_chain_file(ctx, s->certificate) != 1) {
			ssl_errstr(why, sizeof(why));
			snprintf(err, errlen, "SSL certificate %s: %s",
			    s->certificate, why);
			goto out_free;
		}
		if (s->key[0] != '\0' && SSL_CTX_use_PrivateKey_file(ctx, s->key,
		    SSL_FILETYPE_PEM) != 1) {
			ssl_errstr(why, sizeof(why));
			snprintf(err, errlen, "SSL key %s: %s", s->key, why);
			goto out_free;
		}
		if (s->ca[0] != '\0' &&
		    SSL_CTX_load_verify_locations(ctx, s->ca, NULL) != 1) {
			ssl_errstr(why, sizeof(why));
			snprintf(err, errlen, "SSL ca %s: %s", s->ca, why);
			goto out_free;
		}
	}
	/* keepalived's setting; the peer is not verified (SSL_VERIFY_NONE) */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_verify_depth(ctx, 1);
	check_ssl_fini();
	ssl_ctx = ctx;
	return 0;
out_free:
	SSL_CTX_free(ctx);
	return -1;
}

void
check_ssl_fini(void)
{
	if (ssl_ctx != NULL)
		SSL_CTX_free(ssl_ctx);
	ssl_ctx = NULL;
}

enum { TLS_CONNECT, TLS_HANDSHAKE, TLS_WRITE, TLS_READ };

struct tls {
	int state;
	SSL *ssl;
	struct check_http *h;
	size_t sent;
};

static int
tls_start(struct check *c)
{
	struct tls *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(c->why, sizeof(c->why), "out of memory");
		return CHECK_FAIL;
	}
	c->priv = t;
	if (ssl_ctx == NULL) {
		snprintf(c->why, sizeof(c->why), "no SSL context");
		return CHECK_FAIL;
	}
	if ((t->h = check_http_new(c)) == NULL)
		return CHECK_FAIL;
	r = check_tcp_connect(c);
	if (r == CHECK_FAIL)
		return r;
	t->state = TLS_CONNECT;
	c->events = POLLOUT;
	return CHECK_PENDING;
}

/* what OpenSSL wants next, or a failure */
static int
tls_want(struct check *c, struct tls *t, int r, const char *what)
{
	int e = SSL_get_error(t->ssl, r);
	char why[200];

	if (e == SSL_ERROR_WANT_READ) {
		c->events = POLLIN;
		return CHECK_PENDING;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		c->events = POLLOUT;
		return CHECK_PENDING;
	}
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		snprintf(why, sizeof(why), "%s", strerror(errno));
	else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN)
		snprintf(why, sizeof(why), "connection closed");
	else
		ssl_errstr(why, sizeof(why));
	snprintf(c->why, sizeof(c->why), "TLS %s: %.140s", what, why);
	ERR_clear_error();
	return CHECK_FAIL;
}

static int
tls_step(struct check *c, short revents)
{
	struct tls *t = c->priv;
	char buf[16384];
	const char *req;
	size_t len;
	int r;

	if (revents == 0 || t == NULL)
		return CHECK_PENDING;
	switch (t->state) {
	case TLS_CONNECT:
		if (check_tcp_connected(c) != CHECK_OK)
			return CHECK_FAIL;
		if ((t->ssl = SSL_new(ssl_ctx)) == NULL ||
		    SSL_set_fd(t->ssl, c->fd) != 1) {
			ssl_errstr(buf, sizeof(buf));
			snprintf(c->why, sizeof(c->why), "TLS: %.140s", buf);
			return CHECK_FAIL;
		}
		if (c->conf.enable_sni && c->conf.virtualhost[0] != '\0')
			SSL_set_tlsext_host_name(t->ssl, c->conf.virtualhost);
		t->state = TLS_HANDSHAKE;
		/* FALLTHROUGH */
	case TLS_HANDSHAKE:
		ERR_clear_error();
		errno = 0;
		if ((r = SSL_connect(t->ssl)) != 1)
			return tls_want(c, t, r, "handshake");
		t->state = TLS_WRITE;
		/* FALLTHROUGH */
	case TLS_WRITE:
		req = check_http_request(t->h, &len);
		while (t->sent < len) {
			ERR_clear_error();
			errno = 0;
			if ((r = SSL_write(t->ssl, req + t->sent,
			    (int)(len - t->sent))) <= 0)
				return tls_want(c, t, r, "write");
			t->sent += (size_t)r;
		}
		t->state = TLS_READ;
		c->events = POLLIN;
		/* FALLTHROUGH */
	default:
		for (;;) {
			int e, res;

			ERR_clear_error();
			errno = 0;
			r = SSL_read(t->ssl, buf, sizeof(buf));
			if (r > 0) {
				res = check_http_feed(c, t->h, buf, (size_t)r);
				if (res != CHECK_PENDING)
					return res;
				continue;
			}
			e = SSL_get_error(t->ssl, r);
			/* the end of the answer: close_notify, or (as
			 * keepalived takes it) the connection closed */
			if (e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && errno == 0))
				return check_http_eof(c, t->h);
			return tls_want(c, t, r, "read");
		}
	}
}

static void
tls_stop(struct check *c, int timed_out)
{
	struct tls *t = c->priv;

	if (timed_out)
		snprintf(c->why, sizeof(c->why), "timeout %s",
		    t == NULL || t->state == TLS_CONNECT ? "connecting" :
		    t->state == TLS_HANDSHAKE ? "in the TLS handshake" :
		    t->state == TLS_WRITE ? "sending the request" :
		    "reading the answer");
	if (t != NULL) {
		if (t->ssl != NULL) {
			SSL_set_quiet_shutdown(t->ssl, 1);
			SSL_free(t->ssl);
		}
		check_http_free(t->h);
		free(t);
	}
	c->priv = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->events = 0;
	ERR_clear_error();
}

static void
tls_describe(const struct check *c, char *buf, size_t len)
{
	snprintf(buf, len, "SSL GET %s", c->conf.path);
}

const struct check_ops check_ssl_ops = {
	.name = "SSL_GET",
	.start = tls_start,
	.step = tls_step,
	.stop = tls_stop,
	.describe = tls_describe,
};
