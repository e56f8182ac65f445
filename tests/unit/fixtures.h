/*
 * The recipe's rules, connections and frames, built by hand for the unit
 * tests and the benches: a service on TCP 198.18.0.1:port (-M /32 unless
 * persistent), real servers 198.18.0.N on the service's port (DR), the
 * client 198.18.0.100, and the MACs of the director, the client and the
 * real servers .7 and .8.  Every helper is static inline: a test that uses
 * some of them compiles without warnings about the others.
 */
#ifndef DRLB_TEST_FIXTURES_H
#define DRLB_TEST_FIXTURES_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "sched.h"
#include "svc.h"

static const uint8_t FX_MAC_DIR[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t FX_MAC_CLI[6] = { 0x02, 0, 0, 0, 0, 0x64 };
static const uint8_t FX_MAC_RS1[6] = { 0x02, 0, 0, 0, 0, 0x07 };
static const uint8_t FX_MAC_RS2[6] = { 0x02, 0, 0, 0, 0, 0x08 };

/* a dotted quad in network byte order */
static inline uint32_t
fx_ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* proto 198.18.0.1:port -s sched (NULL: none), -M /32; with rip > 0 also
 * the real server 198.18.0.<rip> of weight weight */
static inline struct drlb_ctl_req
fx_req(uint16_t proto, uint16_t port, const char *sched, int rip, int weight)
{
	struct drlb_ctl_req r;

	memset(&r, 0, sizeof(r));
	r.svc.af = AF_INET;
	r.svc.protocol = proto;
	r.svc.addr.in.s_addr = fx_ip4("198.18.0.1");
	r.svc.port = port;
	r.svc.netmask = 0xffffffffu;
	if (sched != NULL)
		snprintf(r.svc.sched_name, sizeof(r.svc.sched_name), "%s",
		    sched);
	if (rip > 0) {
		r.dest.af = AF_INET;
		r.dest.addr.in.s_addr = htonl(0xc6120000u | (uint32_t)rip);
		r.dest.port = port;
		r.dest.weight = weight;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	return r;
}

/* svc_apply; a refusal is said on a "#" line (TAP's comment) */
static inline int
fx_apply(struct svc_table *st, uint16_t op, const struct drlb_ctl_req *r)
{
	char err[DRLB_CTL_ERRMSG_MAX];
	int e = svc_apply(st, op, r, err, sizeof(err));

	if (e != 0)
		printf("# svc_apply(%u): %d %s\n", op, e, err);
	return e;
}

/* -A/-E/-D -t 198.18.0.1:port -s sched */
static inline int
fx_svc(struct svc_table *st, uint16_t op, uint16_t port, const char *sched)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, port, sched, 0, 0);

	return fx_apply(st, op, &r);
}

/* the same, persistent: -p timeout -M netmask (network byte order) */
static inline int
fx_svc_persist(struct svc_table *st, uint16_t op, uint16_t port,
    const char *sched, uint32_t timeout, uint32_t netmask)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, port, sched, 0, 0);

	r.svc.flags = DRLB_SVC_F_PERSISTENT;
	r.svc.timeout = timeout;
	r.svc.netmask = netmask;
	return fx_apply(st, op, &r);
}

/* -a/-e/-d -t 198.18.0.1:port -r 198.18.0.<rip> -g -w weight */
static inline int
fx_dest(struct svc_table *st, uint16_t op, uint16_t port, int rip,
    int weight)
{
	struct drlb_ctl_req r = fx_req(IPPROTO_TCP, port, NULL, rip, weight);

	return fx_apply(st, op, &r);
}

/* the real server 198.18.0.<last> of s; none when s is NULL */
static inline struct dest *
fx_svc_dest(const struct svc *s, int last)
{
	for (uint32_t i = 0; s != NULL && i < s->ndests; i++)
		if (s->dests[i]->conf.addr.b[3] == last)
			return s->dests[i];
	return NULL;
}

/* the real server 198.18.0.<last> of the service on port */
static inline struct dest *
fx_dest_find(struct svc_table *st, uint16_t port, int last)
{
	struct dest *d;

	for (struct svc *s = st->head; s; s = s->next)
		if (s->conf.port == port && (d = fx_svc_dest(s, last)) != NULL)
			return d;
	return NULL;
}

/* what arp.c does when the real server answers: its MAC (when mac is not
 * NULL) known, the dest usable, its scheduler told */
static inline void
fx_resolve(struct dest *d, const uint8_t *mac)
{
	if (mac != NULL)
		memcpy(d->mac, mac, 6);
	d->mac_state = DRLB_MAC_RESOLVED;
	d->flags &= ~DEST_F_NOMAC;
	sched_dest_load_changed(d);
}

/* TCP 198.18.0.100:cport -> 198.18.0.1:vport */
static inline struct conn_key
fx_key(uint16_t vport, uint16_t cport)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	k.caddr.in.s_addr = fx_ip4("198.18.0.100");
	k.vaddr.in.s_addr = fx_ip4("198.18.0.1");
	k.cport = htons(cport);
	k.vport = htons(vport);
	return k;
}

/*
 * Ethernet from the client's MAC to dst, IPv4 (DF, TTL 64, no checksum)
 * from src to dstip (network byte order), TCP with tcpflags or UDP (any
 * other proto: 8 bytes of zeros), then payload bytes of a pattern; into f,
 * which must hold them.  Returns the frame's length.
 */
static inline uint32_t
fx_frame4(uint8_t *f, const uint8_t *dst, uint32_t src, uint16_t sport,
    uint32_t dstip, uint16_t dport, uint8_t proto, uint8_t tcpflags,
    uint32_t payload)
{
	uint32_t l4 = proto == IPPROTO_TCP ? 20 : 8;
	uint32_t iplen = 20 + l4 + payload;
	uint8_t *ip = f + 14;

	memset(f, 0, 14 + iplen);
	memcpy(f, dst, 6);
	memcpy(f + 6, FX_MAC_CLI, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(iplen >> 8);
	ip[3] = (uint8_t)iplen;
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dstip, 4);
	ip[20] = (uint8_t)(sport >> 8);
	ip[21] = (uint8_t)sport;
	ip[22] = (uint8_t)(dport >> 8);
	ip[23] = (uint8_t)dport;
	if (proto == IPPROTO_TCP) {
		ip[32] = 5 << 4;
		ip[33] = tcpflags;
	} else if (proto == IPPROTO_UDP) {
		ip[24] = (uint8_t)((8 + payload) >> 8);
		ip[25] = (uint8_t)(8 + payload);
	}
	for (uint32_t i = 0; i < payload; i++)
		ip[20 + l4 + i] = (uint8_t)(i * 7);
	return 14 + iplen;
}

#endif
