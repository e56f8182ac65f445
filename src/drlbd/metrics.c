/*
 * Prometheus metrics: rendering and the textfile writer.  See metrics.h;
 * the HTTP responder is metrics_http.c.
 *
 * Names follow Prometheus's conventions: a drlb_ prefix, base units
 * (bytes, seconds), _total on counters, one family per meaning with the
 * variable part in labels (drlb_frames_dropped_total{reason="no_dest"}).
 * Services carry protocol, vip, port; real servers add rip, rport.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "drlb/addr.h"
#include "metrics.h"

/* ------------------------------------------------------------ text buffer */

struct mbuf {
	char *p;
	size_t len, cap;
	int failed;
};

static void mb_printf(struct mbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
mb_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (int tries = 0; tries < 2; tries++) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		/* grow to fit, then print again (once) */
		size_t cap = b->cap * 2 + (size_t)n;
		char *np;

		if (cap > DRLB_CTL_MAX_REPLY || (np = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	b->failed = 1;
}

/* ------------------------------------------------------------ rendering */

char *
metrics_escape_label(const char *v, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (; *v != '\0'; v++) {
		const char *rep = NULL;
		size_t rl = 1;

		if (*v == '\\')
			rep = "\\\\";
		else if (*v == '"')
			rep = "\\\"";
		else if (*v == '\n')
			rep = "\\n";
		if (rep != NULL)
			rl = 2;
		if (o + rl >= outlen)
			break;
		if (rep != NULL)
			memcpy(out + o, rep, rl);
		else
			out[o] = *v;
		o += rl;
	}
	out[o] = '\0';
	return out;
}

static const char *
proto_name(uint16_t p)
{
	return p == IPPROTO_TCP ? "TCP" : p == IPPROTO_UDP ? "UDP" : "other";
}

/* protocol="TCP",vip="198.18.0.1",port="80" */
static void
svc_labels(const struct svc *s, char *out, size_t outlen)
{
	char a[INET6_ADDRSTRLEN], ea[2 * INET6_ADDRSTRLEN];

	if (inet_ntop(s->conf.af, &s->conf.addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(out, outlen, "protocol=\"%s\",vip=\"%s\",port=\"%u\"",
	    proto_name(s->conf.protocol),
	    metrics_escape_label(a, ea, sizeof(ea)), s->conf.port);
}

static void
dest_labels(const struct svc *s, const struct dest *d, char *out,
    size_t outlen)
{
	char sl[256], a[INET6_ADDRSTRLEN], ea[2 * INET6_ADDRSTRLEN];

	svc_labels(s, sl, sizeof(sl));
	if (inet_ntop(d->conf.af, &d->conf.addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(out, outlen, "%s,rip=\"%s\",rport=\"%u\"", sl,
	    metrics_escape_label(a, ea, sizeof(ea)), d->conf.port);
}

static void
family(struct mbuf *b, const char *name, const char *type, const char *help)
{
	mb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What one family shows of a service or a real server. */
enum what {
	W_CONNS, W_INPKTS, W_INBYTES, W_CPS, W_INPPS, W_INBPS,
	W_ACTIVE, W_INACTIVE, W_PERSIST, W_WEIGHT, W_UP, W_ARP_FAILED,
};

static uint64_t
svc_value(const struct svc *s, enum what w)
{
	switch (w) {
	case W_CONNS:	return s->stats.conns;
	case W_INPKTS:	return s->stats.inpkts;
	case W_INBYTES:	return s->stats.inbytes;
	case W_CPS:	return s->rates.cps;
	case W_INPPS:	return s->rates.inpps;
	case W_INBPS:	return s->rates.inbps;
	default:	return 0;
	}
}

static uint64_t
dest_value(const struct dest *d, enum what w)
{
	switch (w) {
	case W_CONNS:	return d->stats.conns;
	case W_INPKTS:	return d->stats.inpkts;
	case W_INBYTES:	return d->stats.inbytes;
	case W_CPS:	return d->rates.cps;
	case W_INPPS:	return d->rates.inpps;
	case W_INBPS:	return d->rates.inbps;
	case W_ACTIVE:	return d->activeconns;
	case W_INACTIVE: return d->inactconns;
	case W_PERSIST:	return d->persistconns;
	case W_WEIGHT:	return (uint64_t)(d->conf.weight < 0 ? 0 : d->conf.weight);
	/* up: its MAC is known and the schedulers may pick it */
	case W_UP:	return d->mac_state == DRLB_MAC_RESOLVED && dest_usable(d);
	case W_ARP_FAILED: return d->mac_state == DRLB_MAC_FAILED;
	}
	return 0;
}

static const struct {
	const char *suffix, *type, *help;
	enum what w;
	int svc;			/* also per service */
} fam[] = {
	{ "connections_total", "counter",
	  "Connections scheduled (ipvsadm --stats Conns).", W_CONNS, 1 },
	{ "packets_in_total", "counter",
	  "Packets from clients forwarded (InPkts; DR sees no replies).", W_INPKTS, 1 },
	{ "bytes_in_total", "counter",
	  "IP bytes from clients forwarded (InBytes).", W_INBYTES, 1 },
	{ "connections_per_second", "gauge",
	  "New connections per second, IPVS's 2 s estimator smoothed over about 8 s (CPS).", W_CPS, 1 },
	{ "packets_in_per_second", "gauge",
	  "Packets from clients per second, IPVS's estimator (InPPS).", W_INPPS, 1 },
	{ "bytes_in_per_second", "gauge",
	  "Bytes from clients per second, IPVS's estimator (InBPS).", W_INBPS, 1 },
	{ "active_connections", "gauge",
	  "TCP connections in SYN_SENT, SYN_RECV, ESTABLISHED or SYNACK "
	  "(ActiveConn).", W_ACTIVE, 0 },
	{ "inactive_connections", "gauge",
	  "Connections in any other state, and UDP flows (InActConn).",
	  W_INACTIVE, 0 },
	{ "persistent_connections", "gauge",
	  "Persistence templates (PersistConn).", W_PERSIST, 0 },
	{ "weight", "gauge",
	  "Configured weight (-w).", W_WEIGHT, 0 },
	{ "up", "gauge",
	  "1 when the real server's MAC is resolved and it may be scheduled "
	  "(not overloaded), else 0.", W_UP, 0 },
	{ "arp_failed", "gauge",
	  "1 when the real server answers neither ARP nor neighbor "
	  "solicitations: not scheduled (in DR it must be on the director's "
	  "own Ethernet segment), else 0.", W_ARP_FAILED, 0 },
};

/* Each of g's counters that is a family of its own (not a drop reason). */
static void
counters(struct mbuf *b, const struct counter_group *g, const void *base)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct counter_desc *c = &g->c[i];

		if (c->metric == NULL)
			continue;
		family(b, c->metric, "counter", c->help);
		mb_printf(b, "%s %llu\n", c->metric,
		    (unsigned long long)counter_value(c, base));
	}
}

char *
metrics_render(const struct metrics_input *in, uint32_t *len)
{
	struct mbuf b = { .cap = 16384 };
	char name[96], lab[512];

	if ((b.p = malloc(b.cap)) == NULL)
		return NULL;
	b.p[0] = '\0';

	/* per service, then per real server, one family at a time */
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		if (!fam[f].svc)
			continue;
		snprintf(name, sizeof(name), "drlb_service_%s", fam[f].suffix);
		family(&b, name, fam[f].type, fam[f].help);
		for (const struct svc *s = in->svcs->head; s != NULL; s = s->next) {
			svc_labels(s, lab, sizeof(lab));
			mb_printf(&b, "%s{%s} %llu\n", name, lab,
			    (unsigned long long)svc_value(s, fam[f].w));
		}
	}
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		snprintf(name, sizeof(name), "drlb_realserver_%s", fam[f].suffix);
		family(&b, name, fam[f].type, fam[f].help);
		for (const struct svc *s = in->svcs->head; s != NULL; s = s->next)
			for (uint32_t i = 0; i < s->ndests; i++) {
				const struct dest *d = s->dests[i];

				dest_labels(s, d, lab, sizeof(lab));
				mb_printf(&b, "%s{%s} %llu\n", name, lab,
				    (unsigned long long)dest_value(d, fam[f].w));
			}
	}

	family(&b, "drlb_services", "gauge", "Virtual services configured.");
	mb_printf(&b, "drlb_services %u\n", in->svcs->count);
	family(&b, "drlb_connection_table_entries", "gauge",
	    "Connections (and persistence templates) in the table.");
	mb_printf(&b, "drlb_connection_table_entries %u\n", in->conns);
	family(&b, "drlb_connection_table_entries_limit", "gauge",
	    "Bound of the connection table (--max-conns); new flows beyond it are dropped.");
	mb_printf(&b, "drlb_connection_table_entries_limit %u\n", in->conns_max);
	family(&b, "drlb_connections_reclaimed_total", "counter",
	    "Half-open connections that gave their place to a new flow in a full table (SYN-flood defence).");
	mb_printf(&b, "drlb_connections_reclaimed_total %llu\n",
	    (unsigned long long)in->conns_reclaimed);

	counters(&b, &counters_dp, in->dp);
	family(&b, "drlb_frames_dropped_total", "counter",
	    "Frames not forwarded, by reason (README: What happens to which frame).");
	for (size_t i = 0; i < counters_dp.n; i++) {
		const struct counter_desc *c = &counters_dp.c[i];

		if (c->reason != NULL)
			mb_printf(&b, "drlb_frames_dropped_total{reason=\"%s\"} %llu\n",
			    c->reason, (unsigned long long)counter_value(c, in->dp));
	}
	if (in->io != NULL)
		counters(&b, &counters_io, in->io);
	if (in->arp != NULL)
		counters(&b, &counters_arp, in->arp);
	if (in->ndp != NULL)
		counters(&b, &counters_ndp, in->ndp);
	family(&b, "drlb_vip_claims_total", "counter",
	    "Frames in which another MAC claimed a VIP (the ARP problem), by MAC and the last VIP it claimed.");
	for (size_t i = 0; i < in->nclaimers; i++) {
		const struct neigh_claimer *c = &in->claimers[i];
		char a[64];

		drlb_addr_str(a, sizeof(a), in->claimer_af[i], &c->vip);
		mb_printf(&b, "drlb_vip_claims_total{mac=\"%02x:%02x:%02x:%02x:%02x:%02x\","
		    "vip=\"%s\"} %llu\n", c->mac[0], c->mac[1], c->mac[2],
		    c->mac[3], c->mac[4], c->mac[5], a,
		    (unsigned long long)c->claims);
	}

	if (b.failed || b.len > UINT32_MAX) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	*len = (uint32_t)b.len;
	return b.p;
}

/* ------------------------------------------------------------ textfile */

int
metrics_write_file(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd, e;

	/* node_exporter reads only *.prom: the .tmp is never half-read */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail_unlink;
		off += (size_t)w;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	if (rename(tmp, path) < 0) {
		fd = -1;
		goto fail_unlink;
	}
	return 0;
fail_unlink:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}
