/*
 * Fuzz target: the data path (parse -> look up / schedule -> rewrite ->
 * checksum) with any frames, any offload metadata, any capture status.
 * Input: a sequence of frames, each byte 0 flags, bytes 1-10 a
 * virtio_net_hdr, bytes 11-12 the frame's length (big endian), then the
 * frame (the last one: what is left, if less).  Each input starts from an
 * empty connection table at second 1, so what a sequence reaches (a
 * handshake, a full table, expiry, a template's connections) its input
 * alone reproduces, and a committed corpus replays what the run reached.
 * Besides "no crash, no sanitizer report" it checks DR's promise: a
 * forwarded frame's IP header and ports are unchanged; and flushed at the
 * end, the table leaves no count on any real server.
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
static int ready;
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

/* one frame of the sequence */
static void
frame_one(const uint8_t *hdr, const uint8_t *data, size_t len)
{
	static uint8_t orig[65536];
	struct virtio_net_hdr *vh = NULL;
	struct dp_frame f;
	uint8_t *frame;

	/* the frame in a buffer of exactly its length, so that a read past
	 * its end is a heap overflow; the virtio_net_hdr, which the ring
	 * places just before the frame, in one of exactly its own */
	if ((frame = malloc(len)) == NULL)
		abort();
	memcpy(frame, data, len);
	memcpy(orig, data, len);
	memset(&f, 0, sizeof(f));	/* link 0, the only one */
	if (hdr[0] & 0x04) {
		if ((vh = malloc(sizeof(*vh))) == NULL)
			abort();
		memcpy(vh, hdr + 1, sizeof(*vh));
	}
	f.data = frame;
	f.len = (uint32_t)len;
	f.wire_len = (uint32_t)len + ((hdr[0] & 0x10) ? 1 : 0);
	f.flags = (hdr[0] & 0x01 ? DP_FRAME_CSUM_PARTIAL : 0) |
	    (hdr[0] & 0x02 ? DP_FRAME_VLAN : 0);
	f.vnet = vh;
	dp.sloppy_tcp = (hdr[0] & 0x08) != 0;
	dp.now += hdr[0] >> 5;		/* time passes: expiry runs too */
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
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		setup();
		ready = 1;
	}
	/* small, as the daemon binds it (a full table reclaims half-open
	 * connections) */
	if ((ct = conn_table_create(16)) == NULL)
		abort();
	conn_table_bind(ct, &st);
	dp_init(&dp, mac, 1500, &st, ct);
	dp.now = 1;
	while (size >= 13) {
		size_t len = (size_t)data[11] << 8 | data[12];

		if (len > size - 13)
			len = size - 13;
		frame_one(data, data + 13, len);
		data += 13 + len;
		size -= 13 + len;
	}
	conn_flush(ct, &st);
	conn_table_destroy(ct);
	for (struct svc *s = st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (s->dests[i]->activeconns != 0 ||
			    s->dests[i]->inactconns != 0 ||
			    s->dests[i]->persistconns != 0 ||
			    s->dests[i]->refcnt != 1)
				abort();
	return 0;
}
