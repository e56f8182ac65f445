/*
 * The connection table across a restart: save, then restore into a fresh
 * table with the same rules; every connection comes back with its real
 * server, state, remaining time and persistence link, and the counters
 * (ActiveConn, InActConn, PersistConn) come out as they were.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fanout.h"
#include "statefile.h"
#include "fixtures.h"
#include "sched.h"
#include "expect.h"

static void
rules(struct svc_table *st)
{
	svc_table_init(st);
	fx_svc(st, DRLB_CTL_ADD_SVC, 80, "wlc");
	fx_svc_persist(st, DRLB_CTL_ADD_SVC, 443, "wlc", 300, 0xffffffff);
	for (int p = 0; p < 2; p++)
		for (int i = 7; i <= 8; i++)
			fx_dest(st, DRLB_CTL_ADD_DEST, p ? 443 : 80, i, 1);
}

/*
 * With workers: a state file (or a sync message) puts each connection in
 * the table of the worker the kernel will give its frames (fanout.h), the
 * persistence templates in the one shared table, and the links between
 * them still hold.  A -M /24 client group shares one template across
 * workers.
 */
static void
test_workers(void)
{
	struct svc_table a, b;
	struct conn_set A, B;
	char path[] = "/tmp/drlb-state-XXXXXX";
	int fd = mkstemp(path), wrong = 0, unlinked = 0;
	unsigned per[2] = { 0, 0 };
	struct conn_key tk;
	struct conn *tmpl;
	long n, skipped;

	rules(&a);
	rules(&b);
	EXPECT_EQ(conn_set_create(&A, 2, 1024), 0, "a 2-worker set");
	EXPECT_EQ(conn_set_create(&B, 2, 1024), 0, "another");
	EXPECT(A.tmpl != A.w[0] && A.tmpl != A.w[1], "templates apart");
	conn_set_hooks(&A, &a, NULL, NULL, NULL);
	conn_set_hooks(&B, &b, NULL, NULL, NULL);
	/* one template for the client group 198.18.0.0/24 on :443 */
	tk = fx_key(443, 0);
	tk.caddr.b[3] = 0;
	tk.af |= CONN_KEY_TEMPLATE;
	EXPECT(conn_set_table(&A, &tk) == A.tmpl,
	    "a template key: the shared table");
	tmpl = conn_template_insert(A.tmpl, &tk, fx_dest_find(&a, 443, 8), 10,
	    300);
	for (int i = 0; i < 64; i++) {
		struct conn_key k = fx_key(443, (uint16_t)(3000 + i));
		struct conn_table *t;
		struct conn *c;

		k.caddr.b[3] = (uint8_t)(100 + i);
		t = conn_set_table(&A, &k);
		c = conn_insert(t, &k, fx_dest_find(&a, 443, 8), 10);
		conn_set_control(t, c, tmpl);
		conn_seen(t, c, CONN_TCP_SYN, 10);
		conn_seen(t, c, CONN_TCP_ACK, 10);
	}
	EXPECT_EQ(conn_n_control(A.tmpl, tmpl), 64,
	    "one template controls the group's 64 connections in both tables");
	EXPECT(conn_count(A.w[0]) > 10 && conn_count(A.w[1]) > 10,
	    "the 64 clients spread over both workers");
	EXPECT_EQ(conn_set_count(&A), 65, "the set counts all tables");
	n = statefile_save(fd, &A, 20);
	EXPECT_EQ(n, 65, "65 entries saved from three tables");
	lseek(fd, 0, SEEK_SET);
	n = statefile_restore(fd, &B, &b, 100, &skipped);
	EXPECT_EQ(n, 65, "65 restored");
	tmpl = conn_lookup(B.tmpl, &tk);
	EXPECT(tmpl != NULL, "the template is in the shared table");
	for (int i = 0; i < 64; i++) {
		struct conn_key k = fx_key(443, (uint16_t)(3000 + i));
		unsigned w = fanout_worker(AF_INET, &k.caddr, 2);
		struct conn *c;

		k.caddr.b[3] = (uint8_t)(100 + i);
		w = fanout_worker(AF_INET, &k.caddr, 2);
		c = conn_lookup(B.w[w], &k);
		if (c == NULL || conn_lookup(B.w[!w], &k) != NULL)
			wrong++;
		else {
			per[w]++;
			if (conn_control(B.w[w], c) != tmpl ||
			    conn_set_owner(&B, c) != B.w[w])
				unlinked++;
		}
	}
	EXPECT_EQ(wrong, 0, "each connection in its client's worker's table");
	EXPECT_EQ(unlinked, 0, "each still controlled by the shared template");
	EXPECT_EQ(per[0] + per[1], 64, "all 64");
	EXPECT(tmpl != NULL && conn_n_control(B.tmpl, tmpl) == 64,
	    "the template controls 64 after the restore");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns, 64, "ActiveConn 64");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->persistconns, 1, "PersistConn 1");
	conn_set_flush(&B, &b);
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns +
	    fx_dest_find(&b, 443, 8)->persistconns, 0,
	    "flushing the set uncounts everything");
	conn_set_flush(&A, &a);
	conn_set_destroy(&A);
	conn_set_destroy(&B);
	svc_table_free(&a);
	svc_table_free(&b);
	close(fd);
	unlink(path);
}

int
main(void)
{
	struct svc_table a, b;
	struct conn_table *ta = conn_table_create(256), *tb = conn_table_create(256);
	struct conn_key k, tk;
	struct conn *c, *tmpl;
	char path[] = "/tmp/drlb-state-XXXXXX";
	int fd = mkstemp(path);
	long n, skipped;
	struct conn_set sa, sb;

	conn_set_single(&sa, ta);
	conn_set_single(&sb, tb);
	rules(&a);
	rules(&b);
	/* port 80: 3 connections: established to .7, SYN_RECV to .8, FIN_WAIT to .7 */
	k = fx_key(80, 1000);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 7), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);
	k = fx_key(80, 1001);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 8), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	k = fx_key(80, 1002);
	c = conn_insert(ta, &k, fx_dest_find(&a, 80, 7), 10);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);
	conn_seen(ta, c, CONN_TCP_FIN, 10);
	/* port 443 persistent: a template to .8 controlling one connection */
	tk = fx_key(443, 0);
	tk.af |= CONN_KEY_TEMPLATE;
	tmpl = conn_template_insert(ta, &tk, fx_dest_find(&a, 443, 8), 10, 300);
	k = fx_key(443, 2000);
	c = conn_insert(ta, &k, fx_dest_find(&a, 443, 8), 10);
	conn_set_control(ta, c, tmpl);
	conn_seen(ta, c, CONN_TCP_SYN, 10);
	conn_seen(ta, c, CONN_TCP_ACK, 10);

	n = statefile_save(fd, &sa, 20);
	EXPECT_EQ(n, 5, "5 entries saved (4 connections, 1 template)");
	lseek(fd, 0, SEEK_SET);
	/* the new process has another clock: now = 1000 */
	n = statefile_restore(fd, &sb, &b, 1000, &skipped);
	EXPECT_EQ(n, 5, "5 entries restored");
	EXPECT_EQ(skipped, 0, "none skipped");
	EXPECT_EQ(conn_count(tb), 5, "table holds them");

	k = fx_key(80, 1000);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->dest == fx_dest_find(&b, 80, 7),
	    "connection keeps its real server");
	EXPECT(c != NULL && c->state == CONN_S_ESTABLISHED,
	    "... and its state");
	EXPECT(c != NULL && c->expires == 1000 + 900 - 10,
	    "... and its remaining time");
	k = fx_key(80, 1001);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->state == CONN_S_SYN_RECV &&
	    c->dest == fx_dest_find(&b, 80, 8),
	    "half-open connection restored as such");
	k = fx_key(80, 1002);
	c = conn_lookup(tb, &k);
	EXPECT(c != NULL && c->state == CONN_S_FIN_WAIT, "FIN_WAIT restored");
	EXPECT_EQ(fx_dest_find(&b, 80, 7)->activeconns, 1, "ActiveConn as before (.7)");
	EXPECT_EQ(fx_dest_find(&b, 80, 7)->inactconns, 1, "InActConn as before (.7)");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->activeconns, 1,
	    "ActiveConn as before (.8: SYN_RECV is active)");
	EXPECT_EQ(fx_dest_find(&b, 80, 8)->inactconns, 0, "InActConn as before (.8)");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->persistconns, 1, "PersistConn as before");
	EXPECT_EQ(fx_dest_find(&b, 443, 8)->activeconns, 1, "persistent service's ActiveConn");
	k = fx_key(443, 2000);
	c = conn_lookup(tb, &k);
	tmpl = conn_lookup(tb, &tk);
	EXPECT(c != NULL && tmpl != NULL && conn_control(tb, c) == tmpl,
	    "connection still controlled by its template");
	EXPECT(tmpl != NULL && conn_n_control(tb, tmpl) == 1,
	    "template controls 1");

	/* a real server gone from the rules: its connections are skipped */
	{
		struct conn_table *tc = conn_table_create(256);
		struct svc_table c3;

		rules(&c3);
		fx_dest(&c3, DRLB_CTL_DEL_DEST, 80, 7, 0);
		lseek(fd, 0, SEEK_SET);
		struct conn_set sc;

		conn_set_single(&sc, tc);
		n = statefile_restore(fd, &sc, &c3, 50, &skipped);
		EXPECT_EQ(n, 3, "restored what still has a real server");
		EXPECT_EQ(skipped, 2,
		    "skipped the 2 of the removed real server");
		conn_flush(tc, &c3);
		conn_table_destroy(tc);
		svc_table_free(&c3);
	}
	/* not a state file */
	{
		char junk[64] = "this is not a state file at all, not at all....";

		if (ftruncate(fd, 0) == 0 && write(fd, junk, sizeof(junk)) == 64) {
			lseek(fd, 0, SEEK_SET);
			EXPECT_EQ(statefile_restore(fd, &sb, &b, 1, &skipped), -1,
			    "a file that is not ours is refused");
		}
	}
	close(fd);
	unlink(path);
	conn_flush(ta, &a);
	conn_flush(tb, &b);
	conn_table_destroy(ta);
	conn_table_destroy(tb);
	svc_table_free(&a);
	svc_table_free(&b);
	test_workers();
	return EXPECT_DONE();
}
