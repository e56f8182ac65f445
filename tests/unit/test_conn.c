/*
 * Unit tests of the connection table (conn.c): IPVS INPUT-ONLY TCP states,
 * timeouts, active/inactive accounting, timer-wheel expiry (re-slotting,
 * budget, long pauses), the table-full policy and the dest trash lifetime.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "expect.h"


static struct svc_table T;
static struct dest *freed_dest;
static int freed_count;

static void
on_freed(void *arg, struct dest *d)
{
	(void)arg;
	freed_dest = d;
	freed_count++;
}

static struct svc *
svc_of(uint16_t proto)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, "198.18.0.1", &a.in);
	return svc_find(&T, AF_INET, proto, &a, 80);
}

static struct dest *
dest_of(uint16_t proto, int n)
{
	return fx_svc_dest(svc_of(proto), n);
}

static struct conn_key
key(uint16_t proto, uint32_t client, uint16_t cport)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = (uint8_t)proto;
	k.caddr.in.s_addr = htonl(0xc6336400u + client);   /* 198.51.100.x */
	inet_pton(AF_INET, "198.18.0.1", &k.vaddr.in);
	k.cport = htons(cport);
	k.vport = htons(80);
	return k;
}

static void
fresh(void)
{
	struct drlb_ctl_req r;

	svc_table_free(&T);
	svc_table_init(&T);
	T.on_dest_freed = on_freed;
	freed_dest = NULL;
	freed_count = 0;
	r = fx_req(IPPROTO_TCP, 80, "wlc", 0, 0);
	svc_apply(&T, DRLB_CTL_ADD_SVC, &r, NULL, 0);
	r = fx_req(IPPROTO_TCP, 80, "wlc", 1, 1);
	svc_apply(&T, DRLB_CTL_ADD_DEST, &r, NULL, 0);
	r = fx_req(IPPROTO_UDP, 80, "wlc", 0, 0);
	svc_apply(&T, DRLB_CTL_ADD_SVC, &r, NULL, 0);
	r = fx_req(IPPROTO_UDP, 80, "wlc", 1, 1);
	svc_apply(&T, DRLB_CTL_ADD_DEST, &r, NULL, 0);
}

/* ------------------------------------------------------------------ */

static void
test_layout(void)
{
	struct conn_table *t = conn_table_create(1u << 16);

	EXPECT_EQ(sizeof(struct conn), 48, "struct conn is 48 bytes");
	/* the table's budget: <= 64 bytes a connection, side arrays included
	 * (README and drlbd(8) promise 60 at the default 1 M entries) */
	EXPECT(t != NULL && conn_table_bytes(t) <= (size_t)64 << 16,
	    "a table of 65536 entries: <= 64 bytes each, all included");
	conn_table_destroy(t);
}

static void
test_states(void)
{
	/* ip_vs_proto_tcp.c tcp_states[], INPUT-ONLY block, verbatim */
	static const char *const rows[4][CONN_S_LAST] = {
	/*        sNO   sES   sSS   sSR   sFW   sTW   sCL   sCW   sLA   sLI   sSA */
	/*syn*/ {"SR", "ES", "ES", "SR", "SR", "SR", "SR", "SR", "SR", "SR", "SR"},
	/*fin*/ {"CL", "FW", "SS", "TW", "FW", "TW", "CL", "CW", "LA", "LI", "TW"},
	/*ack*/ {"ES", "ES", "SS", "ES", "FW", "TW", "CL", "CW", "CL", "LI", "ES"},
	/*rst*/ {"CL", "CL", "CL", "SR", "CL", "CL", "CL", "CL", "LA", "LI", "CL"},
	};
	static const char *const abbr[CONN_S_LAST] = {
		"NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA",
	};
	static const uint8_t ev[4] = {
		CONN_TCP_SYN, CONN_TCP_FIN, CONN_TCP_ACK, CONN_TCP_RST,
	};
	static const char *const evname[4] = { "syn", "fin", "ack", "rst" };
	char what[96];
	int e, s, bad = 0;

	for (e = 0; e < 4; e++) {
		for (s = 0; s < CONN_S_LAST; s++) {
			enum conn_state n = conn_tcp_next((enum conn_state)s,
			    ev[e]);
			if (strcmp(abbr[n], rows[e][s]) != 0) {
				snprintf(what, sizeof(what),
				    "INPUT-ONLY %s in s%s -> s%s", evname[e],
				    abbr[s], rows[e][s]);
				EXPECT_STR(abbr[n], rows[e][s], what);
				bad++;
			}
		}
	}
	EXPECT_EQ(bad, 0, "all 44 INPUT-ONLY transitions match ip_vs_proto_tcp.c");

	/* priority rst > syn > fin > ack */
	EXPECT_EQ(conn_tcp_next(CONN_S_SYN_RECV, CONN_TCP_RST | CONN_TCP_SYN),
	    CONN_S_SYN_RECV, "rst+syn in SYN_RECV uses the rst row (SR)");
	EXPECT_EQ(conn_tcp_next(CONN_S_ESTABLISHED, CONN_TCP_RST | CONN_TCP_ACK),
	    CONN_S_CLOSE, "rst+ack in ES -> CLOSE (rst row)");
	EXPECT_EQ(conn_tcp_next(CONN_S_ESTABLISHED, CONN_TCP_SYN | CONN_TCP_FIN),
	    CONN_S_ESTABLISHED, "syn+fin in ES uses the syn row (ES)");
	EXPECT_EQ(conn_tcp_next(CONN_S_NONE, CONN_TCP_SYN | CONN_TCP_ACK),
	    CONN_S_SYN_RECV, "syn+ack in NONE uses the syn row (SR)");
	EXPECT_EQ(conn_tcp_next(CONN_S_ESTABLISHED, CONN_TCP_FIN | CONN_TCP_ACK),
	    CONN_S_FIN_WAIT, "fin+ack in ES uses the fin row (FW)");
	EXPECT_EQ(conn_tcp_next(CONN_S_ESTABLISHED, 0), CONN_S_CLOSE,
	    "no rst/syn/fin/ack: IPVS's default new_state CLOSE");
	EXPECT_STR(conn_state_name(CONN_S_ESTABLISHED), "ESTABLISHED",
	    "state name ESTABLISHED");
	EXPECT_STR(conn_state_name(CONN_S_SYNACK), "SYNACK", "state name SYNACK");
}

/*
 * ActiveConn is IPVS's tcp_state_active_table (ip_vs_proto_tcp.c), every
 * state; every INPUT-ONLY transition moves the connection in or out of it
 * as set_tcp_state does, and restore/sync (conn_restore) put it where told.
 */
static void
test_active(void)
{
	static const bool act[CONN_S_LAST] = {
		[CONN_S_NONE] = false,		[CONN_S_ESTABLISHED] = true,
		[CONN_S_SYN_SENT] = true,	[CONN_S_SYN_RECV] = true,
		[CONN_S_FIN_WAIT] = false,	[CONN_S_TIME_WAIT] = false,
		[CONN_S_CLOSE] = false,		[CONN_S_CLOSE_WAIT] = false,
		[CONN_S_LAST_ACK] = false,	[CONN_S_LISTEN] = false,
		[CONN_S_SYNACK] = true,
	};
	static const uint8_t ev[4] = {
		CONN_TCP_SYN, CONN_TCP_FIN, CONN_TCP_ACK, CONN_TCP_RST,
	};
	struct conn_table *ct = conn_table_create(16);
	struct conn_key k;
	struct conn *c;
	struct dest *d;
	int s, e, bad = 0, badudp = 0, badmove = 0;

	fresh();
	d = dest_of(IPPROTO_TCP, 1);
	for (s = 0; s < CONN_S_LAST; s++) {
		if (conn_state_active(IPPROTO_TCP, (enum conn_state)s) != act[s])
			bad++;
		if (conn_state_active(IPPROTO_UDP, (enum conn_state)s))
			badudp++;
	}
	EXPECT_EQ(bad, 0, "active states: SYN_SENT, SYN_RECV, ESTABLISHED, "
	    "SYNACK, as tcp_state_active_table");
	EXPECT_EQ(badudp, 0, "UDP is never active");

	for (s = 0; s < CONN_S_LAST; s++)
		for (e = 0; e < 4; e++) {
			enum conn_state n = conn_tcp_next((enum conn_state)s,
			    ev[e]);

			k = key(IPPROTO_TCP, 9, (uint16_t)(s * 4 + e + 1));
			c = conn_insert(ct, &k, d, 100);
			conn_restore(ct, c, (enum conn_state)s, act[s], 200);
			if (d->activeconns != (uint32_t)act[s] ||
			    d->inactconns != (uint32_t)!act[s])
				badmove++;
			conn_seen(ct, c, ev[e], 100);
			if (c->state != n || d->activeconns != (uint32_t)act[n] ||
			    d->inactconns != (uint32_t)!act[n] ||
			    !(c->flags & CONN_F_INACTIVE) != act[n])
				badmove++;
			conn_flush(ct, &T);
		}
	EXPECT_EQ(badmove, 0, "all 44 transitions: ActiveConn/InActConn "
	    "follow the new state, as set_tcp_state");
	EXPECT_EQ(d->activeconns + d->inactconns, 0, "all uncounted");

	/* the lone SYN: a new connection is bound inactive, its SYN
	 * (NONE -> SYN_RECV) makes it active */
	k = key(IPPROTO_TCP, 9, 999);
	c = conn_insert(ct, &k, d, 100);
	EXPECT(d->activeconns == 0 && d->inactconns == 1,
	    "new connection: InActConn (ip_vs_bind_dest, INACTIVE)");
	conn_seen(ct, c, CONN_TCP_SYN, 100);
	EXPECT(d->activeconns == 1 && d->inactconns == 0,
	    "its SYN: SYN_RECV, ActiveConn");
	/* restore as told, whatever the state (a synced flag) */
	conn_restore(ct, c, CONN_S_ESTABLISHED, false, 300);
	EXPECT(c->state == CONN_S_ESTABLISHED && d->activeconns == 0 &&
	    d->inactconns == 1, "conn_restore: inactive as told");
	conn_restore(ct, c, CONN_S_FIN_WAIT, true, 300);
	EXPECT(c->state == CONN_S_FIN_WAIT && d->activeconns == 1 &&
	    d->inactconns == 0, "conn_restore: active as told");
	conn_flush(ct, &T);
	conn_table_destroy(ct);
}

static void
test_timeouts(void)
{
	static const uint32_t want[CONN_S_LAST] = {
		2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120,
	};
	struct conn_table *ct = conn_table_create(16);
	struct drlb_timeouts tm;
	int s, bad = 0;

	for (s = 0; s < CONN_S_LAST; s++)
		if (conn_timeout(ct, IPPROTO_TCP, (enum conn_state)s) !=
		    want[s])
			bad++;
	EXPECT_EQ(bad, 0, "TCP timeouts are IPVS's defaults");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_UDP, CONN_S_NONE), 300, "UDP 300 s");
	conn_get_timeouts(ct, &tm);
	EXPECT_EQ(tm.tcp * 1000000ull + tm.tcp_fin * 1000 + tm.udp,
	    900120300ull, "--timeout 900 120 300");

	tm.tcp = 7; tm.tcp_fin = 8; tm.udp = 9;
	conn_set_timeouts(ct, &tm);
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_ESTABLISHED), 7,
	    "--set tcp changes ESTABLISHED");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_FIN_WAIT), 8,
	    "--set tcpfin changes FIN_WAIT");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_UDP, CONN_S_NONE), 9,
	    "--set udp changes UDP");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_TIME_WAIT), 120,
	    "--set leaves TIME_WAIT");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_CLOSE), 10,
	    "--set leaves CLOSE");
	tm.tcp = 0; tm.tcp_fin = 0; tm.udp = 11;
	conn_set_timeouts(ct, &tm);
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_ESTABLISHED), 7,
	    "--set 0 leaves a value as it is");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_UDP, CONN_S_NONE), 11,
	    "--set 0 0 11 sets only udp");
	conn_table_destroy(ct);

	/* SET_TIMEOUT through svc_apply, then to the tables as the daemon
	 * does it (control.c, reload.c) */
	fresh();
	ct = conn_table_create(16);
	{
		struct conn_set one;
		struct drlb_ctl_req r;

		conn_set_single(&one, ct);
		memset(&r, 0, sizeof(r));
		r.timeouts.tcp = 100;
		r.timeouts.udp = 50;
		EXPECT_EQ(svc_apply(&T, DRLB_CTL_SET_TIMEOUT, &r, NULL, 0), 0,
		    "SET_TIMEOUT applies");
		conn_set_timeouts_all(&one, &T.timeouts);
	}
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_ESTABLISHED), 100,
	    "SET_TIMEOUT's values reach the table (tcp)");
	EXPECT_EQ(conn_timeout(ct, IPPROTO_TCP, CONN_S_FIN_WAIT), 120,
	    "SET_TIMEOUT tcpfin 0 left as is");
	EXPECT_EQ(T.timeouts.udp, 50, "svc_table keeps the udp timeout");
	conn_table_destroy(ct);
}

static void
test_counting(void)
{
	struct conn_table *ct;
	struct conn_key k;
	struct conn *c, *u;
	struct dest *d, *du;

	fresh();
	ct = conn_table_create(64);
	d = dest_of(IPPROTO_TCP, 1);
	du = dest_of(IPPROTO_UDP, 1);
	k = key(IPPROTO_TCP, 1, 1000);
	c = conn_insert(ct, &k, d, 100);
	EXPECT_EQ(c != NULL, 1, "insert");
	EXPECT_EQ(conn_lookup(ct, &k) == c, 1, "lookup finds the inserted conn");
	EXPECT_EQ(c->state, CONN_S_NONE, "new conn in NONE");
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 10,
	    "new conn counts in InActConn");
	EXPECT_EQ(d->stats.conns, 1, "dest stats.conns counted");
	EXPECT_EQ(d->svc->stats.conns, 1, "service stats.conns counted");
	EXPECT_EQ(d->refcnt, 2, "conn holds a dest reference");
	EXPECT_EQ(c->expires, 102, "NONE expires after 2 s");

	conn_seen(ct, c, CONN_TCP_SYN, 100);
	EXPECT_EQ(c->state, CONN_S_SYN_RECV, "SYN -> SYN_RECV");
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 1,
	    "SYN_RECV is active (tcp_state_active_table)");
	EXPECT_EQ(c->expires, 160, "SYN_RECV expires after 60 s");
	conn_seen(ct, c, CONN_TCP_ACK, 101);
	EXPECT_EQ(c->state, CONN_S_ESTABLISHED, "ACK -> ESTABLISHED");
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 1,
	    "ESTABLISHED stays in ActiveConn");
	EXPECT_EQ(c->expires, 1001, "ESTABLISHED expires after 900 s");
	conn_seen(ct, c, CONN_TCP_ACK, 102);
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 1,
	    "ACK in ESTABLISHED: counts unchanged");
	conn_seen(ct, c, CONN_TCP_FIN | CONN_TCP_ACK, 103);
	EXPECT_EQ(c->state, CONN_S_FIN_WAIT, "FIN -> FIN_WAIT");
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 10,
	    "FIN_WAIT back to InActConn");
	conn_seen(ct, c, CONN_TCP_SYN, 104);
	EXPECT_EQ(c->state, CONN_S_SYN_RECV, "SYN in FIN_WAIT -> SYN_RECV");
	conn_seen(ct, c, CONN_TCP_ACK, 104);
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 1,
	    "re-established: ActiveConn again");
	conn_seen(ct, c, CONN_TCP_RST, 105);
	EXPECT_EQ(c->state, CONN_S_CLOSE, "RST -> CLOSE");
	EXPECT_EQ(d->inactconns * 10 + d->activeconns, 10, "CLOSE inactive");
	EXPECT_EQ(c->expires, 115, "CLOSE expires after 10 s");

	k = key(IPPROTO_UDP, 1, 1000);
	u = conn_insert(ct, &k, du, 100);
	EXPECT_EQ(conn_lookup(ct, &k) == u, 1,
	    "UDP conn with the TCP conn's addresses is a distinct entry");
	conn_seen(ct, u, CONN_TCP_ACK | CONN_TCP_SYN, 100);
	EXPECT_EQ(u->state, CONN_S_NONE, "UDP ignores TCP flags");
	EXPECT_EQ(du->inactconns * 10 + du->activeconns, 10, "UDP is inactive");
	EXPECT_EQ(u->expires, 400, "UDP expires after 300 s");
	EXPECT_STR(conn_state_str(u), "UDP", "-c shows UDP for UDP");
	EXPECT_STR(conn_state_str(c), "CLOSE", "-c shows the TCP state");

	EXPECT_EQ(conn_count(ct), 2, "two conns");
	conn_flush(ct, &T);
	EXPECT_EQ(conn_count(ct), 0, "flush empties the table");
	EXPECT_EQ(d->inactconns + d->activeconns + du->inactconns +
	    du->activeconns, 0, "flush uncounts");
	EXPECT_EQ(d->refcnt, 1, "flush drops the dest references");
	EXPECT_EQ(conn_lookup(ct, &k) == NULL, 1, "flushed conn not found");

	/* an ESTABLISHED conn expiring leaves ActiveConn */
	k = key(IPPROTO_TCP, 2, 2000);
	c = conn_insert(ct, &k, d, 200);
	conn_seen(ct, c, CONN_TCP_SYN, 200);
	conn_seen(ct, c, CONN_TCP_ACK, 200);
	EXPECT_EQ(d->activeconns, 1, "established again");
	EXPECT_EQ(conn_expire(ct, &T, 1099, 100), 0, "not yet at 1099");
	EXPECT_EQ(conn_expire(ct, &T, 1100, 100), 1, "expires at 200 + 900");
	EXPECT_EQ(d->activeconns + d->inactconns, 0,
	    "expired ESTABLISHED conn leaves ActiveConn");
	conn_table_destroy(ct);
}

static void
test_keys(void)
{
	struct conn_table *ct = conn_table_create(20000);
	struct dest *d;
	struct conn_key k, k2;
	uint32_t i, found = 0, wrong = 0;

	fresh();
	d = dest_of(IPPROTO_TCP, 1);
	EXPECT_EQ(conn_buckets(ct), 32768, "buckets: power of two >= max");
	for (i = 0; i < 20000; i++) {
		k = key(IPPROTO_TCP, i % 250, (uint16_t)(1024 + i / 250));
		conn_insert(ct, &k, d, 10);
	}
	for (i = 0; i < 20000; i++) {
		struct conn *c;
		k = key(IPPROTO_TCP, i % 250, (uint16_t)(1024 + i / 250));
		c = conn_lookup(ct, &k);
		if (c != NULL) {
			found++;
			if (memcmp(&c->key.caddr, &k.caddr, 4) != 0 ||
			    c->key.cport != k.cport)
				wrong++;
		}
	}
	EXPECT_EQ(found, 20000, "20000 keys all found");
	EXPECT_EQ(wrong, 0, "each lookup returns its own entry");
	k = key(IPPROTO_TCP, 3, 1024);
	k2 = k; k2.protocol = IPPROTO_UDP;
	EXPECT_EQ(conn_lookup(ct, &k2) == NULL, 1, "protocol is part of the key");
	k2 = k; k2.vport = htons(81);
	EXPECT_EQ(conn_lookup(ct, &k2) == NULL, 1, "vport is part of the key");
	k2 = k; k2.vaddr.in.s_addr ^= htonl(1);
	EXPECT_EQ(conn_lookup(ct, &k2) == NULL, 1, "VIP is part of the key");
	k2 = k; k2.cport = htons(60000);
	EXPECT_EQ(conn_lookup(ct, &k2) == NULL, 1, "cport is part of the key");
	k2 = k; k2.caddr.in.s_addr = htonl(0x0a0a0a0a);
	EXPECT_EQ(conn_lookup(ct, &k2) == NULL, 1, "client IP is part of the key");
	k2 = k; memset(k2.caddr.b + 4, 0xaa, 12);
	EXPECT_EQ(conn_lookup(ct, &k2) != NULL, 1,
	    "IPv4 key: unused address bytes are ignored");
	conn_flush(ct, &T);
	conn_table_destroy(ct);
}

static int
count_cb(struct conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static void
test_expiry(void)
{
	struct conn_table *ct = conn_table_create(1000);
	struct dest *d, *du;
	struct conn_key k;
	struct conn *c;
	struct drlb_timeouts tm;
	uint32_t t, n, total;
	int walked = 0, gone_early = 0;

	fresh();
	d = dest_of(IPPROTO_TCP, 1);
	du = dest_of(IPPROTO_UDP, 1);

	/* NONE: 2 s */
	k = key(IPPROTO_TCP, 1, 1);
	conn_insert(ct, &k, d, 100);
	EXPECT_EQ(conn_expire(ct, &T, 101, 10), 0, "NONE conn alive at +1");
	EXPECT_EQ(conn_expire(ct, &T, 102, 10), 1, "NONE conn expires at +2");
	EXPECT_EQ(conn_lookup(ct, &k) == NULL, 1, "expired conn is gone");
	EXPECT_EQ(d->inactconns, 0, "expired conn uncounted");
	EXPECT_EQ(d->refcnt, 1, "expired conn dropped its dest reference");

	/* refresh: re-slotted when its old slot comes up */
	k = key(IPPROTO_UDP, 1, 1);
	c = conn_insert(ct, &k, du, 200);		/* expires 500 */
	conn_seen(ct, c, 0, 450);			/* expires 750 */
	for (t = 201; t < 750; t++)
		if (conn_expire(ct, &T, t, 100) != 0)
			gone_early++;
	EXPECT_EQ(gone_early, 0, "refreshed UDP conn survives its first expiry");
	EXPECT_EQ(conn_lookup(ct, &k) == c, 1, "still there at 749");
	EXPECT_EQ(conn_expire(ct, &T, 750, 100), 1,
	    "re-slotted conn expires exactly at its new time");

	/* expiry moved earlier: ESTABLISHED (900) then FIN (120) */
	k = key(IPPROTO_TCP, 2, 2);
	c = conn_insert(ct, &k, d, 1000);
	conn_seen(ct, c, CONN_TCP_SYN, 1000);
	conn_seen(ct, c, CONN_TCP_ACK, 1000);		/* expires 1900 */
	for (t = 751, gone_early = 0; t < 1010; t++)	/* re-slotted to 1900 */
		if (conn_expire(ct, &T, t, 100) != 0)
			gone_early++;
	conn_seen(ct, c, CONN_TCP_FIN, 1010);		/* expires 1130 */
	for (; t < 1130; t++)
		if (conn_expire(ct, &T, t, 100) != 0)
			gone_early++;
	EXPECT_EQ(gone_early, 0, "FIN_WAIT conn alive until 1130");
	EXPECT_EQ(conn_expire(ct, &T, 1130, 100), 1,
	    "expiry moved earlier takes effect (FIN_WAIT 120 s, not 900)");

	/* a long timeout beyond one turn of the wheel */
	tm.tcp = 0; tm.tcp_fin = 0; tm.udp = 5000;
	conn_set_timeouts(ct, &tm);
	k = key(IPPROTO_UDP, 3, 3);
	conn_insert(ct, &k, du, 2000);			/* expires 7000 */
	for (t = 2000, gone_early = 0; t < 7000; t++)
		if (conn_expire(ct, &T, t, 100) != 0)
			gone_early++;
	EXPECT_EQ(gone_early, 0, "5000 s timeout survives several wheel turns");
	EXPECT_EQ(conn_expire(ct, &T, 7000, 100), 1, "and expires at +5000");

	/* bounded budget with carry-over */
	tm.udp = 300;
	conn_set_timeouts(ct, &tm);
	for (n = 0; n < 100; n++) {
		k = key(IPPROTO_UDP, 4, (uint16_t)(100 + n));
		conn_insert(ct, &k, du, 8000);		/* expires 8300 */
	}
	EXPECT_EQ(conn_expire(ct, &T, 8300, 30), 30, "budget 30: 30 removed");
	EXPECT_EQ(conn_count(ct), 70, "70 left for later");
	EXPECT_EQ(du->inactconns, 70, "InActConn follows");
	EXPECT_EQ(conn_expire(ct, &T, 8300, 30), 30, "carry-over: 30 more");
	EXPECT_EQ(conn_expire(ct, &T, 8301, 1000), 40, "the rest next tick");
	EXPECT_EQ(conn_count(ct), 0, "all gone");

	/* re-slotting costs budget too, expiry still exact afterwards */
	for (n = 0; n < 100; n++) {
		k = key(IPPROTO_UDP, 5, (uint16_t)(100 + n));
		c = conn_insert(ct, &k, du, 9000);	/* 9300 */
		conn_seen(ct, c, 0, 9100);		/* 9400 */
	}
	n = conn_expire(ct, &T, 9300, 5);
	EXPECT_EQ(n, 0, "refreshed entries are not expired");
	for (t = 9301, total = 0; t < 9400; t++)
		total += conn_expire(ct, &T, t, 5);
	EXPECT_EQ(total, 0, "none expire before 9400 while re-slotting in slices");
	for (t = 9400, total = 0; t < 9500; t++)
		total += conn_expire(ct, &T, t, 5);
	EXPECT_EQ(total, 100, "all 100 expire from 9400 on, 5 per call");

	/* a long pause: one call (unbounded budget) catches up */
	for (n = 0; n < 50; n++) {
		k = key(IPPROTO_TCP, 6, (uint16_t)(100 + n));
		c = conn_insert(ct, &k, d, 10000);
		conn_seen(ct, c, CONN_TCP_SYN, 10000);
		/* SYN_RECV is active: ACK keeps it so, FIN (TIME_WAIT) not */
		conn_seen(ct, c, n % 2 ? CONN_TCP_ACK : CONN_TCP_FIN, 10000);
	}
	EXPECT_EQ(d->activeconns * 1000 + d->inactconns, 25025,
	    "25 active, 25 inactive");
	conn_walk(ct, count_cb, &walked);
	EXPECT_EQ(walked, 50, "conn_walk visits every conn");
	EXPECT_EQ(conn_expire(ct, &T, 10000 + 100000, UINT32_MAX), 50,
	    "after a long pause everything due goes in one turn");
	EXPECT_EQ(d->activeconns + d->inactconns, 0, "counters back to 0");
	EXPECT_EQ(conn_expire(ct, &T, 10000 + 100001, 10), 0, "nothing left");
	conn_table_destroy(ct);
}

static void
test_full(void)
{
	struct conn_table *ct = conn_table_create(4);
	struct dest *d;
	struct conn_key k;
	struct conn *c;
	int i, ok = 0;

	fresh();
	d = dest_of(IPPROTO_TCP, 1);
	for (i = 0; i < 4; i++) {
		k = key(IPPROTO_TCP, 1, (uint16_t)(1 + i));
		ok += conn_insert(ct, &k, d, 100) != NULL;
	}
	EXPECT_EQ(ok, 4, "4 conns fit a table of 4");
	k = key(IPPROTO_TCP, 1, 99);
	errno = 0;
	c = conn_insert(ct, &k, d, 100);
	EXPECT_EQ(c == NULL, 1, "full: the new flow is refused");
	EXPECT_EQ(errno, ENOSPC, "full: errno ENOSPC");
	EXPECT_EQ(conn_count(ct), 4, "full: nothing evicted");
	EXPECT_EQ(d->inactconns, 4, "full: the refused flow is not counted");
	EXPECT_EQ(d->stats.conns, 4, "full: stats.conns not counted");
	k = key(IPPROTO_TCP, 1, 1);
	EXPECT_EQ(conn_lookup(ct, &k) != NULL, 1, "full: old conns still found");
	EXPECT_EQ(conn_max(ct), 4, "conn_max");
	EXPECT_EQ(conn_expire(ct, &T, 102, 1), 1, "one expires");
	k = key(IPPROTO_TCP, 1, 99);
	EXPECT_EQ(conn_insert(ct, &k, d, 102) != NULL, 1,
	    "room again after an expiry");
	conn_flush(ct, &T);
	conn_table_destroy(ct);
	EXPECT_EQ(conn_table_create(0) == NULL, 1, "max_conns 0 refused");
}

static void
test_trash(void)
{
	struct conn_table *ct = conn_table_create(16);
	struct drlb_ctl_req r;
	struct conn_key k;
	struct conn *c;
	struct dest *a;

	fresh();
	a = dest_of(IPPROTO_TCP, 1);
	k = key(IPPROTO_TCP, 1, 1);
	c = conn_insert(ct, &k, a, 100);
	conn_seen(ct, c, CONN_TCP_SYN, 100);
	conn_seen(ct, c, CONN_TCP_ACK, 100);		/* expires 1000 */

	r = fx_req(IPPROTO_TCP, 80, "wlc", 1, 1);
	EXPECT_EQ(svc_apply(&T, DRLB_CTL_DEL_DEST, &r, NULL, 0), 0, "-d A");
	EXPECT_EQ(T.trash == a, 1, "A with a live conn goes to the trash");
	EXPECT_EQ(svc_of(IPPROTO_TCP)->ndests, 0, "A is out of the service");
	EXPECT_EQ((a->flags & DEST_F_AVAILABLE) == 0, 1, "A not AVAILABLE");
	EXPECT_EQ(freed_count, 0, "A not freed yet");
	EXPECT_EQ(conn_lookup(ct, &k) == c && c->dest == a, 1,
	    "the conn keeps forwarding to A");
	conn_seen(ct, c, CONN_TCP_ACK, 500);		/* expires 1400 */
	EXPECT_EQ(a->activeconns, 1, "A still counts its conn");

	/* the service goes too: A's ->svc must stay valid */
	r = fx_req(IPPROTO_TCP, 80, "wlc", 0, 0);
	EXPECT_EQ(svc_apply(&T, DRLB_CTL_DEL_SVC, &r, NULL, 0), 0, "-D");
	EXPECT_EQ(a->svc->conf.port, 80, "trashed A's service still readable");
	EXPECT_EQ(conn_expire(ct, &T, 1000, 10), 0, "refreshed conn alive at 1000");
	EXPECT_EQ(freed_count, 0, "A alive while its conn is");
	EXPECT_EQ(conn_expire(ct, &T, 1400, 10), 1, "conn expires at 1400");
	EXPECT_EQ(freed_count, 1, "last dest_put frees A");
	EXPECT_EQ(freed_dest == a, 1, "on_dest_freed got A");
	EXPECT_EQ(T.trash == NULL, 1, "trash empty");
	conn_table_destroy(ct);
}

static void
test_overload(void)
{
	struct conn_table *ct = conn_table_create(16);
	struct drlb_ctl_req r;
	struct conn_key k;
	struct dest *a;
	int i;

	fresh();
	r = fx_req(IPPROTO_TCP, 80, "wlc", 1, 1);
	r.dest.u_threshold = 4;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	a = dest_of(IPPROTO_TCP, 1);
	for (i = 0; i < 3; i++) {
		k = key(IPPROTO_TCP, 1, (uint16_t)(1 + i));
		conn_insert(ct, &k, a, 100 + i);	/* expire 102.. */
	}
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0, "-x 4: 3 conns: not yet");
	k = key(IPPROTO_TCP, 1, 4);
	conn_insert(ct, &k, a, 103);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-x 4: 4 conns: overloaded");
	EXPECT_EQ(dest_usable(a), 0, "overloaded dest is not usable");
	conn_expire(ct, &T, 102, 10);			/* 3 left */
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "3 left: 3*4 < 4*3 is false: still overloaded");
	conn_expire(ct, &T, 103, 10);			/* 2 left */
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0,
	    "2 left: 2*4 < 4*3: cleared (no -y)");
	conn_flush(ct, &T);

	r.dest.u_threshold = 4;
	r.dest.l_threshold = 2;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	for (i = 0; i < 4; i++) {
		k = key(IPPROTO_TCP, 1, (uint16_t)(1 + i));
		conn_insert(ct, &k, a, 200 + i);
	}
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1, "-x 4 -y 2: overloaded");
	conn_expire(ct, &T, 203, 10);			/* 2 left */
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-y 2: 2 left is not below 2");
	conn_expire(ct, &T, 204, 10);			/* 1 left */
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0, "-y 2: 1 left clears");
	for (i = 0; i < 3; i++) {
		k = key(IPPROTO_TCP, 2, (uint16_t)(1 + i));
		conn_insert(ct, &k, a, 300);
	}
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1, "overloaded again");
	r.dest.u_threshold = 10;
	r.dest.l_threshold = 0;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0,
	    "-e raising -x above 4/3 of the count clears OVERLOAD");
	conn_flush(ct, &T);

	/* an -e that changes -x or -y looks again (__ip_vs_update_dest ->
	 * __ip_vs_dest_update_overload): set at or above -x, cleared below
	 * the lower threshold, kept in between */
	r.dest.u_threshold = 4;
	r.dest.l_threshold = 0;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	for (i = 0; i < 4; i++) {
		k = key(IPPROTO_TCP, 3, (uint16_t)(1 + i));
		conn_insert(ct, &k, a, 400);
	}
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1, "-x 4, 4 conns: overloaded");
	r.dest.u_threshold = 5;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-e -x 5 with 4 conns: 4 is not below 5 - 5/4: still overloaded");
	r.dest.weight = 2;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-e of the weight only: the overload state is not looked at");
	r.dest.u_threshold = 8;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0,
	    "-e -x 8: 4 is below 8 - 8/4: cleared");
	r.dest.u_threshold = 3;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-e -x 3 with 4 conns: overloaded at once, before any new one");
	k = key(IPPROTO_TCP, 3, 99);
	conn_insert(ct, &k, a, 400);		/* 5: no edge, stays */
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1, "5 conns: still");
	r.dest.u_threshold = 0;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0, "-e -x 0: cleared");
	r.dest.u_threshold = (uint32_t)INT_MAX + 1;
	EXPECT_EQ(svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0), EINVAL,
	    "-x above INT_MAX refused (ip_vs_edit_dest)");
	conn_flush(ct, &T);

	/* a persistence template counts in PersistConn only and leaves -x
	 * alone (ip_vs_bind_dest) */
	r.dest.u_threshold = 1;
	svc_apply(&T, DRLB_CTL_EDIT_DEST, &r, NULL, 0);
	k = key(IPPROTO_TCP, 4, 0);
	k.af |= CONN_KEY_TEMPLATE;
	conn_template_insert(ct, &k, a, 500, 60);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0,
	    "-x 1 and one template: not overloaded");
	k = key(IPPROTO_TCP, 4, 1);
	conn_insert(ct, &k, a, 500);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 1,
	    "-x 1 and one connection: overloaded");
	conn_flush(ct, &T);
	EXPECT_EQ((a->flags & DEST_F_OVERLOAD) != 0, 0,
	    "connection and template gone: cleared");
	conn_table_destroy(ct);
}

int
main(void)
{
	svc_table_init(&T);
	test_layout();
	test_states();
	test_active();
	test_timeouts();
	test_counting();
	test_keys();
	test_expiry();
	test_full();
	test_trash();
	test_overload();
	svc_table_free(&T);
	return EXPECT_DONE();
}
