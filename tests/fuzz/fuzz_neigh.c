/*
 * Fuzz target: ARP and IPv6 neighbor discovery as frames from the segment
 * reach them.  Each input is one frame, handed to dp_process in a buffer of
 * exactly its size, with a dp (ARP and ND only, as the main thread's beside
 * workers) whose arp_input and ndp_input are real arp.c and ndp.c objects
 * (arp_create/ndp_create) sending into a recorder; the neighbour table
 * behind them updates real services' dests, live and in the trash.
 *
 * The Ethernet destination, which neither arp.c nor ndp.c reads, steers
 * the rest: the locally-administered bit (0x02) of its first byte says
 * whether we own the VIPs (--arp on/off; set in broadcast, IPv6 multicast
 * and the seeds' MACs alike), its 0x04 bit --mac-flap hold (set in
 * broadcast) or follow, its second byte how many 100 ms pass before the
 * frame, so probes, failures, holds ending, VIP checks, repeated
 * announcements and the log limit's summaries run too; the low 4 bits of
 * its third byte, how many times more the frame comes (a burst from one
 * MAC, which the log limit holds back).  198.18.0.10 and 2001:db8::a are
 * pinned (--static-mac).
 *
 * Besides "no crash, no sanitizer report" it checks that every frame sent
 * is a whole ARP (42 bytes) or NS/NA (86 bytes) from our MAC, that a
 * live dest is scheduled exactly when its MAC is resolved, that each
 * protocol's VIP conflicts are the sum of its kinds of claims, and that
 * the claimers' table is bounded and sorted.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drlb/addr.h"
#include "arp.h"
#include "datapath.h"
#include "ndp.h"
#include "neigh.h"
#include "svc.h"
#include "trace.h"
#include "fuzz.h"

static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static struct svc_table st;
static struct arp *arp;
static struct ndp *ndp;
static struct dp dp;
static uint64_t now_ms;

static int
record(void *arg, const uint8_t *frame, uint32_t len)
{
	(void)arg;
	if ((len != 42 && len != 86) || memcmp(frame + 6, mac, 6) != 0)
		abort();
	return 0;
}

static void
dest_added(void *arg, struct dest *d)
{
	(void)arg;
	arp_dest_added(arp, d);
	ndp_dest_added(ndp, d);
}

static void
vips_changed(void *arg)
{
	(void)arg;
	arp_vips_changed(arp);
	ndp_vips_changed(ndp);
}

static void
ctl(uint16_t op, const char *vip, const char *rip)
{
	struct drlb_ctl_req r;
	char err[256];
	uint16_t af = strchr(vip, ':') ? AF_INET6 : AF_INET;

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = IPPROTO_TCP;
	inet_pton(af, vip, &r.svc.addr);
	r.svc.port = 80;
	strcpy(r.svc.sched_name, "wlc");
	r.svc.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	if (rip != NULL) {
		r.dest.af = af;
		inet_pton(af, rip, &r.dest.addr);
		r.dest.port = 80;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	if (svc_apply(&st, op, &r, err, sizeof(err)) != 0)
		abort();
}

/* a real server removed while a connection holds it: in the trash */
static void
trashed(const char *vip, const char *rip)
{
	uint16_t af = strchr(rip, ':') ? AF_INET6 : AF_INET;
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(af, rip, &a);
	ctl(DRLB_CTL_ADD_DEST, vip, rip);
	for (struct svc *s = st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++)
			if (s->dests[i]->conf.af == af &&
			    drlb_addr_eq(af, &s->dests[i]->conf.addr, &a))
				dest_hold(s->dests[i]);
	ctl(DRLB_CTL_DEL_DEST, vip, rip);
	if (st.trash == NULL)
		abort();
}

static void
setup(void)
{
	char err[256];
	struct in_addr dip;
	struct neigh_static pin;

	/* the daemon's log is not what is being fuzzed (fd 2, where
	 * libFuzzer and the sanitizers write, stays) */
	if ((stderr = fopen("/dev/null", "w")) == NULL)
		abort();
	/* as with a listener: the trace lines' arguments are computed (with
	 * no listener, none is written) */
	trace_on = true;
	svc_table_init(&st);
	inet_pton(AF_INET, "198.18.0.2", &dip);
	if ((arp = arp_create(mac, dip.s_addr, 1, &st, record, NULL, err,
	    sizeof(err))) == NULL ||
	    (ndp = ndp_create(mac, 0, -1, 1, &st, record, NULL, err,
	    sizeof(err))) == NULL)
		abort();
	st.on_dest_added = dest_added;
	st.on_vips_changed = vips_changed;
	if (neigh_static_parse("198.18.0.10=02:00:00:00:00:10", &pin, err,
	    sizeof(err)) != 0 || arp_static_mac(arp, &pin) != 0 ||
	    neigh_static_parse("[2001:db8::a]=02:00:00:00:00:10", &pin, err,
	    sizeof(err)) != 0 || ndp_static_mac(ndp, &pin) != 0)
		abort();
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.1", NULL);
	ctl(DRLB_CTL_ADD_SVC, "2001:db8::1", NULL);
	trashed("198.18.0.1", "198.18.0.9");
	trashed("2001:db8::1", "2001:db8::9");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", "198.18.0.7");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", "198.18.0.8");
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", "2001:db8::7");
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", "2001:db8::8");
	ctl(DRLB_CTL_ADD_DEST, "198.18.0.1", "198.18.0.10");
	ctl(DRLB_CTL_ADD_DEST, "2001:db8::1", "2001:db8::a");
	ctl(DRLB_CTL_ADD_SVC, "198.18.0.3", NULL);
	ctl(DRLB_CTL_ADD_SVC, "2001:db8::3", NULL);
	dp_init(&dp, mac, 1500, &st, NULL);
	dp.arp_input = arp_input;
	dp.arp_arg = arp;
	dp.ndp_input = ndp_input;
	dp.ndp_arg = ndp;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_frame f;
	struct arp_counters ac;
	struct ndp_counters nc;
	struct neigh_claimer cl[40];
	size_t ncl;
	uint8_t *frame;
	int repeat = size >= 3 ? 1 + (data[2] & 0x0f) : 1;

	if (arp == NULL)
		setup();
	if (size > 65536)
		return 0;
	if (size >= 2) {
		int own = (data[0] & 0x02) != 0;
		enum neigh_flap flap = (data[0] & 0x04) != 0 ?
		    NEIGH_FLAP_HOLD : NEIGH_FLAP_FOLLOW;

		if (own != arp_own_vips(arp)) {
			arp_set_own_vips(arp, own);
			ndp_set_own_vips(ndp, own);
		}
		arp_set_mac_flap(arp, flap);
		ndp_set_mac_flap(ndp, flap);
		now_ms += data[1] * 100u;
		arp_tick(arp, now_ms);
		ndp_tick(ndp, now_ms);
	}
	/* exactly size bytes: a read past the frame is a heap overflow */
	if ((frame = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(frame, data, size);
	while (repeat-- > 0) {
		memset(&f, 0, sizeof(f));
		f.data = frame;
		f.len = f.wire_len = (uint32_t)size;
		dp_process(&dp, &f);
	}
	free(frame);

	arp_get_counters(arp, &ac);
	ndp_get_counters(ndp, &nc);
	if (ac.vip_conflicts != ac.vip_claim_requests + ac.vip_claim_replies +
	    ac.vip_claim_gratuitous + ac.vip_claim_probes ||
	    nc.vip_conflicts != nc.vip_claim_adverts + nc.vip_claim_solicits +
	    nc.vip_claim_probes)
		abort();
	for (int k = 0; k < 2; k++) {
		ncl = k ? ndp_claimers(ndp, cl, 40) : arp_claimers(arp, cl, 40);
		if (ncl > 32)
			abort();
		for (size_t i = 0; i < ncl; i++)
			if (cl[i].claims == 0 ||
			    (i > 0 && cl[i].claims > cl[i - 1].claims))
				abort();
	}

	for (struct svc *s = st.head; s != NULL; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			const struct dest *d = s->dests[i];

			if (((d->flags & DEST_F_NOMAC) == 0) !=
			    (d->mac_state == DRLB_MAC_RESOLVED))
				abort();
		}
	return 0;
}
