#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

int
filter_expr(struct svc_table *t, char *buf, size_t len)
{
	struct svc *s, *p;
	size_t off;
	int n = 0;

	off = (size_t)snprintf(buf, len, "arp");
	for (s = t->head; s != NULL; s = s->next) {
		char a[INET6_ADDRSTRLEN];

		if (s->conf.af != AF_INET)
			continue;
		/* each VIP once, however many services it has */
		for (p = t->head; p != s; p = p->next)
			if (p->conf.af == AF_INET &&
			    p->conf.addr.in.s_addr == s->conf.addr.in.s_addr)
				break;
		if (p != s)
			continue;
		inet_ntop(AF_INET, &s->conf.addr.in, a, sizeof(a));
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
		    "%s%s", n++ ? " or " : " or (ip and dst host (", a);
		if (off >= len)
			return -1;
	}
	if (n > 0)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "))");
	return off < len ? 0 : -1;
}

int
filter_build(struct svc_table *t, struct sock_fprog *prog, char *err,
    size_t errlen)
{
	struct bpf_program bp;
	pcap_t *p;
	char expr[8192];
	int rc = -1;

	if (filter_expr(t, expr, sizeof(expr)) < 0) {
		snprintf(err, errlen, "too many VIPs for one filter");
		return -1;
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
