/*
 * SYN-flood defences of the connection table: a full table gives a
 * half-open connection's place to a new flow, never an established one's;
 * under pressure half-open connections time out sooner.
 */
#include "fixtures.h"
#include "expect.h"

static struct svc_table st;

static struct dest *
setup(void)
{
	svc_table_init(&st);
	fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "wlc");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7, 1);
	return st.head->dests[0];
}

/* the n-th client port of the recipe's client to VIP:80 */
static struct conn_key
key(uint32_t n)
{
	return fx_key(80, (uint16_t)(1024 + n));
}

int
main(void)
{
	struct dest *d = setup();
	struct conn_table *t = conn_table_create(64);
	struct conn_key k;
	struct conn *c;
	uint32_t est = 0;

	/* half the table established, half half-open (a flood's SYNs) */
	for (uint32_t i = 0; i < 64; i++) {
		k = key(i);
		c = conn_insert(t, &k, d, 1);
		conn_seen(t, c, CONN_TCP_SYN, 1);
		if (i % 2 == 0)
			conn_seen(t, c, CONN_TCP_ACK, 1);
	}
	EXPECT_EQ(conn_count(t), 64, "table full");
	EXPECT(d->activeconns == 64 && d->inactconns == 0,
	    "SYN_RECV and ESTABLISHED both count in ActiveConn");
	k = key(1000);
	EXPECT(conn_insert(t, &k, d, 1) == NULL,
	    "unbound table: a full table refuses a new flow");
	conn_table_bind(t, &st);
	for (uint32_t i = 0; i < 32; i++) {
		k = key(2000 + i);
		c = conn_insert(t, &k, d, 2);
		EXPECT(c != NULL, "bound table: a new flow takes a half-open one's place");
		if (c != NULL) {
			conn_seen(t, c, CONN_TCP_SYN, 2);
			conn_seen(t, c, CONN_TCP_ACK, 2);
		}
	}
	EXPECT_EQ(conn_reclaimed(t), 32, "32 half-open connections gave way");
	for (uint32_t i = 0; i < 64; i += 2) {
		k = key(i);
		if (conn_lookup(t, &k) != NULL)
			est++;
	}
	EXPECT_EQ(est, 32, "every established connection is still there");
	EXPECT(d->activeconns == 64 && d->inactconns == 0,
	    "counters follow: the active half-open ones given way are uncounted");

	/* now everything is established: nothing may give way */
	k = key(3000);
	EXPECT(conn_insert(t, &k, d, 3) == NULL,
	    "a table full of established connections refuses the new flow");
	conn_flush(t, &st);

	/* pressure: over 3/4 full, SYN_RECV waits 10 s instead of 60 */
	for (uint32_t i = 0; i < 40; i++) {
		k = key(i);
		c = conn_insert(t, &k, d, 10);
		conn_seen(t, c, CONN_TCP_SYN, 10);
	}
	EXPECT_EQ(c->expires, 10 + 60, "below 3/4 full: SYN_RECV timeout 60 s");
	for (uint32_t i = 40; i < 60; i++) {
		k = key(i);
		c = conn_insert(t, &k, d, 10);
		conn_seen(t, c, CONN_TCP_SYN, 10);
	}
	EXPECT_EQ(c->expires, 10 + 10, "over 3/4 full: SYN_RECV timeout 10 s");
	conn_seen(t, c, CONN_TCP_ACK, 10);
	EXPECT_EQ(c->expires, 10 + 900, "established: the normal timeout");
	conn_expire(t, &st, 25, 1u << 20);
	/* entries 49..60 came in over 3/4 (48 of 64); the last is established */
	EXPECT_EQ(conn_count(t), 60 - 11,
	    "half-open ones that came in under pressure expired after 10 s");
	conn_flush(t, &st);

	/* the oldest half-open entries give way first: a real client's
	 * fresh SYN survives a flood as long as older flood entries remain */
	for (uint32_t i = 0; i < 64; i++) {
		k = key(4000 + i);
		c = conn_insert(t, &k, d, 100);
		conn_seen(t, c, CONN_TCP_SYN, 100);
	}
	k = key(5000);			/* the real client, a second later */
	c = conn_insert(t, &k, d, 101);
	EXPECT(c != NULL, "a real client's SYN gets in a flooded table");
	conn_seen(t, c, CONN_TCP_SYN, 101);
	for (uint32_t i = 0; i < 60; i++) {	/* 60 more flood SYNs */
		struct conn_key fk = key(6000 + i);
		struct conn *fc = conn_insert(t, &fk, d, 101);

		if (fc != NULL)
			conn_seen(t, fc, CONN_TCP_SYN, 101);
	}
	k = key(5000);
	c = conn_lookup(t, &k);
	EXPECT(c != NULL, "... and is still there after 60 more flood SYNs "
	    "(the 63 older ones went first)");
	if (c != NULL) {
		conn_seen(t, c, CONN_TCP_ACK, 101);
		EXPECT_EQ(c->state, CONN_S_ESTABLISHED, "its ACK establishes it");
	}
	k = key(4000);
	EXPECT(conn_lookup(t, &k) == NULL, "the oldest flood entry is gone");
	conn_flush(t, &st);
	conn_table_destroy(t);
	svc_table_free(&st);
	return EXPECT_DONE();
}
