/*
 * kaconf: the virtual_server part of a keepalived.conf (keepalived.conf(5),
 * keepalived 2.2) read into plain data.  Library-like: never logs; errors
 * come back as "file:line: reason" in a buffer, warnings (what is accepted
 * but ignored, or read differently from the letter of the file) as
 * "file:line: ..." strings in kaconf.warn for the caller to log.
 *
 * Read as keepalived reads it:
 *   include PATTERN (glob, relative to the including file, nested), CRLF
 *   line endings, a last line without newline, "#"/"!" comments anywhere
 *   outside quotes, blocks opened by "{" on the keyword's line or the next;
 *   SSL { ... } (the SSL_GET context), virtual_server_group NAME { ... },
 *   virtual_server IP [PORT] | group NAME { ... } with every keyword
 *   keepalived 2.2 takes there, in real_server and in the checkers TCP_CHECK,
 *   HTTP_GET, SSL_GET, MISC_CHECK, UDP_CHECK, SMTP_CHECK and DNS_CHECK.
 *   The defaults keepalived inherits (checker <- real server <- virtual
 *   server) are resolved here: each kaconf_check holds its final values.
 * Skipped as a whole (VRRP is keepalived's job): global_defs and every
 *   vrrp_* block; the caller is told which (kaconf.skipped) to log it.
 * Errors naming file:line and the keyword: what keepalived itself rejects
 *   (unknown keywords, bad values), and what would make drlbd do something
 *   else than the file says (lb_kind NAT/TUN, fwmarks, PING_CHECK ...).
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
	KACONF_SSL_GET,
	KACONF_UDP_CHECK,
	KACONF_SMTP_CHECK,
	KACONF_DNS_CHECK,
};

#define KACONF_PATH_MAX		256	/* url path, regex, names */
#define KACONF_CMD_MAX		1024	/* misc_path, notify scripts */
#define KACONF_PAYLOAD_MAX	512	/* UDP_CHECK payload and reply */

/* keepalived's defaults */
#define KACONF_DELAY_LOOP_MS	60000
#define KACONF_CONNECT_TIMEOUT_MS 5000
#define KACONF_RETRY		1	/* MISC_CHECK 0, DNS_CHECK 3 */
#define KACONF_DELAY_BEFORE_RETRY_MS 1000 /* HTTP/SSL 3 s, DNS delay_loop */
#define KACONF_PERSIST_MAX	2678400	/* LVS_MAX_TIMEOUT, ipvsadm's too */
#define KACONF_HTTP_STATUS_MIN	100
#define KACONF_HTTP_STATUS_MAX	599

/* HTTP_GET/SSL_GET http_protocol */
enum { KACONF_HTTP_1_0 = 0, KACONF_HTTP_1_0C, KACONF_HTTP_1_1 };

/* One checker of one real server, with its final settings.  An HTTP_GET
 * or SSL_GET block with several url blocks becomes one check per url (the
 * real server is up only while all its checks are). */
struct kaconf_check {
	int type;			/* enum kaconf_check_type */
	int line;
	const char *file;		/* where it is (kaconf.files[]) */
	/* where the checker connects: connect_ip (or the RIP), connect_port
	 * (or the real server's port); bindto/bind_port/bind_if */
	int has_connect_ip;
	uint16_t connect_af;
	union drlb_inaddr connect_ip;
	uint16_t connect_port;		/* 0: the real server's port */
	int has_bindto;
	uint16_t bind_af;
	union drlb_inaddr bindto;
	uint16_t bind_port;		/* 0: any */
	char bind_if[16];		/* scope of link-local addresses */
	uint32_t connect_timeout_ms;	/* the whole attempt */
	uint32_t retry;			/* retries before DOWN */
	uint32_t delay_before_retry_ms;
	uint32_t delay_loop_ms;		/* between attempts */
	uint32_t warmup_ms;		/* first attempt at random in [0, warmup] */
	int alpha;			/* starts DOWN until a success */
	int log_all_failures;
	uint32_t rise;			/* drlb: successes before UP (1) */
	uint32_t fall;			/* drlb: failures before DOWN (retry + 1) */
	/* HTTP_GET / SSL_GET url */
	char path[KACONF_PATH_MAX];
	int status_code;		/* the first code listed, 0: none (2xx) */
	uint8_t status_ok[(KACONF_HTTP_STATUS_MAX - KACONF_HTTP_STATUS_MIN) / 8 + 1];
	int has_digest;
	uint8_t digest[16];		/* MD5 of the body (keepalived's genhash) */
	char regex[KACONF_PATH_MAX];	/* "" or a POSIX ERE the body must match */
	int regex_no_match;		/* ... or must not */
	int regex_icase;		/* regex_options caseless */
	uint32_t regex_min_offset, regex_max_offset; /* max 0: none */
	char virtualhost[KACONF_PATH_MAX]; /* Host: (and SNI), "" the RIP:port */
	int http_protocol;		/* KACONF_HTTP_* */
	int enable_sni;
	int fast_recovery;
	/* MISC_CHECK */
	char misc_path[KACONF_CMD_MAX];	/* run by /bin/sh -c */
	uint32_t misc_timeout_ms;	/* 0: the delay_loop */
	int misc_dynamic;		/* exit 2..255: weight = status - 2 */
	/* UDP_CHECK */
	uint16_t payload_len;		/* 0: keepalived's 32-byte filler */
	uint8_t payload[KACONF_PAYLOAD_MAX];
	int require_reply;
	uint16_t reply_len;		/* bytes compared, 0: any reply */
	uint8_t reply[KACONF_PAYLOAD_MAX];
	uint8_t reply_mask[KACONF_PAYLOAD_MAX]; /* 1 bits: not compared */
	uint16_t min_reply_len, max_reply_len;
	/* SMTP_CHECK */
	char helo_name[KACONF_PATH_MAX];
	/* DNS_CHECK */
	uint16_t dns_type;
	char dns_name[KACONF_PATH_MAX];
	struct kaconf_check *next;
};

struct kaconf_rs {
	int line;
	const char *file;
	uint16_t af;
	union drlb_inaddr addr;
	uint16_t port;
	int32_t weight;			/* default: the virtual server's (1) */
	uint32_t u_threshold;		/* uthreshold: ipvsadm -x */
	uint32_t l_threshold;		/* lthreshold: ipvsadm -y */
	int inhibit;			/* inhibit_on_failure: weight 0, not removed */
	int alpha;			/* starts DOWN */
	char *notify_up;		/* /bin/sh -c, or NULL */
	char *notify_down;
	struct kaconf_check *checks;	/* in file order */
	struct kaconf_rs *next;
};

struct kaconf_vs {
	int line;
	const char *file;
	struct drlb_svc_conf conf;	/* the first service (af, protocol,
					   addr, port, sched, -p, -M, flags) */
	struct drlb_svc_conf *svcs;	/* every IPVS service it stands for: one,
					   or a virtual_server_group's */
	uint32_t nsvcs;
	char group[KACONF_PATH_MAX];	/* virtual_server group NAME, or "" */
	uint32_t delay_loop_ms;
	uint32_t quorum;		/* total weight of live servers needed */
	uint32_t hysteresis;
	char *quorum_up;		/* /bin/sh -c, or NULL */
	char *quorum_down;
	int omega;			/* notify_down/quorum_down on shutdown */
	int ha_suspend;			/* checks only while drlbd holds the VIPs */
	int has_sorry;
	int sorry_inhibit;		/* sorry_server_inhibit: weight 0, listed */
	struct kaconf_rs sorry;		/* sorry_server (weight 1, no checks) */
	struct kaconf_rs *rs;		/* in file order */
	struct kaconf_vs *next;
};

/* the SSL { } block: SSL_GET's client side (keepalived verifies no
 * certificate: neither does drlbd) */
struct kaconf_ssl {
	int set;
	char password[KACONF_PATH_MAX];
	char ca[KACONF_PATH_MAX];
	char certificate[KACONF_PATH_MAX];
	char key[KACONF_PATH_MAX];
};

#define KACONF_SKIPPED_MAX 32
#define KACONF_FILES_MAX 256		/* files read, includes counted */

struct kaconf {
	struct kaconf_vs *vs;		/* in file order */
	struct kaconf_ssl ssl;
	uint32_t nskipped;		/* blocks skipped (VRRP, global_defs) */
	struct {
		char name[32];
		int line;
		const char *file;
	} skipped[KACONF_SKIPPED_MAX];	/* the first KACONF_SKIPPED_MAX */
	char **warn;			/* "file:line: what", in file order */
	uint32_t nwarn;
	char **files;			/* every file read, the first one first */
	uint32_t nfiles;
};

/* Parse text (name is the file name for messages, and includes are relative
 * to its directory).  0, or -1 with err set to "name:line: reason" and *k
 * empty. */
int kaconf_parse_buf(const char *name, const char *text, size_t len,
    struct kaconf *k, char *err, size_t errlen);
/* The same from a file. */
int kaconf_parse_file(const char *file, struct kaconf *k, char *err,
    size_t errlen);
void kaconf_free(struct kaconf *k);

/* Apply the file's services and real servers to t through svc_apply, in
 * file order, as keepalived sets them up at start (every real server up
 * but alpha ones; the sorry server as the quorum and sorry_server_inhibit
 * say): the semantic checks (a service or real server twice, flags the
 * scheduler does not take ...).  0 or -1 with err "file:line: reason". */
int kaconf_to_table(const struct kaconf *k, const char *name,
    struct svc_table *t, char *err, size_t errlen);

/* "TCP_CHECK" ... for k->type */
const char *kaconf_check_name(int type);

#endif
