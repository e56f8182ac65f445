/*
 * ipvsadm 1.31's listings (print_title, print_service_entry, print_conn,
 * list_all, list_timeout), reproduced format string by format string so
 * that scripts which parse `ipvsadm -L -n` or diff `ipvsadm -S` keep working.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "drlb/addr.h"
#include "drlb/cmd.h"
#include "list.h"

/* internal: -S's rule format (ipvsadm FMT_RULE) */
#define FMT_RULE	0x80000000u

/* ---------------------------------------------------------------- decode */

int
list_table_decode(struct list_table *t, const void *body, size_t len)
{
	const unsigned char *p = body;
	size_t off = 0, cap = 0;

	t->svcs = NULL;
	t->n = 0;
	while (off < len) {
		struct list_svc *s;
		size_t dlen;

		if (len - off < sizeof(struct drlb_ctl_svc_entry))
			goto out_proto;
		if (t->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct list_svc *n = realloc(t->svcs, ncap * sizeof(*n));

			if (n == NULL)
				goto out_free;
			t->svcs = n;
			cap = ncap;
		}
		s = &t->svcs[t->n];
		memcpy(&s->e, p + off, sizeof(s->e));
		s->dests = NULL;
		off += sizeof(s->e);
		if (s->e.num_dests > (len - off) /
		    sizeof(struct drlb_ctl_dest_entry))
			goto out_proto;
		dlen = (size_t)s->e.num_dests * sizeof(struct drlb_ctl_dest_entry);
		if (dlen > 0) {
			if ((s->dests = malloc(dlen)) == NULL)
				goto out_free;
			memcpy(s->dests, p + off, dlen);
		}
		off += dlen;
		t->n++;
	}
	return 0;

out_proto:
	list_table_free(t);
	errno = EPROTO;
	return -1;
out_free:
	list_table_free(t);
	errno = ENOMEM;
	return -1;
}

void
list_table_free(struct list_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->svcs[i].dests);
	free(t->svcs);
	t->svcs = NULL;
	t->n = 0;
}

/* ---------------------------------------------------------------- sort */

/* libipvs compares addresses as the int of an unsigned difference: a wrap
 * puts e.g. 200.0.0.1 before 10.0.0.1.  Kept, since scripts see the order. */
static int
cmp_addr(int af, const union drlb_inaddr *a, const union drlb_inaddr *b)
{
	int r = 0;

	if (af == AF_INET6) {
		for (int i = 0; r == 0 && i < 4; i++) {
			uint32_t x, y;

			memcpy(&x, a->b + 4 * i, 4);
			memcpy(&y, b->b + 4 * i, 4);
			r = (int)(ntohl(x) - ntohl(y));
		}
		return r;
	}
	return (int)(ntohl(a->in.s_addr) - ntohl(b->in.s_addr));
}

static int
cmp_services(const void *va, const void *vb)
{
	const struct drlb_svc_conf *a = &((const struct list_svc *)va)->e.conf;
	const struct drlb_svc_conf *b = &((const struct list_svc *)vb)->e.conf;
	int r;

	if ((r = (int)(a->fwmark - b->fwmark)) != 0)
		return r;
	if ((r = a->af - b->af) != 0)
		return r;
	if ((r = a->protocol - b->protocol) != 0)
		return r;
	if ((r = cmp_addr(a->af, &a->addr, &b->addr)) != 0)
		return r;
	return a->port - b->port;
}

static int
cmp_dests(const void *va, const void *vb)
{
	const struct drlb_dest_conf *a = &((const struct drlb_ctl_dest_entry *)va)->conf;
	const struct drlb_dest_conf *b = &((const struct drlb_ctl_dest_entry *)vb)->conf;
	int r;

	if ((r = cmp_addr(a->af, &a->addr, &b->addr)) != 0)
		return r;
	return a->port - b->port;
}

static void
sort_dests(struct list_svc *s)
{
	if (s->e.num_dests > 1)
		qsort(s->dests, s->e.num_dests, sizeof(s->dests[0]), cmp_dests);
}

void
list_table_sort(struct list_table *t)
{
	if (t->n > 1)
		qsort(t->svcs, t->n, sizeof(t->svcs[0]), cmp_services);
	for (size_t i = 0; i < t->n; i++)
		sort_dests(&t->svcs[i]);
}

struct list_svc *
list_table_find(const struct list_table *t, const struct drlb_svc_conf *key)
{
	size_t alen = drlb_addr_len(key->af);

	for (size_t i = 0; i < t->n; i++) {
		const struct drlb_svc_conf *c = &t->svcs[i].e.conf;

		if (c->af == key->af && c->protocol == key->protocol &&
		    c->port == key->port && c->fwmark == key->fwmark &&
		    memcmp(c->addr.b, key->addr.b, alen) == 0)
			return &t->svcs[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------- names */

static const char *
addr_to_anyname(int af, const union drlb_inaddr *a, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	memset(&ss, 0, sizeof(ss));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->in;
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->in6;
		sl = sizeof(*sin6);
	}
	if (getnameinfo((struct sockaddr *)&ss, sl, buf, (socklen_t)len,
	    NULL, 0, NI_NAMEREQD) == 0)
		return buf;
	if (inet_ntop(af, a->b, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "(null)");
	return buf;
}

static const char *
port_to_anyname(uint16_t port, uint16_t proto, char *buf, size_t len)
{
	const char *pname = proto == IPPROTO_TCP ? "tcp" :
	    proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_SCTP ? "sctp" : NULL;
	struct servent *se;

	if (pname != NULL && (se = getservbyport(htons(port), pname)) != NULL)
		snprintf(buf, len, "%s", se->s_name);
	else
		snprintf(buf, len, "%u", port);
	return buf;
}

char *
list_addrport(char *buf, size_t len, int af, const union drlb_inaddr *a,
    uint16_t port, uint16_t proto, unsigned opts)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV], tmp[NI_MAXHOST + NI_MAXSERV + 8];
	const char *lb = af == AF_INET ? "" : "[", *rb = af == AF_INET ? "" : "]";
	size_t n;

	if (opts & DRLB_OPT_NUMERIC) {
		if (inet_ntop(af, a->b, host, sizeof(host)) == NULL)
			snprintf(host, sizeof(host), "(null)");
		snprintf(serv, sizeof(serv), "%u", port);
	} else {
		addr_to_anyname(af, a, host, sizeof(host));
		port_to_anyname(port, proto, serv, sizeof(serv));
	}
	snprintf(tmp, sizeof(tmp), "%s%s%s:%s", lb, host, rb, serv);
	/* ipvsadm formats into malloc(60): at most 59 characters */
	n = strlen(tmp);
	if (n > 59)
		n = 59;
	if (len == 0)
		return buf;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}

/* ---------------------------------------------------------------- services */

static void
print_largenum(FILE *f, unsigned long long i, unsigned opts)
{
	if (opts & DRLB_OPT_EXACT) {
		char tmp[32];
		int len = snprintf(tmp, sizeof(tmp), "%llu", i);

		fprintf(f, "%*llu", len <= 8 ? 9 : len + 1, i);
		return;
	}
	if (i < 100000000ULL)				/* < 100 million */
		fprintf(f, "%9llu", i);
	else if (i < 1000000000ULL)			/* < 1 billion */
		fprintf(f, "%8lluK", i / 1000);
	else if (i < 100000000000ULL)			/* < 100 billion */
		fprintf(f, "%8lluM", i / 1000000);
	else if (i < 100000000000000ULL)		/* < 100 trillion */
		fprintf(f, "%8lluG", i / 1000000000ULL);
	else
		fprintf(f, "%8lluT", i / 1000000000000ULL);
}

const char *
list_protocol_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:	return "TCP";
	case IPPROTO_UDP:	return "UDP";
	case IPPROTO_SCTP:	return "SCTP";
	default:		return "?";
	}
}

static const char *
option_from_protocol(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:	return "-t";
	case IPPROTO_UDP:	return "-u";
	case IPPROTO_SCTP:	return "--sctp-service";
	default:		return "--xxx-service";
	}
}

const char *
list_fwd_name(uint32_t flags)
{
	switch (flags & 0x7) {
	case DRLB_FWD_MASQ:		return "Masq";
	case DRLB_FWD_LOCALNODE:	return "Local";
	case DRLB_FWD_TUNNEL:		return "Tunnel";
	case DRLB_FWD_DROUTE:		return "Route";
	default:			return "(null)";
	}
}

static const char *
fwd_switch(uint32_t flags)
{
	switch (flags & 0x7) {
	case DRLB_FWD_MASQ:		return "-m";
	case DRLB_FWD_TUNNEL:		return "-i";
	case DRLB_FWD_LOCALNODE:
	case DRLB_FWD_DROUTE:		return "-g";
	default:			return "(null)";
	}
}

#define SVC_F_SCHED_ANY (DRLB_SVC_F_SCHED1 | DRLB_SVC_F_SCHED2 | DRLB_SVC_F_SCHED3)

static void
print_sched_flags(FILE *f, const struct drlb_svc_conf *c)
{
	char flags[64] = "";

	if (strcmp(c->sched_name, "sh") == 0 || strcmp(c->sched_name, "mh") == 0) {
		bool sh = c->sched_name[0] == 's';

		if (c->flags & DRLB_SVC_F_SCHED1)
			strcat(flags, sh ? "sh-fallback," : "mh-fallback,");
		if (c->flags & DRLB_SVC_F_SCHED2)
			strcat(flags, sh ? "sh-port," : "mh-port,");
	} else {
		if (c->flags & DRLB_SVC_F_SCHED1)
			strcat(flags, "flag-1,");
		if (c->flags & DRLB_SVC_F_SCHED2)
			strcat(flags, "flag-2,");
		if (c->flags & DRLB_SVC_F_SCHED3)
			strcat(flags, "flag-3,");
	}
	if (flags[0]) {
		flags[strlen(flags) - 1] = '\0';
		fputs(flags, f);
	}
}

static void
print_title(FILE *f, unsigned opts)
{
	if (opts & DRLB_OPT_STATS)
		fprintf(f, "%-33s %8s %8s %8s %8s %8s\n"
		    "  -> RemoteAddress:Port\n",
		    "Prot LocalAddress:Port",
		    "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes");
	else if (opts & DRLB_OPT_RATE)
		fprintf(f, "%-33s %8s %8s %8s %8s %8s\n"
		    "  -> RemoteAddress:Port\n",
		    "Prot LocalAddress:Port",
		    "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
	else if (opts & DRLB_OPT_THRESHOLDS)
		fprintf(f, "%-33s %-10s %-10s %-10s %-10s\n"
		    "  -> RemoteAddress:Port\n",
		    "Prot LocalAddress:Port",
		    "Uthreshold", "Lthreshold", "ActiveConn", "InActConn");
	else if (opts & DRLB_OPT_PERSISTENTCONN)
		fprintf(f, "%-33s %-9s %-11s %-10s %-10s\n"
		    "  -> RemoteAddress:Port\n",
		    "Prot LocalAddress:Port",
		    "Weight", "PersistConn", "ActiveConn", "InActConn");
	else if (opts & DRLB_OPT_TUN_INFO)
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		    "  -> RemoteAddress:Port           Forward TunnelInfo    "
		    "Weight ActiveConn InActConn\n", f);
	else if (!(opts & FMT_RULE))
		fputs("Prot LocalAddress:Port Scheduler Flags\n"
		    "  -> RemoteAddress:Port           Forward Weight "
		    "ActiveConn InActConn\n", f);
}

static void
print_service_line(FILE *f, const struct list_svc *s, const char *svc_name,
    unsigned opts)
{
	const struct drlb_svc_conf *c = &s->e.conf;
	const struct drlb_stats *st = &s->e.stats;
	const struct drlb_rates *rt = &s->e.rates;
	struct in_addr mask = { .s_addr = c->netmask };

	if (opts & FMT_RULE) {
		fprintf(f, "-A %s -s %s", svc_name, c->sched_name);
		if (c->flags & DRLB_SVC_F_PERSISTENT) {
			fprintf(f, " -p %u", c->timeout);
			if (c->af == AF_INET && c->netmask != 0xffffffffu)
				fprintf(f, " -M %s", inet_ntoa(mask));
			if (c->af == AF_INET6 && c->netmask != 128)
				fprintf(f, " -M %i", (int)c->netmask);
		}
		if (c->pe_name[0])
			fprintf(f, " --pe %.*s", DRLB_PE_NAME_MAX, c->pe_name);
		if (c->flags & DRLB_SVC_F_ONEPACKET)
			fputs(" -o", f);
		if (c->flags & SVC_F_SCHED_ANY) {
			fputs(" -b ", f);
			print_sched_flags(f, c);
		}
	} else if (opts & DRLB_OPT_STATS) {
		fprintf(f, "%-33s", svc_name);
		print_largenum(f, st->conns, opts);
		print_largenum(f, st->inpkts, opts);
		print_largenum(f, st->outpkts, opts);
		print_largenum(f, st->inbytes, opts);
		print_largenum(f, st->outbytes, opts);
	} else if (opts & DRLB_OPT_RATE) {
		fprintf(f, "%-33s", svc_name);
		print_largenum(f, rt->cps, opts);
		print_largenum(f, rt->inpps, opts);
		print_largenum(f, rt->outpps, opts);
		print_largenum(f, rt->inbps, opts);
		print_largenum(f, rt->outbps, opts);
	} else {
		fprintf(f, "%s %s", svc_name, c->sched_name);
		if (c->flags & SVC_F_SCHED_ANY) {
			fputs(" (", f);
			print_sched_flags(f, c);
			fputs(")", f);
		}
		if (c->flags & DRLB_SVC_F_PERSISTENT) {
			fprintf(f, " persistent %u", c->timeout);
			if (c->af == AF_INET && c->netmask != 0xffffffffu)
				fprintf(f, " mask %s", inet_ntoa(mask));
			if (c->af == AF_INET6 && c->netmask != 128)
				fprintf(f, " mask %i", (int)c->netmask);
			if (c->pe_name[0])
				fprintf(f, " pe %.*s", DRLB_PE_NAME_MAX,
				    c->pe_name);
		}
		if (c->flags & DRLB_SVC_F_ONEPACKET)
			fputs(" ops", f);
	}
	fputs("\n", f);
}

static void
print_dest_line(FILE *f, const struct list_svc *s,
    const struct drlb_ctl_dest_entry *e, const char *svc_name, unsigned opts)
{
	const struct drlb_dest_conf *d = &e->conf;
	int af = d->af ? d->af : s->e.conf.af;
	char dname[64];

	list_addrport(dname, sizeof(dname), af, &d->addr, d->port,
	    s->e.conf.protocol, opts);
	if (!(opts & FMT_RULE) && af != AF_INET6)
		dname[28] = '\0';

	if (opts & FMT_RULE) {
		fprintf(f, "-a %s -r %s %s -w %d\n", svc_name, dname,
		    fwd_switch(d->conn_flags), d->weight);
	} else if (opts & DRLB_OPT_STATS) {
		fprintf(f, "  -> %-28s", dname);
		print_largenum(f, e->stats.conns, opts);
		print_largenum(f, e->stats.inpkts, opts);
		print_largenum(f, e->stats.outpkts, opts);
		print_largenum(f, e->stats.inbytes, opts);
		print_largenum(f, e->stats.outbytes, opts);
		fputs("\n", f);
	} else if (opts & DRLB_OPT_RATE) {
		fprintf(f, "  -> %-28s %8llu %8llu %8llu", dname,
		    (unsigned long long)e->rates.cps,
		    (unsigned long long)e->rates.inpps,
		    (unsigned long long)e->rates.outpps);
		print_largenum(f, e->rates.inbps, opts);
		print_largenum(f, e->rates.outbps, opts);
		fputs("\n", f);
	} else if (opts & DRLB_OPT_THRESHOLDS) {
		fprintf(f, "  -> %-28s %-10u %-10u %-10u %-10u\n", dname,
		    d->u_threshold, d->l_threshold,
		    e->activeconns, e->inactconns);
	} else if (opts & DRLB_OPT_PERSISTENTCONN) {
		fprintf(f, "  -> %-28s %-9u %-11u %-10u %-10u\n", dname,
		    (unsigned)d->weight, e->persistconns,
		    e->activeconns, e->inactconns);
	} else if (opts & DRLB_OPT_TUN_INFO) {
		/* only tunnelling real servers have tunnel info */
		fprintf(f, "  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", dname,
		    list_fwd_name(d->conn_flags), "n/a", d->weight,
		    e->activeconns, e->inactconns);
	} else {
		fprintf(f, "  -> %-28s %-7s %-6d %-10u %-10u\n", dname,
		    list_fwd_name(d->conn_flags), d->weight,
		    e->activeconns, e->inactconns);
	}
}

static void
print_service_entry(FILE *f, struct list_svc *s, unsigned opts)
{
	const struct drlb_svc_conf *c = &s->e.conf;
	char svc_name[1024], vname[64];

	list_addrport(vname, sizeof(vname), c->af, &c->addr, c->port,
	    c->protocol, opts);
	if (opts & FMT_RULE) {
		snprintf(svc_name, sizeof(svc_name), "%s %s",
		    option_from_protocol(c->protocol), vname);
	} else {
		snprintf(svc_name, sizeof(svc_name), "%-4s %s",
		    list_protocol_name(c->protocol), vname);
		if (c->af != AF_INET6)
			svc_name[33] = '\0';
	}
	print_service_line(f, s, svc_name, opts);

	if (!(opts & DRLB_OPT_NOSORT))
		sort_dests(s);
	for (uint32_t i = 0; i < s->e.num_dests; i++)
		print_dest_line(f, s, &s->dests[i], svc_name, opts);
}

static void
print_services(FILE *f, struct list_table *t, unsigned opts)
{
	if (!(opts & DRLB_OPT_NOSORT) && t->n > 1)
		qsort(t->svcs, t->n, sizeof(t->svcs[0]), cmp_services);
	print_title(f, opts);
	for (size_t i = 0; i < t->n; i++)
		print_service_entry(f, &t->svcs[i], opts);
}

void
list_all(FILE *f, const struct drlb_ctl_info *info, struct list_table *t,
    unsigned opts)
{
	opts &= ~FMT_RULE;
	fprintf(f, "IP Virtual Server version %d.%d.%d (size=%d)\n",
	    (int)(info->version >> 16) & 0xff, (int)(info->version >> 8) & 0xff,
	    (int)info->version & 0xff, (int)info->size);
	print_services(f, t, opts);
}

void
list_one_service(FILE *f, struct list_svc *s, unsigned opts)
{
	opts &= ~FMT_RULE;
	print_title(f, opts);
	print_service_entry(f, s, opts);
}

void
list_save(FILE *f, struct list_table *t, unsigned opts)
{
	print_services(f, t, (opts & DRLB_OPT_NUMERIC) | FMT_RULE);
}

void
list_timeout(FILE *f, const struct drlb_timeouts *to)
{
	fprintf(f, "Timeout (tcp tcpfin udp): %d %d %d\n",
	    (int)to->tcp, (int)to->tcp_fin, (int)to->udp);
}

/* ---------------------------------------------------------------- warnings */

/* Real server k of svcs[i] whose MAC could not be found, not named yet. */
static bool
unresolved_first(const struct list_svc *svcs, size_t i, uint32_t k)
{
	const struct drlb_ctl_dest_entry *e = &svcs[i].dests[k], *o;
	int af = e->conf.af ? e->conf.af : svcs[i].e.conf.af, oaf;

	if (e->mac_state != DRLB_MAC_FAILED)
		return false;
	for (size_t j = 0; j <= i; j++)
		for (uint32_t l = 0; l < svcs[j].e.num_dests; l++) {
			if (j == i && l == k)
				return true;
			o = &svcs[j].dests[l];
			oaf = o->conf.af ? o->conf.af : svcs[j].e.conf.af;
			if (o->mac_state == DRLB_MAC_FAILED && oaf == af &&
			    drlb_addr_eq((uint16_t)af, &o->conf.addr,
			    &e->conf.addr))
				return false;
		}
	return true;
}

void
list_warn_unresolved(FILE *f, const char *prog, const struct list_svc *svcs,
    size_t n)
{
	char a[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++)
		for (uint32_t k = 0; k < svcs[i].e.num_dests; k++) {
			const struct drlb_ctl_dest_entry *e = &svcs[i].dests[k];
			int af = e->conf.af ? e->conf.af : svcs[i].e.conf.af;

			if (!unresolved_first(svcs, i, k))
				continue;
			fprintf(f, "%s: warning: real server %s does not "
			    "answer %s: not scheduled (in DR a real server "
			    "must be on the director's own Ethernet segment)\n",
			    prog, drlb_addr_str(a, sizeof(a), (uint16_t)af,
			    &e->conf.addr), af == AF_INET6 ?
			    "neighbor solicitations" : "ARP");
		}
}

/* ---------------------------------------------------------------- -c */

/* the kernel's ip_vs_proto_name(), as /proc/net/ip_vs_conn shows it */
const char *
list_conn_proto_name(uint16_t proto, char *buf, size_t len)
{
	switch (proto) {
	case IPPROTO_IP:	return "IP";
	case IPPROTO_UDP:	return "UDP";
	case IPPROTO_TCP:	return "TCP";
	case IPPROTO_SCTP:	return "SCTP";
	case IPPROTO_ICMP:	return "ICMP";
	case IPPROTO_ICMPV6:	return "ICMPv6";
	default:
		snprintf(buf, len, "IP_%u", proto);
		return buf;
	}
}

/* the kernel's ip_vs_state_name() */
const char *
list_conn_state_name(const struct drlb_ctl_conn_entry *c)
{
	static const char *const tcp[] = {
		"NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT",
		"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN",
		"SYNACK",
	};
	static const char *const tpl[] = { "NONE", "ASSURED" };

	if (c->flags & LIST_CONN_F_TEMPLATE)
		return c->state < 2 ? tpl[c->state] : "ERR!";
	switch (c->protocol) {
	case IPPROTO_TCP:
		return c->state < sizeof(tcp) / sizeof(tcp[0]) ?
		    tcp[c->state] : "ERR!";
	case IPPROTO_UDP:
		return c->state == 0 ? "UDP" : "ERR!";
	default:
		return "ERR!";
	}
}

void
list_conns(FILE *f, const struct drlb_ctl_conn_entry *c, size_t n,
    unsigned opts)
{
	fputs("IPVS connection entries\n", f);
	if (opts & DRLB_OPT_PERSISTENTCONN)
		fprintf(f, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n",
		    "state", "source", "virtual", "destination",
		    "pe name", "pe_data");
	else
		fprintf(f, "pro expire %-11s %-18s %-18s %s\n",
		    "state", "source", "virtual", "destination");

	for (size_t i = 0; i < n; i++) {
		char pbuf[16], cname[64], vname[64], dname[64], expire[16];
		unsigned secs = c[i].expires_ms / 1000;
		int af = c[i].af ? c[i].af : AF_INET;

		list_addrport(cname, sizeof(cname), af, &c[i].caddr,
		    c[i].cport, c[i].protocol, opts);
		list_addrport(vname, sizeof(vname), af, &c[i].vaddr,
		    c[i].vport, c[i].protocol, opts);
		list_addrport(dname, sizeof(dname), af, &c[i].daddr,
		    c[i].dport, c[i].protocol, opts);
		snprintf(expire, sizeof(expire), "%02u:%02u", secs / 60,
		    secs % 60);
		fprintf(f, "%-3s %-6s %-11s %-18s %-18s %s\n",
		    list_conn_proto_name(c[i].protocol, pbuf, sizeof(pbuf)),
		    expire, list_conn_state_name(&c[i]), cname, vname, dname);
	}
}

/* ---------------------------------------------------------------- --daemon */

const char *
list_daemon_type(uint32_t state)
{
	return state & DRLB_DAEMON_MASTER ? "master" :
	    state & DRLB_DAEMON_BACKUP ? "backup" : NULL;
}

/* ipvsadm's list_daemon(): what the daemon reports, given values only */
void
list_daemon(FILE *f, const struct drlb_ctl_daemon *dm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *type = list_daemon_type(dm[i].state);

		if (type == NULL)
			continue;
		fprintf(f, "%s sync daemon (mcast=%.*s, syncid=%d", type,
		    (int)sizeof(dm[i].mcast_ifn), dm[i].mcast_ifn,
		    (int)dm[i].syncid);
		if (dm[i].sync_maxlen)
			fprintf(f, ", maxlen=%u", dm[i].sync_maxlen);
		if (dm[i].mcast_af == AF_INET || dm[i].mcast_af == AF_INET6) {
			char a[INET6_ADDRSTRLEN];

			if (inet_ntop(dm[i].mcast_af, dm[i].mcast_group.b, a,
			    sizeof(a)))
				fprintf(f, ", group=%s", a);
		}
		if (dm[i].mcast_port)
			fprintf(f, ", port=%u", dm[i].mcast_port);
		if (dm[i].mcast_ttl)
			fprintf(f, ", ttl=%u", dm[i].mcast_ttl);
		fprintf(f, ")\n");
	}
}
