/*
 * drlbadm's listings: ipvsadm 1.31's printf formats, byte for byte (list.c),
 * and the --json documents (list_json.c), over the decoded replies of
 * GET_INFO / GET_SERVICES / GET_TIMEOUT / GET_CONNS / GET_DAEMON.
 * Pure formatting (plus name lookups without -n): no socket, no exit.
 */
#ifndef DRLBADM_LIST_H
#define DRLBADM_LIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "drlb/ctl-t.h"

/* One service of a GET_SERVICES reply with its real servers. */
struct list_svc {
	struct drlb_ctl_svc_entry e;
	struct drlb_ctl_dest_entry *dests;	/* e.num_dests of them */
};

struct list_table {
	struct list_svc *svcs;
	size_t n;
};

/*
 * Decode a GET_SERVICES body (each drlb_ctl_svc_entry followed by its
 * num_dests drlb_ctl_dest_entry).  Returns 0, or -1 with errno EPROTO when
 * the sizes do not add up (ENOMEM when out of memory).
 */
int list_table_decode(struct list_table *t, const void *body, size_t len);
void list_table_free(struct list_table *t);

/* ipvsadm's order: services by fwmark, af, protocol, address, port; real
 * servers by address, port (addresses compared as int(ntohl(a) - ntohl(b))). */
void list_table_sort(struct list_table *t);

/* The service (af, protocol, addr, port) of key, or NULL. */
struct list_svc *list_table_find(const struct list_table *t,
    const struct drlb_svc_conf *key);

/* `-L [opts]`: header, title, every service (sorted unless NOSORT). */
void list_all(FILE *f, const struct drlb_ctl_info *info,
    struct list_table *t, unsigned opts);
/* `-L -t|-u service [opts]`: title and that one service (no header). */
void list_one_service(FILE *f, struct list_svc *s, unsigned opts);
/* After a text listing, on f (stderr: the listing stays ipvsadm's), one
 * line per real server whose MAC could not be found, so not scheduled:
 * "PROG: warning: real server 198.18.0.9 does not answer ARP: ..." */
void list_warn_unresolved(FILE *f, const char *prog,
    const struct list_svc *svcs, size_t n);
/* `-S [-n]`: the rules, as -A/-a lines. */
void list_save(FILE *f, struct list_table *t, unsigned opts);
/* `-L --timeout` */
void list_timeout(FILE *f, const struct drlb_timeouts *to);
/* `-L -c [-n] [--persistent-conn]` */
void list_conns(FILE *f, const struct drlb_ctl_conn_entry *c, size_t n,
    unsigned opts);

/*
 * --json (docs/json.md, schema 1): one document per call, every field always
 * present, numbers exact, addresses numeric strings; services and their
 * real servers in ipvsadm's order unless DRLB_OPT_NOSORT.
 */
/* `-L [-t|-u service] [--stats|--rate|...] --json`: svcs[0..n) */
void list_json_services(FILE *f, const struct drlb_ctl_info *info,
    struct list_svc *svcs, size_t n, unsigned opts);
/* `-L -c --json` */
void list_json_conns(FILE *f, const struct drlb_ctl_conn_entry *c, size_t n);
/* `-L --timeout --json` */
void list_json_timeout(FILE *f, const struct drlb_timeouts *to);
/* `-L --daemon --json`: drlb runs no sync daemon, the list is empty */
void list_json_daemon(FILE *f);
/* the same with the daemons of a GET_DAEMON reply (state 0: skipped) */
void list_json_daemons(FILE *f, const struct drlb_ctl_daemon *dm, size_t n);
/* `-L --daemon`: ipvsadm's "master sync daemon (mcast=eth0, syncid=1)" */
void list_daemon(FILE *f, const struct drlb_ctl_daemon *dm, size_t n);

/* Names both forms use (list.c): "TCP"; "Route"; the kernel's
 * ip_vs_proto_name() and ip_vs_state_name() of a connection; "master",
 * "backup" or NULL for a GET_DAEMON state. */
#define LIST_CONN_F_TEMPLATE	0x1000		/* IP_VS_CONN_F_TEMPLATE */
const char *list_protocol_name(int proto);
const char *list_fwd_name(uint32_t flags);
const char *list_conn_proto_name(uint16_t proto, char *buf, size_t len);
const char *list_conn_state_name(const struct drlb_ctl_conn_entry *c);
const char *list_daemon_type(uint32_t state);

/* ipvsadm's addrport_to_anyname(): "a.b.c.d:port" / "[v6]:port", names and
 * service names unless DRLB_OPT_NUMERIC; at most 59 characters. */
char *list_addrport(char *buf, size_t len, int af, const union drlb_inaddr *a,
    uint16_t port, uint16_t proto, unsigned opts);

#endif
