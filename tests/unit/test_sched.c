/*
 * Unit tests of the schedulers (sched/wrr.c, sched/wlc.c, sched/sched.c)
 * against sequences computed by hand from ip_vs_wrr.c / ip_vs_wlc.c.
 *
 * Real servers are named by the last octet of 198.18.0.N: 1 = A, 2 = B, ...
 * IPVS keeps the newest dest first, which decides the order of a pass.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "expect.h"


static struct svc_table T;
static struct conn_table *CT;
static uint32_t now = 1000;
static uint16_t next_cport = 10000;

#define VIP "198.18.0.1"
#define VPORT 80

static struct svc *
the_svc(void)
{
	union drlb_inaddr a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, VIP, &a.in);
	return svc_find(&T, AF_INET, IPPROTO_TCP, &a, VPORT);
}

static struct dest *
dest_n(int n)
{
	return fx_dest_find(&T, VPORT, n);
}

/* a fresh service with this scheduler; dests added in this order with
 * these weights, their MACs "learnt" (NOMAC cleared and the scheduler
 * told, as arp.c does) */
static void
setup(const char *sched, const int *weights, int n)
{
	int i;

	if (CT != NULL) {
		conn_flush(CT, &T);
		conn_table_destroy(CT);
	}
	svc_table_free(&T);
	svc_table_init(&T);
	CT = conn_table_create(4096);
	fx_svc(&T, DRLB_CTL_ADD_SVC, VPORT, sched);
	for (i = 0; i < n; i++) {
		fx_dest(&T, DRLB_CTL_ADD_DEST, VPORT, i + 1, weights[i]);
		fx_resolve(dest_n(i + 1), NULL);
	}
}

static void
set_weight(int n, int w)
{
	fx_dest(&T, DRLB_CTL_EDIT_DEST, VPORT, n, w);
}

static char
letter(const struct dest *d)
{
	if (d == NULL)
		return '-';
	return (char)('A' - 1 + (ntohl(d->conf.addr.in.s_addr) & 0xff));
}

/* n picks as letters; with `open`, each pick also opens a connection on
 * the chosen dest (inactive until established) */
static const char *
picks(int n, int open)
{
	static char buf[1024];
	struct svc *s = the_svc();
	int i;

	for (i = 0; i < n && i < (int)sizeof(buf) - 1; i++) {
		struct conn_key k;
		struct dest *d;

		memset(&k, 0, sizeof(k));
		k.af = AF_INET;
		k.protocol = IPPROTO_TCP;
		inet_pton(AF_INET, "198.51.100.7", &k.caddr.in);
		k.vaddr = s->conf.addr;
		k.cport = htons(next_cport++);
		k.vport = htons(VPORT);
		d = s->sched->schedule(s, &k);
		buf[i] = letter(d);
		if (open && d != NULL)
			conn_insert(CT, &k, d, now);
	}
	buf[i] = '\0';
	return buf;
}

static void
test_registry(void)
{
	EXPECT_STR(sched_find("wrr") ? sched_find("wrr")->name : NULL, "wrr",
	    "sched_find finds wrr");
	EXPECT_STR(sched_find("wlc") ? sched_find("wlc")->name : NULL, "wlc",
	    "sched_find finds wlc");
	EXPECT_EQ(sched_find("nope") == NULL, 1, "sched_find: unknown is NULL");
	EXPECT_EQ(sched_find("") == NULL, 1, "sched_find: empty is NULL");
}

static void
test_wrr(void)
{
	static const int w31[] = { 3, 1 };
	static const int w432[] = { 4, 3, 2 };
	static const int w762[] = { 7, 6, 1 };
	static const int w42[] = { 4, 2 };
	static const int w201[] = { 2, 0, 1 };
	static const int w10[] = { 1, 0 };
	static const int w00[] = { 0, 0 };

	/*
	 * Dests are added one by one (ipvsadm -a), so the state is what
	 * ip_vs_wrr_dest_changed made of it, not a fresh init: adding A=3 to
	 * the empty service gives di 3, mw 3 - 2 = 1, cw 0 -> 1; adding B=1
	 * gives di 1, mw 3, cw stays 1.  List B(1) A(3).
	 * cw 1: B A; then the cycle cw 3: A; 2: A; 1: B A.
	 */
	setup("wrr", w31, 2);
	EXPECT_STR(picks(8, 0), "BAAABAAA", "wrr 3:1 (A=3 then B=1)");

	/* A=4, B=3, C=2 one by one: cw ends at 1; list C(2) B(3) A(4).
	 * cw 1: C B A; then the cycle cw 4: A; 3: B A; 2: C B A; 1: C B A */
	setup("wrr", w432, 3);
	EXPECT_STR(picks(21, 0), "CBAABACBACBAABACBACBA",
	    "wrr 4,3,2 added A,B,C: IPVS's newest-first cycle A BA CBA CBA");

	/* the same after -E: init_svc sees all three, cw starts at mw 4 */
	setup("wrr", w432, 3);
	fx_svc(&T, DRLB_CTL_EDIT_SVC, VPORT, "wlc");
	fx_svc(&T, DRLB_CTL_EDIT_SVC, VPORT, "wrr");
	EXPECT_STR(picks(9, 0), "ABACBACBA", "wrr 4,3,2 from a fresh init_svc");

	/* mid-stream weight edit: after C B A A B A (cw 3, last A) B goes
	 * 3 -> 1; dest_changed: cl = head, di 1, mw 4, cw stays 3 */
	setup("wrr", w432, 3);
	EXPECT_STR(picks(6, 0), "CBAABA", "wrr 4,3,2 first picks");
	set_weight(2, 1);
	EXPECT_STR(picks(13, 0), "ACACBAAACACBA",
	    "wrr weight edit B 3->1 mid-stream (cw kept, scan from head)");

	/* di > 1 after an edit: A=7 B=6 C=1 (cw 1 after the adds); after
	 * C B A A B A cw is 6.  C -> 3
	 * (di 1, cw 6 kept), then A -> 9: weights 9,6,3, di 3, mw 7, and
	 * ip_vs_wrr_dest_changed sets cw = (6 / 3) * 3 + 1 = 7, so B (6) is
	 * not picked first */
	setup("wrr", w762, 3);
	EXPECT_STR(picks(6, 0), "CBAABA", "wrr 7,6,1 first picks");
	set_weight(3, 3);
	set_weight(1, 9);
	EXPECT_STR(picks(12, 0), "ABACBAABACBA",
	    "wrr edit to weights 9,6,3: cw = (cw/di)*di + 1");

	/* gcd 2: A=4 (di 4, mw 1, cw 1), B=2 (di 2, mw 3, cw = (1/2)*2+1 =
	 * 1); list B A.  cw 1: B A; cycle cw 3: A; cw 1: B A */
	setup("wrr", w42, 2);
	EXPECT_STR(picks(6, 0), "BAABAA", "wrr 4:2 with di = 2 (mw = 4 - 1)");

	/* dest removed mid-stream: A=4 B=3 C=2, C B A A (cw 4); delete A:
	 * mw 3 < cw -> cw = 3; list C B */
	setup("wrr", w432, 3);
	EXPECT_STR(picks(4, 0), "CBAA", "wrr before removal");
	fx_dest(&T, DRLB_CTL_DEL_DEST, VPORT, 1, 0);
	EXPECT_STR(picks(10, 0), "BCBCBBCBCB",
	    "wrr after removing the heaviest dest (cw clamped to mw)");

	/* dest added mid-stream: after C B A A B A (cw 3) D=5 is added at
	 * the head: list D C B A, mw 5, cw stays 3, scan from the head */
	setup("wrr", w432, 3);
	EXPECT_STR(picks(6, 0), "CBAABA", "wrr before adding D");
	fx_dest(&T, DRLB_CTL_ADD_DEST, VPORT, 4, 5);
	fx_resolve(dest_n(4), NULL);
	EXPECT_STR(picks(17, 0), "DBADCBADCBADDADBA",
	    "wrr after adding D=5 mid-stream");

	/* weight 0 never picked: A=2 B=0 C=1, list C B A, cw 1 after adds:
	 * C A; cycle cw 2: A; 1: C A */
	setup("wrr", w201, 3);
	EXPECT_STR(picks(6, 0), "CAACAA", "wrr: weight 0 (B) never picked");
	setup("wrr", w10, 2);
	EXPECT_STR(picks(3, 0), "AAA", "wrr: only the weight>0 dest");
	setup("wrr", w00, 2);
	EXPECT_STR(picks(2, 0), "--", "wrr: all weights 0 -> no dest");

	/* unusable dests are skipped without a dest_changed: cw 1: C A;
	 * cw 4: A; 3: A; 2: C A */
	setup("wrr", w432, 3);
	dest_n(2)->flags |= DEST_F_NOMAC;
	EXPECT_STR(picks(6, 0), "CAAACA", "wrr skips a dest without MAC");
	dest_n(2)->flags &= ~DEST_F_NOMAC;
	dest_n(1)->flags |= DEST_F_OVERLOAD;
	dest_n(3)->flags |= DEST_F_OVERLOAD;
	EXPECT_STR(picks(3, 0), "BBB", "wrr skips overloaded dests");
	dest_n(2)->flags |= DEST_F_OVERLOAD;
	EXPECT_STR(picks(2, 0), "--", "wrr: all unusable -> NULL, terminates");
	dest_n(1)->flags &= ~DEST_F_OVERLOAD;
	EXPECT_STR(picks(2, 0), "AA", "wrr recovers when a dest is usable again");

	/* -E to wrr on a service with dests: init_svc sees them */
	setup("wlc", w432, 3);
	fx_svc(&T, DRLB_CTL_EDIT_SVC, VPORT, "wrr");
	EXPECT_STR(picks(9, 0), "ABACBACBA", "wrr after -E from wlc");
}

static void
establish(struct dest *d)
{
	/* one more ESTABLISHED connection on d */
	struct conn_key k;
	struct conn *c;

	memset(&k, 0, sizeof(k));
	k.af = AF_INET;
	k.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.51.100.9", &k.caddr.in);
	k.vaddr = the_svc()->conf.addr;
	k.cport = htons(next_cport++);
	k.vport = htons(VPORT);
	c = conn_insert(CT, &k, d, now);
	conn_seen(CT, c, CONN_TCP_SYN, now);
	conn_seen(CT, c, CONN_TCP_ACK, now);
}

static void
test_wlc(void)
{
	static const int w12[] = { 1, 2 };
	static const int w11[] = { 1, 1 };
	static const int w01[] = { 0, 1 };
	static const int w0[] = { 0 };
	static const int w111[] = { 1, 1, 1 };
	const char *s;
	int i, na;

	/* list B(2) A(1); each pick opens an inactive connection:
	 * 0/0 -> B; B1 A0 -> A; B1 A1: 1*1 > 1*2 no -> B; B2 A1: 2 > 2 no
	 * -> B; B3 A1: 3 > 2 -> A; B3 A2: 3 > 4 no -> B; B4 A2 -> B (tie);
	 * B5 A2: 5 > 4 -> A */
	setup("wlc", w12, 2);
	EXPECT_STR(picks(8, 1), "BABBABBA",
	    "wlc 1:2 with open connections (ties to the newer dest)");
	EXPECT_EQ(dest_n(1)->inactconns, 3, "wlc: A holds 3 connections");
	EXPECT_EQ(dest_n(2)->inactconns, 5, "wlc: B holds 5 connections");

	/* an active connection weighs 257 inactive ones (activeconns * 256
	 * + totalconns, ip_vs_dest_conn_overhead): A takes 257 against B's
	 * one active, the 258th ties and goes to B (newer) */
	setup("wlc", w11, 2);
	establish(dest_n(2));
	EXPECT_EQ(dest_n(2)->activeconns, 1, "wlc: B has one active connection");
	s = picks(258, 1);
	for (i = 0, na = 0; i < 257; i++)
		na += s[i] == 'A';
	EXPECT_EQ(na, 257, "wlc: A takes 257 new connections against 1 active");
	EXPECT_EQ(s[257], 'B', "wlc: the 258th ties and goes to B (newer)");

	/* weight 0 never */
	setup("wlc", w01, 2);
	EXPECT_STR(picks(4, 1), "BBBB", "wlc: weight 0 (A) never picked");
	setup("wlc", w0, 1);
	EXPECT_STR(picks(2, 1), "--", "wlc: only weight 0 -> no dest");

	/* first usable weight>0 is the start, unusable skipped */
	setup("wlc", w111, 3);
	dest_n(3)->flags |= DEST_F_NOMAC;
	sched_dest_load_changed(dest_n(3));
	EXPECT_STR(picks(4, 1), "BABA", "wlc skips a dest without MAC");
	dest_n(2)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(dest_n(2));
	EXPECT_STR(picks(2, 1), "AA", "wlc skips an overloaded dest");
	dest_n(1)->flags |= DEST_F_OVERLOAD;
	sched_dest_load_changed(dest_n(1));
	EXPECT_STR(picks(1, 1), "-", "wlc: all unusable -> NULL");

	/* weight edit: C (newest) goes to 3 against B and A at 1; list C B A.
	 * C0 B0 A0 -> C.  C1: B 1*1 > 0*3 -> B; A 0 > 0 no -> B.
	 * C1 B1 A0: B 1 > 3 no; A 1 > 0 -> A.  C1 B1 A1 -> C.  C2: B 2 > 3
	 * no -> C.  C3: B 3 > 3 no -> C.  C4: B 4 > 3 -> B; A 1 > 1 no -> B */
	setup("wlc", w111, 3);
	set_weight(3, 3);
	EXPECT_STR(picks(7, 1), "CBACCCB", "wlc weights 3,1,1 with connections");
}

int
main(void)
{
	svc_table_init(&T);
	test_registry();
	test_wrr();
	test_wlc();
	conn_flush(CT, &T);
	conn_table_destroy(CT);
	svc_table_free(&T);
	return EXPECT_DONE();
}
