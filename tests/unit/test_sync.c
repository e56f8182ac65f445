/*
 * Connection synchronisation: IPVS's version-1 messages byte for byte (the
 * offsets and sizes of ip_vs_sync.c's struct ip_vs_sync_mesg, ip_vs_sync_v4
 * and ip_vs_sync_v6, network byte order), decoded back, the kernel's
 * reasons to drop a message or skip an entry, and entries applied to a
 * backup's table: bound to its own real servers, templates linked, the
 * real servers' counters right.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "sync.h"
#include "fixtures.h"
#include "expect.h"

static void
rules(struct svc_table *st)
{
	svc_table_init(st);
	fx_svc(st, DRLB_CTL_ADD_SVC, 80, "wlc");
	fx_svc_persist(st, DRLB_CTL_ADD_SVC, 443, "wlc", 300,
	    htonl(0xffffff00));
	for (int p = 0; p < 2; p++)
		for (int i = 7; i <= 8; i++)
			fx_dest(st, DRLB_CTL_ADD_DEST, p ? 443 : 80, i, 1);
}

/* decode into an array */
struct got {
	struct sync_conn sc[8];
	int n;
};

static void
collect(void *arg, const struct sync_conn *sc)
{
	struct got *g = arg;

	if (g->n < 8)
		g->sc[g->n++] = *sc;
}

static int
decode(const uint8_t *b, size_t len, uint8_t syncid, struct got *g,
    struct sync_decode_stats *st)
{
	memset(g, 0, sizeof(*g));
	return sync_mesg_decode(b, len, syncid, collect, g, st);
}

static void
test_layout_v4(void)
{
	/* what the kernel's ip_vs_sync_conn() writes for an ESTABLISHED DR
	 * connection 198.18.0.100:40000 -> 198.18.0.1:80 via 198.18.0.7:80,
	 * syncid 7: header, then struct ip_vs_sync_v4 */
	static const uint8_t want[8 + 36] = {
		0x00, 0x07, 0x00, 0x2c,		/* reserved, syncid, size 44 */
		0x01, 0x01, 0x00, 0x00,		/* nr_conns 1, version 1, spare */
		0x00, 0x06, 0x00, 0x24,		/* type v4, TCP, ver 0 | size 36 */
		0x00, 0x00, 0x00, 0x83,		/* flags DROUTE|NOOUTPUT */
		0x00, 0x01,			/* state ESTABLISHED */
		0x9c, 0x40,			/* cport 40000 */
		0x00, 0x50,			/* vport 80 */
		0x00, 0x50,			/* dport 80 */
		0x00, 0x00, 0x00, 0x00,		/* fwmark */
		0x00, 0x00, 0x03, 0x84,		/* timeout 900 s */
		198, 18, 0, 100,		/* caddr */
		198, 18, 0, 1,			/* vaddr */
		198, 18, 0, 7,			/* daddr */
	};
	uint8_t buf[256];
	struct sync_conn sc, back;
	struct sync_decode_stats st;
	struct got g;

	memset(&sc, 0, sizeof(sc));
	sc.af = AF_INET;
	sc.protocol = IPPROTO_TCP;
	sc.flags = SYNC_F_DROUTE | SYNC_F_NOOUTPUT;
	sc.state = CONN_S_ESTABLISHED;
	sc.cport = htons(40000);
	sc.vport = htons(80);
	sc.dport = htons(80);
	sc.timeout = 900;
	inet_pton(AF_INET, "198.18.0.100", &sc.caddr.in);
	inet_pton(AF_INET, "198.18.0.1", &sc.vaddr.in);
	inet_pton(AF_INET, "198.18.0.7", &sc.daddr.in);

	sync_mesg_init(buf, 7);
	EXPECT_EQ(sync_mesg_len(buf), SYNC_MESG_HLEN,
	    "v4: empty message is the 8-byte header");
	EXPECT_EQ(sync_mesg_add(buf, sizeof(buf), &sc), 0, "v4: entry added");
	EXPECT_EQ(sync_mesg_len(buf), sizeof(want),
	    "v4: 8 + 36 bytes (sizeof ip_vs_sync_v4)");
	EXPECT_MEM(buf, want, sizeof(want), "v4: bytes as ip_vs_sync.c lays them out");
	EXPECT_EQ(decode(buf, sizeof(want), 7, &g, &st), 0, "v4: decodes");
	EXPECT_EQ(g.n, 1, "v4: one entry");
	back = g.sc[0];
	EXPECT_MEM(&back, &sc, sizeof(sc), "v4: decoded entry equals the encoded one");
	/* a second entry: 36 is a multiple of 4, so no padding */
	EXPECT_EQ(sync_mesg_add(buf, sizeof(buf), &sc), 0, "v4: second entry");
	EXPECT_EQ(sync_mesg_len(buf), 8 + 72, "v4: two entries, no padding");
	EXPECT_EQ(buf[4], 2, "v4: nr_conns 2");
	EXPECT_EQ(sync_mesg_add(buf, 8 + 72 + 35, &sc), -1,
	    "v4: an entry that does not fit is refused");
	EXPECT_EQ(decode(buf, 80, 7, &g, &st), 0, "v4: two decode");
	EXPECT_EQ(g.n, 2, "v4: two entries back");

	/* the kernel's reasons to drop a whole message */
	EXPECT_EQ(decode(buf, 79, 7, &g, &st), -1,
	    "drop: size field is not the datagram's length");
	EXPECT_EQ(decode(buf, 80, 8, &g, &st), -1, "drop: another syncid");
	EXPECT_EQ(decode(buf, 80, 0, &g, &st), 0,
	    "backup syncid 0 takes every syncid");
	buf[5] = 0;
	EXPECT_EQ(decode(buf, 80, 7, &g, &st), -1,
	    "drop: version 0 (not spoken)");
	buf[5] = 1;
	buf[4] = 3;
	EXPECT_EQ(decode(buf, 80, 7, &g, &st), -1,
	    "drop: nr_conns past the end");
	buf[4] = 2;
	buf[8 + 3] = 0x30;		/* entry size 48 > what is there */
	buf[8 + 36 + 3] = 0x24;
	EXPECT_EQ(decode(buf, 80, 7, &g, &st), -1,
	    "drop: entry size past the end");
}

static void
test_layout_v6_and_options(void)
{
	uint8_t buf[512];
	struct sync_conn sc;
	struct sync_decode_stats st;
	struct got g;
	size_t len;

	memset(&sc, 0, sizeof(sc));
	sc.af = AF_INET6;
	sc.protocol = IPPROTO_UDP;
	sc.flags = SYNC_F_DROUTE | SYNC_F_NOOUTPUT | SYNC_F_INACTIVE;
	sc.cport = htons(5353);
	sc.vport = htons(53);
	sc.dport = htons(53);
	sc.timeout = 300;
	inet_pton(AF_INET6, "2001:db8::100", &sc.caddr.in6);
	inet_pton(AF_INET6, "2001:db8::1", &sc.vaddr.in6);
	inet_pton(AF_INET6, "2001:db8::7", &sc.daddr.in6);
	sync_mesg_init(buf, 1);
	EXPECT_EQ(sync_mesg_add(buf, sizeof(buf), &sc), 0, "v6: entry added");
	EXPECT_EQ(sync_mesg_len(buf), 8 + 72,
	    "v6: 8 + 72 bytes (sizeof ip_vs_sync_v6)");
	EXPECT_EQ(buf[8], 1, "v6: type has STYPE_F_INET6");
	EXPECT_EQ(buf[9], IPPROTO_UDP, "v6: protocol at offset 1");
	EXPECT_EQ(buf[8 + 2] << 8 | buf[8 + 3], 72, "v6: ver_size 72");
	EXPECT_EQ(buf[8 + 7], 0x83, "v6: flags low byte");
	EXPECT_EQ(buf[8 + 6], 0x01, "v6: INACTIVE (0x0100)");
	EXPECT_EQ(buf[8 + 23], 44, "v6: timeout 300 = 0x012c");
	EXPECT_MEM(buf + 8 + 24, sc.caddr.b, 16, "v6: caddr at 24");
	EXPECT_MEM(buf + 8 + 40, sc.vaddr.b, 16, "v6: vaddr at 40");
	EXPECT_MEM(buf + 8 + 56, sc.daddr.b, 16, "v6: daddr at 56");
	EXPECT_EQ(decode(buf, 80, 1, &g, &st), 0, "v6: decodes");
	EXPECT(g.n == 1 && memcmp(&g.sc[0], &sc, sizeof(sc)) == 0,
	    "v6: round trip");

	/* options after the entry, as the kernel handles them: an optional
	 * (0x40) unknown one is ignored, a sequence option (NAT) accepted,
	 * an unknown mandatory one skips the entry, not the message */
	len = sync_mesg_len(buf);
	{
		uint8_t *e = buf + 8;
		uint8_t opt[2 + 24 + 2 + 2] = { 1, 24 };

		opt[26] = 0x40 | 9;		/* optional, unknown */
		opt[27] = 2;
		memcpy(buf + len, opt, sizeof(opt));
		memset(buf + len + sizeof(opt), 0xee, 2);
		len += sizeof(opt) + 2;		/* 72 + 26 + 4 = 102 */
		e[2] = 0;
		e[3] = (uint8_t)(72 + 30);
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
	}
	EXPECT_EQ(decode(buf, len, 1, &g, &st), 0, "options: message accepted");
	EXPECT_EQ(g.n, 1,
	    "options: seq data and an optional unknown option pass");
	buf[8 + 72 + 26] = 9;			/* now mandatory */
	EXPECT_EQ(decode(buf, len, 1, &g, &st), 0,
	    "options: mandatory unknown: message kept");
	EXPECT(g.n == 0 && st.skipped == 1, "options: ... the entry skipped");
	buf[8 + 72 + 1] = 23;			/* seq data of the wrong size */
	EXPECT_EQ(decode(buf, len, 1, &g, &st), -1,
	    "options: bad seq length drops the message");
}

static void
test_apply(void)
{
	struct svc_table a, b;
	struct conn_table *ta = conn_table_create(256), *tb = conn_table_create(256);
	struct conn_key k, k2, tk;
	struct conn *c, *c2, *tmpl, *bc, *bt;
	uint8_t buf[1500];
	struct sync_conn sc;
	struct sync_decode_stats st;
	struct sync_apply_stats as;
	struct got g;
	struct conn_set sb;

	conn_set_single(&sb, tb);
	rules(&a);
	rules(&b);
	conn_table_bind(ta, &a);
	conn_table_bind(tb, &b);

	/* master: an ESTABLISHED connection on :80 to .8, and a persistent
	 * one on :443 to .7 with its template (client /24) */
	k = fx_key(80, 40000);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 8), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);
	EXPECT_EQ(c->state, CONN_S_ESTABLISHED, "master: :80 established");
	tk = fx_key(443, 0);
	tk.caddr.b[3] = 0;
	tk.af |= CONN_KEY_TEMPLATE;
	tmpl = conn_template_insert(ta, &tk, fx_dest_find(&a, 443, 7), 10, 300);
	k2 = fx_key(443, 40001);
	c2 = conn_insert(ta, &k2, fx_dest_find(&a, 443, 7), 10);
	conn_set_control(ta, c2, tmpl);
	conn_seen(ta, c2, CONN_TCP_SYN, 10);
	conn_seen(ta, c2, CONN_TCP_ACK, 10);

	sync_mesg_init(buf, 1);
	sync_conn_from(&sc, ta, tmpl);
	EXPECT_EQ(sc.flags, SYNC_F_TEMPLATE | SYNC_F_INACTIVE | SYNC_F_NOOUTPUT | SYNC_F_DROUTE,
	    "template: flags as IPVS's (0x1183)");
	EXPECT_EQ(sc.timeout, 300,
	    "template: timeout is the persistence timeout");
	EXPECT_EQ(sc.cport, 0, "template: cport 0");
	EXPECT_EQ(sc.caddr.b[3], 0, "template: client masked");
	sync_mesg_add(buf, sizeof(buf), &sc);
	sync_conn_from(&sc, ta, c2);
	EXPECT_EQ(sc.flags, SYNC_F_NOOUTPUT | SYNC_F_DROUTE,
	    "established: not INACTIVE");
	EXPECT_EQ(sc.timeout, 900, "established: 900 s");
	sync_mesg_add(buf, sizeof(buf), &sc);
	sync_conn_from(&sc, ta, c);
	EXPECT_EQ(ntohs(sc.dport), 80, "dport: the real server's port");
	sync_mesg_add(buf, sizeof(buf), &sc);
	EXPECT_EQ(decode(buf, sync_mesg_len(buf), 1, &g, &st), 0,
	    "three entries decode");
	EXPECT_EQ(g.n, 3, "three entries");

	/* backup at t=100: its own dests, found by address */
	memset(&as, 0, sizeof(as));
	for (int i = 0; i < g.n; i++)
		sync_apply(&sb, &b, 100, &g.sc[i], &as);
	EXPECT_EQ(as.templates, 1, "backup: template created");
	EXPECT_EQ(as.created, 2, "backup: two connections created");
	bc = conn_lookup(tb, &k);
	EXPECT(bc != NULL && bc->dest == fx_dest_find(&b, 80, 8),
	    "backup: :80 bound to its own .8");
	EXPECT(bc != NULL && bc->state == CONN_S_ESTABLISHED,
	    "backup: :80 ESTABLISHED");
	EXPECT(bc != NULL && bc->expires == 100 + 900,
	    "backup: expires 900 s after the message");
	bt = conn_lookup(tb, &tk);
	EXPECT(bt != NULL && bt->dest == fx_dest_find(&b, 443, 7),
	    "backup: template bound to .7");
	c2 = conn_lookup(tb, &k2);
	EXPECT(c2 != NULL && conn_control(tb, c2) == bt,
	    "backup: connection linked to its template");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->activeconns, 1,
	    "backup: .8 ActiveConn 1");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->inactconns, 0,
	    "backup: .8 InActConn 0");
	EXPECT_EQ(fx_dest_find(&b, 443, 7)->persistconns, 1,
	    "backup: .7 PersistConn 1");

	/* an update: the connection closes on the master */
	conn_seen(ta, conn_lookup(ta, &k), CONN_TCP_FIN, 20);
	sync_conn_from(&sc, ta, conn_lookup(ta, &k));
	EXPECT_EQ(sc.state, CONN_S_FIN_WAIT, "master: FIN_WAIT");
	EXPECT(sc.flags & SYNC_F_INACTIVE, "master: FIN_WAIT is INACTIVE");
	memset(&as, 0, sizeof(as));
	sync_apply(&sb, &b, 110, &sc, &as);
	EXPECT_EQ(as.updated, 1, "backup: updated, not created");
	EXPECT_EQ(bc->state, CONN_S_FIN_WAIT, "backup: FIN_WAIT");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->activeconns, 0,
	    "backup: .8 ActiveConn back to 0");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->inactconns, 1,
	    "backup: .8 InActConn 1");
	EXPECT_EQ(bc->expires, 110 + 120,
	    "backup: FIN_WAIT timeout from the message");

	/* a real server the backup does not have: skipped, counted */
	inet_pton(AF_INET, "198.18.0.9", &sc.daddr.in);
	sc.cport = htons(40002);
	sync_apply(&sb, &b, 110, &sc, &as);
	EXPECT_EQ(as.no_dest, 1, "backup: unknown real server counted");
	/* another service's port */
	sc.vport = htons(8080);
	inet_pton(AF_INET, "198.18.0.7", &sc.daddr.in);
	sync_apply(&sb, &b, 110, &sc, &as);
	EXPECT_EQ(as.no_dest, 2, "backup: no such service counted");
	EXPECT_EQ(conn_count(tb), 3, "backup: still three entries");

	/* a half-open connection: the master counts SYN_RECV as active
	 * (tcp_state_active_table) and sends it without INACTIVE; the
	 * backup counts it as the message says (ip_vs_proc_conn), even
	 * where the state would say otherwise */
	k = fx_key(80, 40003);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 8), 120);
	conn_seen(ta, c, CONN_TCP_SYN, 120);
	sync_conn_from(&sc, ta, c);
	EXPECT(sc.state == CONN_S_SYN_RECV && !(sc.flags & SYNC_F_INACTIVE),
	    "master: SYN_RECV goes out active");
	sync_apply(&sb, &b, 120, &sc, &as);
	EXPECT(fx_dest_find(&b, 80, 8)->activeconns == 1 &&
	    fx_dest_find(&b, 80, 8)->inactconns == 1,
	    "backup: the SYN_RECV connection in ActiveConn");
	sc.state = CONN_S_ESTABLISHED;
	sc.flags |= SYNC_F_INACTIVE;
	sync_apply(&sb, &b, 121, &sc, &as);
	bc = conn_lookup(tb, &k);
	EXPECT(bc != NULL && bc->state == CONN_S_ESTABLISHED &&
	    fx_dest_find(&b, 80, 8)->activeconns == 0 &&
	    fx_dest_find(&b, 80, 8)->inactconns == 2,
	    "backup: the message's INACTIVE wins over the state");
	sc.flags &= ~SYNC_F_INACTIVE;
	sync_apply(&sb, &b, 122, &sc, &as);
	EXPECT(fx_dest_find(&b, 80, 8)->activeconns == 1 &&
	    fx_dest_find(&b, 80, 8)->inactconns == 1,
	    "backup: and moves back when the flag does");

	conn_flush(ta, &a);
	conn_flush(tb, &b);
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->inactconns +
	    fx_dest_find(&b, 80, 8)->activeconns, 0,
	    "backup: counts back to 0");
	conn_table_destroy(ta);
	conn_table_destroy(tb);
	svc_table_free(&a);
	svc_table_free(&b);
}

int
main(void)
{
	test_layout_v4();
	test_layout_v6_and_options();
	test_apply();
	return EXPECT_DONE();
}
