#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "filter.h"

/* " or (ip and dst host (A or B))" for one family's VIPs, each VIP once
 * however many services it has; nothing when the family has none */
static int
vips_expr(struct svc_table *t, uint16_t af, char *buf, size_t len,
    size_t *offp)
{
	struct svc *s, *p;
	size_t off = *offp, alen = drlb_addr_len(af);
	int n = 0;

	for (s = t->head; s != NULL; s = s->next) {
		char a[INET6_ADDRSTRLEN];

		if (s->conf.af != af)
			continue;
		for (p = t->head; p != s; p = p->next)
			if (p->conf.af == af &&
			    memcmp(p->conf.addr.b, s->conf.addr.b, alen) == 0)
				break;
		if (p != s)
			continue;
		inet_ntop(af, s->conf.addr.b, a, sizeof(a));
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
		    "%s%s", n++ ? " or " : af == AF_INET6 ?
		    (off ? " or (ip6 and dst host (" : "(ip6 and dst host (") :
		    (off ? " or (ip and dst host (" : "(ip and dst host ("), a);
		if (off >= len)
			return -1;
	}
	if (n > 0)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "))");
	*offp = off;
	return off < len ? 0 : -1;
}

int
filter_expr(struct svc_table *t, enum filter_part part, char *buf, size_t len)
{
	size_t off = 0;

	if (len > 0)
		buf[0] = '\0';
	/* ARP, and its IPv6 counterpart: Neighbor Solicitations and
	 * Advertisements (ICMPv6 135/136 right after the fixed header) */
	if (part != FILTER_VIPS)
		off = (size_t)snprintf(buf, len, "arp or (icmp6 and "
		    "(ip6[40] == 135 or ip6[40] == 136))");
	if (off >= len)
		return -1;
	if (part == FILTER_NEIGH)
		return 0;
	if (vips_expr(t, AF_INET, buf, len, &off) < 0 ||
	    vips_expr(t, AF_INET6, buf, len, &off) < 0)
		return -1;
	return 0;
}

int
filter_build(struct svc_table *t, enum filter_part part,
    struct sock_fprog *prog, char *err, size_t errlen)
{
	struct bpf_program bp;
	pcap_t *p;
	char expr[8192];
	int rc = -1;

	if (filter_expr(t, part, expr, sizeof(expr)) < 0) {
		snprintf(err, errlen, "too many VIPs for one filter");
		return -1;
	}
	if (expr[0] == '\0') {
		/* no VIP yet: let nothing in ("ret #0") */
		prog->len = 1;
		if ((prog->filter = calloc(1, sizeof(*prog->filter))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		prog->filter[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
		return 0;
	}
	/* a "dead" handle: we only want the compiler, for Ethernet frames;
	 * snaplen covers a 64 KiB coalesced frame */
	if ((p = pcap_open_dead(DLT_EN10MB, 262144)) == NULL) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -1;
	}
	if (pcap_compile(p, &bp, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "pcap_compile(%s): %s", expr, pcap_geterr(p));
		goto out_close;
	}
	/* struct bpf_insn and struct sock_filter have the same layout */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct sock_filter),
	    "bpf_insn layout");
	prog->len = (unsigned short)bp.bf_len;
	prog->filter = calloc(bp.bf_len, sizeof(struct sock_filter));
	if (prog->filter == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out_free;
	}
	memcpy(prog->filter, bp.bf_insns, bp.bf_len * sizeof(struct sock_filter));
	rc = 0;
out_free:
	pcap_freecode(&bp);
out_close:
	pcap_close(p);
	return rc;
}

void
filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
