/*
 * The announced VIPs' routes; see rtvip.h.
 *
 * One route, in ip's words:
 *   ip route replace VIP/32 dev drlb-IF table T proto static scope link
 * (proto static: BIRD's "learn" and FRR's import-table take it; the kernel's
 * own routes, proto kernel, they skip by default.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "rtvip.h"

struct rtvip {
	struct mnl_socket *nl;
	uint32_t portid, seq;
	uint32_t table;
	int ifindex;
};

struct rtvip *
rtvip_open(uint32_t table, int ifindex, char *errbuf, size_t errlen)
{
	struct timeval tv = { .tv_sec = 2 };
	struct rtvip *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	r->table = table;
	r->ifindex = ifindex;
	if ((r->nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(errbuf, errlen, "rtnetlink socket: %s",
		    strerror(errno));
		if (r->nl != NULL)
			mnl_socket_close(r->nl);
		free(r);
		return NULL;
	}
	setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv));
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (uint32_t)time(NULL);
	return r;
}

int
rtvip_route(struct rtvip *r, int add, uint16_t af, const uint8_t *addr,
    char *errbuf, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct rtmsg *rt;
	char a[INET6_ADDRSTRLEN];
	uint32_t seq = r->seq++;
	ssize_t len;
	int err;

	h->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	h->nlmsg_seq = seq;
	rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
	rt->rtm_family = (uint8_t)af;
	rt->rtm_dst_len = af == AF_INET6 ? 128 : 32;
	rt->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = RT_SCOPE_LINK;
	rt->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_DST, af == AF_INET6 ? 16 : 4, addr);
	mnl_attr_put_u32(h, RTA_TABLE, r->table);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)r->ifindex);
	if (mnl_socket_sendto(r->nl, h, h->nlmsg_len) < 0)
		goto fail;
	/* the answer to this request (an earlier one's that timed out may
	 * come first) */
	errno = EIO;
	while ((len = mnl_socket_recvfrom(r->nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *ans = (const struct nlmsghdr *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(ans, left); ans = mnl_nlmsg_next(ans,
		    &left)) {
			const struct nlmsgerr *e;

			if (ans->nlmsg_type != NLMSG_ERROR ||
			    ans->nlmsg_seq != seq)
				continue;
			e = mnl_nlmsg_get_payload(ans);
			err = -e->error;
			/* gone already: what removing wanted */
			if (!add && err == ESRCH)
				err = 0;
			if (err == 0)
				return 0;
			errno = err;
			goto fail;
		}
	}
fail:
	err = errno;
	inet_ntop(af, addr, a, sizeof(a));
	snprintf(errbuf, errlen, "route %s %s/%d table %u: %s", add ? "add" :
	    "del", a, af == AF_INET6 ? 128 : 32, r->table, strerror(err));
	errno = err;
	return -1;
}

void
rtvip_close(struct rtvip *r)
{
	if (r == NULL)
		return;
	mnl_socket_close(r->nl);
	free(r);
}
