/*
 * kaconf: the virtual_server / real_server part of a keepalived.conf
 * (keepalived.conf(5)), the subset that means something for a DR director,
 * read into plain data.  Library-like: never logs; errors come back as
 * "file:line: reason" in a buffer.
 *
 * Read:   virtual_server IP PORT { delay_loop, lb_algo (lvs_sched),
 *         lb_kind (lvs_method) DR, persistence_timeout,
 *         persistence_granularity, protocol TCP|UDP, inhibit_on_failure,
 *         sorry_server IP PORT, real_server IP PORT { weight,
 *         inhibit_on_failure, TCP_CHECK { }, HTTP_GET { url { path,
 *         status_code, digest, regex } }, MISC_CHECK { misc_path,
 *         misc_timeout, misc_dynamic } } }
 *         and in every check: connect_timeout, connect_port, retry
 *         (nb_get_retry), delay_before_retry; drlb's rise and fall.
 * Skipped as a whole (VRRP is keepalived's job): global_defs and every
 *         vrrp_* block; the caller is told which (kaconf.skipped) to log it.
 * Everything else is an error naming file:line: lb_kind NAT/TUN, fwmark and
 * group virtual servers, SSL_GET, unknown keywords ...
 */
#ifndef DRLBD_KACONF_H
#define DRLBD_KACONF_H

#include <stddef.h>
#include <stdint.h>
#include "drlb/svc-t.h"

struct svc_table;

enum kaconf_check_type {
	KACONF_TCP_CHECK = 1,
	KACONF_HTTP_GET,
	KACONF_MISC_CHECK,
};

#define KACONF_PATH_MAX		256	/* url path, regex */
#define KACONF_CMD_MAX		1024	/* misc_path */

/* keepalived's defaults */
#define KACONF_DELAY_LOOP_MS	60000
#define KACONF_CONNECT_TIMEOUT_MS 5000
#define KACONF_RETRY		1
#define KACONF_DELAY_BEFORE_RETRY_MS 1000

/* One checker of one real server.  An HTTP_GET block with several url
 * blocks becomes one check per url (the real server is up only while
 * all its checks are). */
struct kaconf_check {
	int type;			/* enum kaconf_check_type */
	int line;
	uint16_t connect_port;		/* 0: the real server's port */
	uint32_t connect_timeout_ms;	/* TCP/HTTP: the whole attempt */
	uint32_t retry;			/* retries before DOWN (retry, nb_get_retry) */
	uint32_t delay_before_retry_ms;
	uint32_t rise;			/* drlb: successes before UP (1) */
	uint32_t fall;			/* drlb: failures before DOWN (retry + 1) */
	/* HTTP_GET url */
	char path[KACONF_PATH_MAX];
	int status_code;		/* 0: any 2xx */
	int has_digest;
	uint8_t digest[16];		/* MD5 of the body (keepalived's genhash) */
	char regex[KACONF_PATH_MAX];	/* "" or a POSIX ERE the body must match */
	/* MISC_CHECK */
	char misc_path[KACONF_CMD_MAX];	/* run by /bin/sh -c */
	uint32_t misc_timeout_ms;	/* 0: the delay_loop */
	int misc_dynamic;		/* exit 2..255: weight = status - 2 */
	struct kaconf_check *next;
};

struct kaconf_rs {
	int line;
	uint16_t af;
	union drlb_inaddr addr;
	uint16_t port;
	int32_t weight;			/* default 1 */
	int inhibit;			/* inhibit_on_failure: weight 0, not removed */
	struct kaconf_check *checks;	/* in file order */
	struct kaconf_rs *next;
};

struct kaconf_vs {
	int line;
	struct drlb_svc_conf conf;	/* af, protocol, addr, port, sched, -p, -M */
	uint32_t delay_loop_ms;
	int has_sorry;
	struct kaconf_rs sorry;		/* sorry_server (weight 1, no checks) */
	struct kaconf_rs *rs;		/* in file order */
	struct kaconf_vs *next;
};

#define KACONF_SKIPPED_MAX 32

struct kaconf {
	struct kaconf_vs *vs;		/* in file order */
	uint32_t nskipped;		/* blocks skipped (VRRP, global_defs) */
	struct {
		char name[32];
		int line;
	} skipped[KACONF_SKIPPED_MAX];	/* the first KACONF_SKIPPED_MAX */
};

/* Parse text (name is the file name for messages).  0, or -1 with err set
 * to "name:line: reason" and *k empty. */
int kaconf_parse_buf(const char *name, const char *text, size_t len,
    struct kaconf *k, char *err, size_t errlen);
/* The same from a file. */
int kaconf_parse_file(const char *file, struct kaconf *k, char *err,
    size_t errlen);
void kaconf_free(struct kaconf *k);

/* Apply the file's services and all its real servers (every one up, sorry
 * servers left out) to t through svc_apply, in file order: the semantic
 * checks (unknown scheduler, a service or real server twice ...).  0 or -1
 * with err "name:line: reason". */
int kaconf_to_table(const struct kaconf *k, const char *name,
    struct svc_table *t, char *err, size_t errlen);

#endif
