/*
 * Fuzz target: the data path (parse -> look up / schedule -> rewrite ->
 * checksum) with any frame, any offload metadata, any capture status.
 * Input: byte 0 flags, bytes 1-10 a virtio_net_hdr, the rest the frame.
 * Besides "no crash, no sanitizer report" it checks DR's promise: a
 * forwarded frame's IP header and ports are unchanged.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "sched.h"
#include "fuzz.h"

static struct svc_table st;
static struct conn_table *ct;
static struct dp dp;
static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void
add(uint16_t op, uint16_t proto, const char *vip, uint16_t port,
    const char *sched, uint32_t flags, const char *rip)
{
	struct drlb_ctl_req r;
	char err[256];
	uint16_t af = strchr(vip, ':') ? AF_INET6 : AF_INET;

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = proto;
	inet_pton(af, vip, &r.svc.addr);
	r.svc.port = port;
	strcpy(r.svc.sched_name, sched);
	r.svc.flags = flags;
	r.svc.timeout = 60;
	r.svc.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	if (rip) {
		r.dest.af = af;
		inet_pton(af, rip, &r.dest.addr);
		r.dest.port = port;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	if (svc_apply(&st, op, &r, err, sizeof(err)) != 0)
		abort();
}

static void
setup(void)
{
	svc_table_init(&st);
	ct = conn_table_create(64);	/* small: the full-table path too */
	dp_init(&dp, mac, 1500, &st, ct);
	dp.now = 1;
	add(DRLB_CTL_ADD_SVC, IPPROTO_TCP, "198.18.0.1", 80, "wrr", 0, NULL);
	add(DRLB_CTL_ADD_DEST, IPPROTO_TCP, "198.18.0.1", 80, "wrr", 0, "198.18.0.7");
	add(DRLB_CTL_ADD_DEST, IPPROTO_TCP, "198.18.0.1", 80, "wrr", 0, "198.18.0.8");
	add(DRLB_CTL_ADD_SVC, IPPROTO_UDP, "198.18.0.1", 53, "wlc", 0, NULL);
	add(DRLB_CTL_ADD_DEST, IPPROTO_UDP, "198.18.0.1", 53, "wlc", 0, "198.18.0.7");
	add(DRLB_CTL_ADD_SVC, IPPROTO_TCP, "198.18.0.3", 0, "rr",
	    DRLB_SVC_F_PERSISTENT, NULL);
	add(DRLB_CTL_ADD_DEST, IPPROTO_TCP, "198.18.0.3", 0, "rr",
	    DRLB_SVC_F_PERSISTENT, "198.18.0.8");
	add(DRLB_CTL_ADD_SVC, IPPROTO_TCP, "2001:db8::1", 80, "sh", 0, NULL);
	add(DRLB_CTL_ADD_DEST, IPPROTO_TCP, "2001:db8::1", 80, "sh", 0, "2001:db8::7");
	add(DRLB_CTL_ADD_DEST, IPPROTO_TCP, "2001:db8::1", 80, "sh", 0, "2001:db8::8");
	add(DRLB_CTL_ADD_SVC, IPPROTO_UDP, "2001:db8::1", 53, "mh", 0, NULL);
	add(DRLB_CTL_ADD_DEST, IPPROTO_UDP, "2001:db8::1", 53, "mh", 0, "2001:db8::7");
	for (struct svc *s = st.head; s; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			struct dest *d = s->dests[i];
			d->mac[5] = d->conf.addr.b[3];
			d->mac_state = DRLB_MAC_RESOLVED;
			d->flags &= ~DEST_F_NOMAC;
			sched_dest_load_changed(d);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t orig[70000];
	struct virtio_net_hdr *vh = NULL;
	struct dp_frame f;
	uint8_t *frame;
	size_t len;

	if (ct == NULL)
		setup();
	if (size < 11 || size - 11 > sizeof(orig))
		return 0;
	len = size - 11;
	/* the frame in a buffer of exactly its length, so that a read past
	 * its end is a heap overflow; the virtio_net_hdr, which the ring
	 * places just before the frame, in one of exactly its own */
	if ((frame = malloc(len)) == NULL)
		abort();
	memcpy(frame, data + 11, len);
	memcpy(orig, data + 11, len);
	if (data[0] & 0x04) {
		if ((vh = malloc(sizeof(*vh))) == NULL)
			abort();
		memcpy(vh, data + 1, sizeof(*vh));
	}
	f.data = frame;
	f.len = (uint32_t)len;
	f.wire_len = (uint32_t)len + ((data[0] & 0x10) ? 1 : 0);
	f.flags = (data[0] & 0x01 ? DP_FRAME_CSUM_PARTIAL : 0) |
	    (data[0] & 0x02 ? DP_FRAME_VLAN : 0);
	f.vnet = vh;
	dp.sloppy_tcp = (data[0] & 0x08) != 0;
	dp.now += data[0] >> 5;		/* time passes: expiry runs too */
	conn_expire(ct, &st, dp.now, 64);

	if (dp_process(&dp, &f) == DP_FORWARD) {
		/* only the Ethernet addresses (and an L4 checksum) change:
		 * the IPv4 header and ports, or the IPv6 header */
		uint32_t ihl = (orig[14] >> 4) == 6 ? 40 :
		    (uint32_t)(orig[14] & 0x0f) * 4;
		uint32_t ports = (orig[14] >> 4) == 6 ? 0 : 4;

		if (f.len > len || memcmp(frame + 12, orig + 12, 2) != 0 ||
		    memcmp(frame + 14, orig + 14, ihl) != 0 ||
		    memcmp(frame + 14 + ihl, orig + 14 + ihl, ports) != 0)
			abort();
	}
	free(vh);
	free(frame);
	return 0;
}
