/*
 * Unit tests of svc.c: svc_apply's checks and libipvs's error texts, dest
 * list order, -E scheduler swaps, removal with live connections (the dest
 * trash), callbacks, zeroing and the GET_SERVICES body.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"
#include "conn.h"
#include "sched.h"
#include "expect.h"


static struct svc_table T;
static char err[DRLB_CTL_ERRMSG_MAX];
static int n_added, n_vips, n_freed;
static struct dest *last_added;

static void cb_added(void *a, struct dest *d) { (void)a; n_added++; last_added = d; }
static void cb_vips(void *a) { (void)a; n_vips++; }
static void cb_freed(void *a, struct dest *d) { (void)a; (void)d; n_freed++; }

static struct drlb_ctl_req
req(uint16_t proto, const char *vip, uint16_t port, const char *sched)
{
	struct drlb_ctl_req r;

	memset(&r, 0, sizeof(r));
	r.svc.af = AF_INET;
	r.svc.protocol = proto;
	inet_pton(AF_INET, vip, &r.svc.addr.in);
	r.svc.port = port;
	r.svc.netmask = 0xffffffffu;
	if (sched != NULL)
		snprintf(r.svc.sched_name, sizeof(r.svc.sched_name), "%s",
		    sched);
	return r;
}

static struct drlb_ctl_req
dreq(uint16_t proto, const char *vip, uint16_t port, const char *rip,
    uint16_t rport, int weight)
{
	struct drlb_ctl_req r = req(proto, vip, port, NULL);

	r.dest.af = AF_INET;
	inet_pton(AF_INET, rip, &r.dest.addr.in);
	r.dest.port = rport;
	r.dest.conn_flags = DRLB_FWD_DROUTE;
	r.dest.weight = weight;
	return r;
}

static int
apply(uint16_t op, const struct drlb_ctl_req *r)
{
	return svc_apply(&T, op, r, err, sizeof(err));
}

static struct svc *
find(uint16_t proto, const char *vip, uint16_t port)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, vip, &a.in);
	return svc_find(&T, AF_INET, proto, &a, port);
}

static const char *
rip_of(const struct dest *d)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	inet_ntop(AF_INET, &d->conf.addr.in, buf[i], sizeof(buf[i]));
	return buf[i];
}

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP
#define VIP "198.18.0.1"

static void
reset(void)
{
	svc_table_free(&T);
	svc_table_init(&T);
	T.on_dest_added = cb_added;
	T.on_vips_changed = cb_vips;
	T.on_dest_freed = cb_freed;
	n_added = n_vips = n_freed = 0;
	last_added = NULL;
}

static void
test_services(void)
{
	struct drlb_ctl_req r;
	struct svc *s;

	reset();
	EXPECT_EQ(T.timeouts.tcp * 1000000ull + T.timeouts.tcp_fin * 1000 +
	    T.timeouts.udp, 900120300ull, "init: timeouts 900 120 300");
	r = req(TCP, VIP, 80, "wlc");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), 0, "-A -t VIP:80 -s wlc");
	EXPECT_EQ(n_vips, 1, "-A: on_vips_changed");
	EXPECT_EQ(T.count, 1, "one service");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EEXIST, "-A twice: EEXIST");
	EXPECT_STR(err, "Service already exists", "-A twice: message");
	r = req(UDP, VIP, 80, "wrr");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), 0, "-A -u VIP:80: other protocol");
	r = req(TCP, VIP, 81, "nope");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), ENOENT, "-s nope: ENOENT");
	EXPECT_STR(err, "Scheduler or persistence engine not found",
	    "-s nope: message");
	r = req(TCP, VIP, 81, "wlc");
	strcpy(r.svc.pe_name, "sip");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), ENOENT, "--pe sip: ENOENT");
	r = req(TCP, VIP, 81, NULL);
	memset(r.svc.sched_name, 'x', sizeof(r.svc.sched_name));
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EINVAL,
	    "unterminated scheduler name: EINVAL");
	EXPECT_STR(err, "Invalid operation.  Possibly wrong module version, "
	    "address not unicast, ...", "EINVAL: libipvs's message");
	r = req(132, VIP, 81, "wlc");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), ENOPROTOOPT, "SCTP refused");
	EXPECT_STR(err, "Protocol not available", "SCTP: message");
	r = req(1, VIP, 81, "wlc");
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EFAULT,
	    "protocol not TCP/UDP/SCTP: EFAULT as IPVS");
	r = req(TCP, VIP, 81, "wlc");
	r.svc.af = AF_UNIX;
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EAFNOSUPPORT,
	    "neither IPv4 nor IPv6: EAFNOSUPPORT");
	EXPECT_STR(err, "Operation not supported with specified address family",
	    "other family: message");
	r = req(TCP, VIP, 81, "wlc");
	r.svc.af = AF_INET6;
	r.svc.netmask = 0xffffffffu;
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EINVAL,
	    "IPv6 with an IPv4 netmask (prefix > 128): EINVAL as IPVS");
	r.svc.netmask = 0;
	EXPECT_EQ(apply(DRLB_CTL_ADD_SVC, &r), EINVAL,
	    "IPv6 prefix 0: EINVAL as IPVS");
	EXPECT_EQ(T.count, 2, "failed -A add nothing");
	EXPECT_EQ(n_vips, 2, "failed -A: no on_vips_changed");

	s = find(TCP, VIP, 80);
	EXPECT_EQ(s != NULL, 1, "svc_find");
	EXPECT_EQ(s->sched == &sched_wlc, 1, "service has wlc");
	EXPECT_EQ((s->conf.flags & DRLB_SVC_F_HASHED) != 0, 1,
	    "flags include HASHED, as the kernel reports them");
	EXPECT_EQ(find(TCP, VIP, 82) == NULL, 1, "svc_find: other port");
	{
		union drlb_inaddr a;
		memset(&a, 0, sizeof(a));
		inet_pton(AF_INET, VIP, &a.in);
		EXPECT_EQ(svc_is_vip(&T, AF_INET, &a), 1, "svc_is_vip: VIP");
		inet_pton(AF_INET, "198.18.0.22", &a.in);
		EXPECT_EQ(svc_is_vip(&T, AF_INET, &a), 0, "svc_is_vip: not a VIP");
	}

	/* -E: flags, persistence, scheduler */
	r = req(TCP, VIP, 80, "wrr");
	r.svc.flags = DRLB_SVC_F_PERSISTENT;
	r.svc.timeout = 360;
	EXPECT_EQ(apply(DRLB_CTL_EDIT_SVC, &r), 0, "-E -s wrr -p");
	EXPECT_EQ(s->sched == &sched_wrr && s->sched_data != NULL, 1,
	    "-E: wrr bound (init_svc ran)");
	EXPECT_STR(s->conf.sched_name, "wrr", "-E: scheduler name");
	EXPECT_EQ(s->conf.timeout, 360, "-E: persistence timeout");
	EXPECT_EQ(s->conf.flags, DRLB_SVC_F_PERSISTENT | DRLB_SVC_F_HASHED,
	    "-E: flags");
	EXPECT_EQ(n_vips, 2, "-E: VIP set unchanged");
	r = req(TCP, VIP, 80, "wlc");
	EXPECT_EQ(apply(DRLB_CTL_EDIT_SVC, &r), 0, "-E -s wlc");
	/* wrr's done_svc frees its data (a leak would fail the ASan run);
	 * wlc's init_svc builds its least-load index */
	EXPECT_EQ(s->sched == &sched_wlc && s->sched_data != NULL, 1,
	    "-E back to wlc: wlc bound (init_svc ran)");
	r = req(TCP, VIP, 80, "bogus");
	EXPECT_EQ(apply(DRLB_CTL_EDIT_SVC, &r), ENOENT, "-E -s bogus: ENOENT");
	EXPECT_EQ(s->sched == &sched_wlc, 1, "-E -s bogus: scheduler kept");
	r = req(TCP, VIP, 99, "wlc");
	EXPECT_EQ(apply(DRLB_CTL_EDIT_SVC, &r), ESRCH, "-E missing: ESRCH");
	EXPECT_STR(err, "No such service", "-E missing: message");
	EXPECT_EQ(apply(DRLB_CTL_DEL_SVC, &r), ESRCH, "-D missing: ESRCH");
	EXPECT_STR(err, "No such service", "-D missing: message");
	EXPECT_EQ(apply(DRLB_CTL_ZERO, &r), ESRCH, "-Z missing: ESRCH");
	EXPECT_STR(err, "No such service", "-Z missing: message");

	r = req(UDP, VIP, 80, NULL);
	EXPECT_EQ(apply(DRLB_CTL_DEL_SVC, &r), 0, "-D -u VIP:80");
	EXPECT_EQ(find(UDP, VIP, 80) == NULL, 1, "-D: gone");
	EXPECT_EQ(n_vips, 3, "-D: on_vips_changed");
	EXPECT_EQ(apply(DRLB_CTL_FLUSH, &r), 0, "-C");
	EXPECT_EQ(T.count == 0 && T.head == NULL, 1, "-C: no services");
	EXPECT_EQ(n_vips, 4, "-C: on_vips_changed");
	EXPECT_EQ(apply(DRLB_CTL_FLUSH, &r), 0, "-C on nothing");
	EXPECT_EQ(n_vips, 4, "-C on nothing: no callback");
	EXPECT_EQ(apply(999, &r), EINVAL, "unknown op: EINVAL");
}

static void
test_dests(void)
{
	struct drlb_ctl_req r;
	struct svc *s;
	struct dest *d;

	reset();
	r = req(TCP, VIP, 80, "wlc");
	apply(DRLB_CTL_ADD_SVC, &r);
	s = find(TCP, VIP, 80);

	r = dreq(TCP, VIP, 99, "198.18.0.1", 80, 1);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), ESRCH, "-a, no service: ESRCH");
	EXPECT_STR(err, "Service not defined", "-a, no service: message");
	EXPECT_EQ(apply(DRLB_CTL_EDIT_DEST, &r), ESRCH, "-e, no service: ESRCH");
	EXPECT_STR(err, "Service not defined", "-e, no service: message");
	EXPECT_EQ(apply(DRLB_CTL_DEL_DEST, &r), ESRCH, "-d, no service: ESRCH");
	EXPECT_STR(err, "Service not defined", "-d, no service: message");

	r = dreq(TCP, VIP, 80, "198.18.0.1", 8080, 2);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), 0, "-a A:8080 -w 2");
	d = s->dests[0];
	EXPECT_EQ(d->conf.port, 80, "DR forces the real port to the VIP's");
	EXPECT_EQ(d->conf.conn_flags, DRLB_FWD_DROUTE, "forwarding is DR");
	EXPECT_EQ(d->flags, DEST_F_AVAILABLE | DEST_F_NOMAC,
	    "new dest: AVAILABLE|NOMAC");
	EXPECT_EQ(d->mac_state, DRLB_MAC_NONE, "new dest: MAC not resolved");
	EXPECT_EQ(dest_usable(d), 0, "no MAC yet: not usable");
	EXPECT_EQ(n_added == 1 && last_added == d, 1, "on_dest_added(d)");
	EXPECT_EQ(d->svc == s && d->refcnt == 1, 1, "dest linked once");
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), EEXIST, "-a again: EEXIST");
	EXPECT_STR(err, "Destination already exists", "-a again: message");
	r = dreq(TCP, VIP, 80, "198.18.0.1", 9090, 2);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), EEXIST,
	    "-a same RIP other port: same dest in DR");
	r = dreq(TCP, VIP, 80, "198.18.0.2", 80, 3);
	apply(DRLB_CTL_ADD_DEST, &r);
	r = dreq(TCP, VIP, 80, "198.18.0.3", 0, 4);
	apply(DRLB_CTL_ADD_DEST, &r);
	EXPECT_EQ(s->ndests, 3, "three dests");
	EXPECT_STR(rip_of(s->dests[0]), "198.18.0.3", "newest dest first");
	EXPECT_STR(rip_of(s->dests[2]), "198.18.0.1", "oldest dest last");

	r = dreq(TCP, VIP, 80, "198.18.0.4", 80, -1);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), ERANGE, "-w -1: ERANGE");
	EXPECT_STR(err, strerror(ERANGE), "ERANGE: strerror's text");
	r = dreq(TCP, VIP, 80, "198.18.0.4", 80, 65536);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), ERANGE, "-w 65536: ERANGE");
	r = dreq(TCP, VIP, 80, "198.18.0.4", 80, 1);
	r.dest.u_threshold = 5;
	r.dest.l_threshold = 6;
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), ERANGE, "-y > -x: ERANGE");
	r = dreq(TCP, VIP, 80, "0.0.0.0", 80, 1);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), EINVAL, "-r 0.0.0.0: EINVAL");
	r = dreq(TCP, VIP, 80, "224.0.0.5", 80, 1);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), EINVAL, "-r multicast: EINVAL");
	r = dreq(TCP, VIP, 80, "255.255.255.255", 80, 1);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), EINVAL, "-r broadcast: EINVAL");
	EXPECT_EQ(s->ndests, 3, "refused -a add nothing");
	EXPECT_EQ(n_added, 3, "refused -a: no callback");

	r = dreq(TCP, VIP, 80, "198.18.0.2", 80, 7);
	r.dest.u_threshold = 100;
	r.dest.l_threshold = 50;
	EXPECT_EQ(apply(DRLB_CTL_EDIT_DEST, &r), 0, "-e B -w 7 -x 100 -y 50");
	d = s->dests[1];
	EXPECT_EQ(d->conf.weight, 7, "-e: weight");
	EXPECT_EQ(d->conf.u_threshold * 1000 + d->conf.l_threshold, 100050,
	    "-e: thresholds");
	EXPECT_STR(rip_of(s->dests[1]), "198.18.0.2", "-e keeps the list order");
	r = dreq(TCP, VIP, 80, "198.18.0.9", 80, 1);
	EXPECT_EQ(apply(DRLB_CTL_EDIT_DEST, &r), ENOENT, "-e missing: ENOENT");
	EXPECT_STR(err, "No such destination", "-e missing: message");
	EXPECT_EQ(apply(DRLB_CTL_DEL_DEST, &r), ENOENT, "-d missing: ENOENT");
	EXPECT_STR(err, "No such destination", "-d missing: message");

	r = dreq(TCP, VIP, 80, "198.18.0.2", 0, 0);
	EXPECT_EQ(apply(DRLB_CTL_DEL_DEST, &r), 0, "-d B (no port: the VIP's)");
	EXPECT_EQ(s->ndests, 2, "-d: two left");
	EXPECT_EQ(n_freed, 1, "-d without connections frees at once");
	EXPECT_EQ(T.trash == NULL, 1, "-d without connections: trash empty");
	EXPECT_STR(rip_of(s->dests[0]), "198.18.0.3", "-d keeps the others' order");
	EXPECT_STR(rip_of(s->dests[1]), "198.18.0.1", "-d keeps the others' order (2)");

	/* stats, -Z */
	s->stats.conns = 5;
	s->rates.cps = 3;
	s->dests[0]->stats.inpkts = 7;
	r = req(TCP, VIP, 80, NULL);
	EXPECT_EQ(apply(DRLB_CTL_ZERO, &r), 0, "-Z -t VIP:80");
	EXPECT_EQ(s->stats.conns + s->rates.cps + s->dests[0]->stats.inpkts, 0,
	    "-Z zeroes service and dest counters and rates");
	s->stats.conns = 5;
	memset(&r, 0, sizeof(r));
	EXPECT_EQ(apply(DRLB_CTL_ZERO, &r), 0, "-Z (all)");
	EXPECT_EQ(s->stats.conns, 0, "-Z all zeroes");

	/* GET_SERVICES body */
	{
		void *body;
		uint32_t len;
		struct drlb_ctl_svc_entry se;
		struct drlb_ctl_dest_entry de;

		s->dests[0]->activeconns = 4;
		s->dests[0]->flags |= DEST_F_OVERLOAD;
		s->dests[0]->mac_state = DRLB_MAC_RESOLVED;
		EXPECT_EQ(svc_serialize(&T, &body, &len), 0, "serialize");
		EXPECT_EQ(len, sizeof(se) + 2 * sizeof(de),
		    "body: one service + two dests");
		memcpy(&se, body, sizeof(se));
		memcpy(&de, (char *)body + sizeof(se), sizeof(de));
		EXPECT_EQ(se.conf.port * 10 + se.num_dests, 802,
		    "entry: port 80, 2 dests");
		EXPECT_STR(se.conf.sched_name, "wlc", "entry: scheduler");
		EXPECT_EQ(de.activeconns, 4, "dest entry: activeconns");
		EXPECT_EQ(de.overloaded * 10 + de.mac_state, 11,
		    "dest entry: overloaded, MAC resolved");
		EXPECT_EQ(de.conf.weight, 4, "dest entry: list order (newest)");
		free(body);
		s->dests[0]->activeconns = 0;
	}
}

static void
test_live_conns(void)
{
	struct conn_table *ct = conn_table_create(64);
	struct drlb_ctl_req r;
	struct svc *s;
	struct dest *a, *b;
	struct conn_key k;
	struct conn *c1, *c2;

	reset();
	r = req(TCP, VIP, 80, "wrr");
	apply(DRLB_CTL_ADD_SVC, &r);
	s = find(TCP, VIP, 80);
	r = dreq(TCP, VIP, 80, "198.18.0.1", 80, 1);
	apply(DRLB_CTL_ADD_DEST, &r);
	r = dreq(TCP, VIP, 80, "198.18.0.2", 80, 1);
	apply(DRLB_CTL_ADD_DEST, &r);
	b = s->dests[0];
	a = s->dests[1];
	a->flags &= ~DEST_F_NOMAC;
	b->flags &= ~DEST_F_NOMAC;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = TCP;
	inet_pton(AF_INET, "198.51.100.1", &k.caddr.in);
	k.vaddr = s->conf.addr;
	k.vport = htons(80);
	k.cport = htons(1111);
	c1 = conn_insert(ct, &k, a, 100);
	conn_seen(ct, c1, CONN_TCP_SYN, 100);
	conn_seen(ct, c1, CONN_TCP_ACK, 100);		/* expires 1000 */
	k.cport = htons(2222);
	c2 = conn_insert(ct, &k, b, 100);		/* expires 102 */
	EXPECT_EQ(c2 != NULL && b->inactconns == 1, 1, "conn on B");

	/* -e never moves connections */
	r = dreq(TCP, VIP, 80, "198.18.0.1", 80, 0);
	apply(DRLB_CTL_EDIT_DEST, &r);
	EXPECT_EQ(c1->dest == a && a->activeconns == 1, 1,
	    "-e -w 0: the existing connection stays on A");

	/* -d A with a live connection: trash */
	EXPECT_EQ(apply(DRLB_CTL_DEL_DEST, &r), 0, "-d A with a live conn");
	EXPECT_EQ(T.trash == a && n_freed == 0, 1, "A waits in the trash");
	EXPECT_EQ(s->ndests == 1 && s->dests[0] == b, 1, "only B scheduled");
	EXPECT_EQ(s->sched->schedule(s, &k) == b, 1, "wrr picks B only");
	EXPECT_EQ(conn_lookup(ct, &k) != NULL, 1, "conns untouched");

	/* -a A again: back from the trash with its counters */
	r = dreq(TCP, VIP, 80, "198.18.0.1", 80, 5);
	EXPECT_EQ(apply(DRLB_CTL_ADD_DEST, &r), 0, "-a A again");
	EXPECT_EQ(s->dests[0] == a, 1, "A revived from the trash, at the head");
	EXPECT_EQ(T.trash == NULL, 1, "trash empty again");
	EXPECT_EQ(a->activeconns, 1, "A kept its ActiveConn");
	EXPECT_EQ(a->conf.weight, 5, "A has the new weight");
	EXPECT_EQ(a->refcnt, 2, "A: service link + one conn");
	EXPECT_EQ((a->flags & DEST_F_AVAILABLE) != 0, 1, "A AVAILABLE again");
	EXPECT_EQ(n_added, 2, "revival is not a new dest (no on_dest_added)");

	/* -C with live connections: everything to the trash */
	EXPECT_EQ(apply(DRLB_CTL_FLUSH, &r), 0, "-C with live conns");
	EXPECT_EQ(T.count, 0, "-C: no services");
	EXPECT_EQ(n_freed, 0, "-C: dests with conns not freed");
	EXPECT_EQ(c1->dest->svc->conf.port, 80,
	    "a flushed service stays readable through its conns' dests");
	EXPECT_EQ(conn_expire(ct, &T, 102, 10), 1, "B's conn expires");
	EXPECT_EQ(n_freed, 1, "B freed with its last conn");
	EXPECT_EQ(conn_expire(ct, &T, 1000, 10), 1, "A's conn expires");
	EXPECT_EQ(n_freed, 2, "A freed with its last conn");
	EXPECT_EQ(T.trash == NULL, 1, "trash empty at the end");

	/* a deleted then re-created service: the trashed dest rebinds */
	r = req(TCP, VIP, 80, "wlc");
	apply(DRLB_CTL_ADD_SVC, &r);
	r = dreq(TCP, VIP, 80, "198.18.0.1", 80, 1);
	apply(DRLB_CTL_ADD_DEST, &r);
	s = find(TCP, VIP, 80);
	a = s->dests[0];
	k.cport = htons(3333);
	c1 = conn_insert(ct, &k, a, 2000);		/* expires 2002 */
	a->stats.inpkts = 9;
	r = req(TCP, VIP, 80, NULL);
	apply(DRLB_CTL_DEL_SVC, &r);
	r = req(TCP, VIP, 80, "wlc");
	apply(DRLB_CTL_ADD_SVC, &r);
	s = find(TCP, VIP, 80);
	r = dreq(TCP, VIP, 80, "198.18.0.1", 80, 1);
	apply(DRLB_CTL_ADD_DEST, &r);
	EXPECT_EQ(s->dests[0] == a && a->svc == s, 1,
	    "-a after -D/-A takes the dest back and rebinds it");
	EXPECT_EQ(a->stats.inpkts, 0, "rebinding zeroes its stats (as IPVS)");
	EXPECT_EQ(conn_expire(ct, &T, 2002, 10), 1, "its conn expires");
	EXPECT_EQ(a->refcnt, 1, "only the service link left");
	conn_flush(ct, &T);
	conn_table_destroy(ct);
	reset();
	EXPECT_EQ(apply(DRLB_CTL_SET_TIMEOUT, &r), 0, "--set 0 0 0 is fine");
	r.timeouts.tcp = 3000000;
	EXPECT_EQ(apply(DRLB_CTL_SET_TIMEOUT, &r), EINVAL,
	    "--set beyond INT_MAX/HZ: EINVAL");
}

int
main(void)
{
	svc_table_init(&T);
	test_services();
	test_dests();
	test_live_conns();
	svc_table_free(&T);
	return EXPECT_DONE();
}
