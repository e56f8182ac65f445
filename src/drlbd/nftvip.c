/*
 * The VIPs' frames kept from the kernel's IP layer; see nftvip.h.
 *
 * The table, in nft's words:
 *   table netdev NAME {
 *     set vip4 { type ipv4_addr; }
 *     set vip6 { type ipv6_addr; }
 *     chain ingress_IF {		(one per interface)
 *       type filter hook ingress device IF priority -500; policy accept;
 *       meta protocol ip ip daddr @vip4 drop
 *       meta protocol ip6 ip6 daddr @vip6 drop
 *     }
 *   }
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nftvip.h"

#define PRIO		(-500)	/* before anything a host's own rules hook */
#define TYPE_IPADDR	7	/* nft's ipv4_addr */
#define TYPE_IP6ADDR	8	/* nft's ipv6_addr */
#define BATCH_BYTES	(256 * 1024)

struct nftvip {
	struct mnl_socket *nl;
	uint32_t portid, seq;
	char table[64];
	char ifname[NFTVIP_IFS_MAX][32];
	unsigned nif;
	char buf[BATCH_BYTES];
	struct mnl_nlmsg_batch *b;
	unsigned msgs;			/* in the batch, each acknowledged */
};

static void
batch_start(struct nftvip *n)
{
	n->b = mnl_nlmsg_batch_start(n->buf, sizeof(n->buf));
	n->msgs = 0;
	nftnl_batch_begin(mnl_nlmsg_batch_current(n->b), n->seq++);
	mnl_nlmsg_batch_next(n->b);
}

static struct nlmsghdr *
msg(struct nftvip *n, uint16_t type, uint16_t flags)
{
	n->msgs++;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(n->b), type,
	    NFPROTO_NETDEV, flags | NLM_F_ACK, n->seq++);
}

/* Send the batch and read one answer per message: 0, or -1 with errno the
 * first refusal's. */
static int
batch_commit(struct nftvip *n)
{
	char rb[MNL_SOCKET_BUFFER_SIZE];
	unsigned acks = 0;
	int err = 0;

	nftnl_batch_end(mnl_nlmsg_batch_current(n->b), n->seq++);
	mnl_nlmsg_batch_next(n->b);
	if (mnl_socket_sendto(n->nl, mnl_nlmsg_batch_head(n->b),
	    mnl_nlmsg_batch_size(n->b)) < 0)
		return -1;
	while (acks < n->msgs) {
		ssize_t len = mnl_socket_recvfrom(n->nl, rb, sizeof(rb));
		const struct nlmsghdr *h = (const struct nlmsghdr *)rb;

		if (len < 0)
			return -1;	/* EAGAIN: no answer within the timeout */
		for (; mnl_nlmsg_ok(h, (int)len); h = mnl_nlmsg_next(h,
		    (int *)&len)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = mnl_nlmsg_get_payload(h);
			acks++;
			/* a refused message aborts the batch: the kernel
			 * answers only for it */
			if (e->error != 0) {
				err = -e->error;
				acks = n->msgs;
			}
		}
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

struct nftvip *
nftvip_open(const char *const *ifnames, unsigned nif, char *errbuf,
    size_t errlen)
{
	struct timeval tv = { .tv_sec = 2 };
	struct nftvip *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < nif && i < NFTVIP_IFS_MAX; i++)
		snprintf(n->ifname[i], sizeof(n->ifname[i]), "%s", ifnames[i]);
	n->nif = nif < NFTVIP_IFS_MAX ? nif : NFTVIP_IFS_MAX;
	snprintf(n->table, sizeof(n->table), "drlbd_%s", ifnames[0]);
	if ((n->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL ||
	    mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(errbuf, errlen, "nftables' netlink socket: %s",
		    strerror(errno));
		if (n->nl != NULL)
			mnl_socket_close(n->nl);
		free(n);
		return NULL;
	}
	setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv));
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (uint32_t)time(NULL);
	return n;
}

const char *
nftvip_table(const struct nftvip *n)
{
	return n->table;
}

static void
add_table(struct nftvip *n, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, n->table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_NETDEV);
	nftnl_table_nlmsg_build_payload(msg(n, type,
	    type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0), t);
	mnl_nlmsg_batch_next(n->b);
	nftnl_table_free(t);
}

static void
add_set(struct nftvip *n, const char *name, uint32_t id, uint32_t type,
    uint32_t len)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, n->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, len);
	nftnl_set_nlmsg_build_payload(msg(n, NFT_MSG_NEWSET,
	    NLM_F_CREATE), s);
	mnl_nlmsg_batch_next(n->b);
	nftnl_set_free(s);
}

/* in chain: meta protocol PROTO  NETWORK[off, len] @set  drop */
static void
add_rule(struct nftvip *n, const char *chain, uint16_t proto, uint32_t off,
    uint32_t len, const char *set, uint32_t set_id)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	uint16_t p = htons(proto);

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, n->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_NETDEV);
	e = nftnl_expr_alloc("meta");
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_PROTOCOL);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &p, sizeof(p));
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("payload");
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
	    NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	nftnl_rule_add_expr(r, e);
	nftnl_rule_nlmsg_build_payload(msg(n, NFT_MSG_NEWRULE,
	    NLM_F_CREATE | NLM_F_APPEND), r);
	mnl_nlmsg_batch_next(n->b);
	nftnl_rule_free(r);
}

int
nftvip_install(struct nftvip *n, char *errbuf, size_t errlen)
{
	struct nftnl_chain *c;

	/* a table a drlbd that died left behind: replaced (gone is fine) */
	batch_start(n);
	add_table(n, NFT_MSG_DELTABLE);
	if (batch_commit(n) < 0 && errno != ENOENT)
		goto fail;

	batch_start(n);
	add_table(n, NFT_MSG_NEWTABLE);
	add_set(n, "vip4", 1, TYPE_IPADDR, 4);
	add_set(n, "vip6", 2, TYPE_IP6ADDR, 16);
	for (unsigned i = 0; i < n->nif; i++) {
		char chain[48];

		snprintf(chain, sizeof(chain), "ingress_%s", n->ifname[i]);
		c = nftnl_chain_alloc();
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, n->table);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_NETDEV);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, PRIO);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_str(c, NFTNL_CHAIN_DEV, n->ifname[i]);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nftnl_chain_nlmsg_build_payload(msg(n, NFT_MSG_NEWCHAIN,
		    NLM_F_CREATE), c);
		mnl_nlmsg_batch_next(n->b);
		nftnl_chain_free(c);
		/* IPv4: the destination at 16; IPv6: at 24 */
		add_rule(n, chain, ETH_P_IP, 16, 4, "vip4", 1);
		add_rule(n, chain, ETH_P_IPV6, 24, 16, "vip6", 2);
	}
	if (batch_commit(n) < 0)
		goto fail;
	return 0;
fail:
	snprintf(errbuf, errlen, "nftables table netdev %s (ingress of %s%s): %s",
	    n->table, n->ifname[0], n->nif > 1 ? ", ..." : "", strerror(errno));
	return -1;
}

/* flush set NAME, then add the addresses of family af from v[] */
static void
set_elems(struct nftvip *n, const char *name, uint16_t af,
    const struct nftvip_addr *v, size_t nv)
{
	struct nftnl_set *s = nftnl_set_alloc();
	size_t k = 0;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, n->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_NETDEV);
	/* no elements: the whole set */
	nftnl_set_elems_nlmsg_build_payload(msg(n, NFT_MSG_DELSETELEM, 0), s);
	mnl_nlmsg_batch_next(n->b);
	for (size_t i = 0; i < nv; i++) {
		struct nftnl_set_elem *e;

		if (v[i].af != af)
			continue;
		e = nftnl_set_elem_alloc();
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, v[i].addr,
		    af == AF_INET6 ? 16 : 4);
		nftnl_set_elem_add(s, e);
		k++;
	}
	if (k > 0) {
		nftnl_set_elems_nlmsg_build_payload(msg(n, NFT_MSG_NEWSETELEM,
		    NLM_F_CREATE), s);
		mnl_nlmsg_batch_next(n->b);
	}
	nftnl_set_free(s);
}

int
nftvip_set(struct nftvip *n, const struct nftvip_addr *v, size_t nv,
    char *errbuf, size_t errlen)
{
	/* one batch: the kernel applies it whole or not at all */
	batch_start(n);
	set_elems(n, "vip4", AF_INET, v, nv);
	set_elems(n, "vip6", AF_INET6, v, nv);
	if (batch_commit(n) < 0) {
		snprintf(errbuf, errlen, "nftables set of %s: %s", n->table,
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
nftvip_close(struct nftvip *n, int remove)
{
	if (n == NULL)
		return;
	if (remove) {
		batch_start(n);
		add_table(n, NFT_MSG_DELTABLE);
		(void)batch_commit(n);
	}
	mnl_socket_close(n->nl);
	free(n);
}
