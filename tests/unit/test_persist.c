/*
 * Persistence (-p, -M, port-0 services) through the data path: IPVS's
 * connection templates (ip_vs_sched_persist), their counting (PersistConn)
 * and lifetime (the persistence timeout, never before their connections).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "datapath.h"
#include "fixtures.h"
#include "expect.h"

static struct svc_table st;
static struct conn_table *ct;
static struct dp dp;
static uint8_t buf[2048];
static struct virtio_net_hdr *vh = (struct virtio_net_hdr *)(buf + 54);
static uint8_t *fr = buf + 64;

/* op on the persistent rr service on 198.18.0.1:port (-p timeout -M
 * mask), or with rip > 0 on its real server 198.18.0.<rip> */
static int
svc_req(uint16_t op, uint16_t port, uint32_t timeout, const char *mask,
    int rip, int w)
{
	int e = rip > 0 ? fx_dest(&st, op, port, rip, w) :
	    fx_svc_persist(&st, op, port, "rr", timeout, fx_ip4(mask));

	if (e != 0)
		return -1;
	/* every real server answers ARP, its MAC ending in its address's
	 * last byte */
	for (struct svc *s = st.head; s; s = s->next)
		for (uint32_t i = 0; i < s->ndests; i++) {
			struct dest *d = s->dests[i];
			uint8_t mac[6] = { 2, 0, 0, 0, 0, d->conf.addr.b[3] };

			fx_resolve(d, mac);
		}
	return 0;
}

/* send one TCP frame; returns the last byte of the real server's address
 * it went to (its MAC's last byte), or 0 when dropped */
static int
tcp(const char *client, uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct dp_frame f = { .data = fr, .vnet = vh };

	memset(vh, 0, sizeof(*vh));
	f.len = f.wire_len = fx_frame4(fr, FX_MAC_DIR, fx_ip4(client), sport,
	    fx_ip4("198.18.0.1"), dport, IPPROTO_TCP, flags, 0);
	return dp_process(&dp, &f) == DP_FORWARD ? fr[5] : 0;
}

static int
count_templates(struct conn *c, void *arg)
{
	if (c->flags & CONN_F_TEMPLATE)
		(*(int *)arg)++;
	return 0;
}

static int
templates(void)
{
	int n = 0;

	conn_walk(ct, count_templates, &n);
	return n;
}

static void
advance(uint32_t secs)
{
	dp.now += secs;
	conn_expire(ct, &st, dp.now, 1u << 20);
}

#define SYN 0x02
#define ACK 0x10
#define FIN 0x01

int
main(void)
{
	int a, b, c;

	svc_table_init(&st);
	ct = conn_table_create(4096);
	dp_init(&dp, FX_MAC_DIR, 1500, &st, ct);
	dp.now = 1;

	/* -A -t VIP:80 -s rr -p 30 -M 255.255.255.128, two real servers */
	EXPECT_EQ(svc_req(DRLB_CTL_ADD_SVC, 80, 30, "255.255.255.128", 0, 0),
	    0, "add persistent service");
	svc_req(DRLB_CTL_ADD_DEST, 80, 30, "255.255.255.128", 7, 1);
	svc_req(DRLB_CTL_ADD_DEST, 80, 30, "255.255.255.128", 8, 1);

	/* clients .100 and .101 are one group (.0/25), .200 another */
	a = tcp("198.18.0.100", 40000, 80, SYN);
	EXPECT(a == 7 || a == 8, "first SYN scheduled");
	for (int i = 1; i <= 6; i++) {
		b = tcp(i & 1 ? "198.18.0.101" : "198.18.0.100",
		    (uint16_t)(40000 + i), 80, SYN);
		EXPECT_EQ(b, a, "same client group, same real server (rr would alternate)");
	}
	c = tcp("198.18.0.200", 41000, 80, SYN);
	EXPECT_EQ(c, a == 7 ? 8 : 7, "another client group is scheduled (rr: the other)");
	EXPECT_EQ(templates(), 2, "one template per client group");
	EXPECT_EQ(fx_dest_find(&st, 80, a)->persistconns, 1,
	    "PersistConn counts the template");
	EXPECT_EQ(fx_dest_find(&st, 80, a)->activeconns +
	    fx_dest_find(&st, 80, a)->inactconns, 7,
	    "the template is not counted as a connection");
	EXPECT_EQ(fx_dest_find(&st, 80, a)->stats.conns, 7,
	    "Conns counts connections, not templates");

	/* a long-lived connection keeps its template past the timeout */
	EXPECT_EQ(tcp("198.18.0.100", 40000, 80, ACK), a, "ACK: ESTABLISHED");
	advance(100);		/* SYN_RECV ones (60 s) are gone, ESTABLISHED stays */
	EXPECT_EQ(templates(), 1,
	    "after the timeout: only the template with a live connection remains");
	b = tcp("198.18.0.101", 42000, 80, SYN);
	EXPECT_EQ(b, a, "the group still goes to its real server (template kept alive)");
	/* the established one closes: FIN -> FIN_WAIT (120 s) */
	tcp("198.18.0.100", 40000, 80, FIN | ACK);
	advance(200);		/* connections gone; template expires 30 s later at most */
	advance(40);
	EXPECT_EQ(templates(), 0, "template expires once its connections are gone");
	EXPECT_EQ(fx_dest_find(&st, 80, 7)->persistconns +
	    fx_dest_find(&st, 80, 8)->persistconns, 0, "PersistConn back to 0");
	EXPECT_EQ(conn_count(ct), 0, "table empty");

	/* a removed real server ends the stickiness */
	a = tcp("198.18.0.100", 43000, 80, SYN);
	svc_req(DRLB_CTL_DEL_DEST, 80, 30, "255.255.255.128", a, 0);
	b = tcp("198.18.0.100", 43001, 80, SYN);
	EXPECT_EQ(b, a == 7 ? 8 : 7, "template of a removed real server is replaced");
	EXPECT_EQ(tcp("198.18.0.100", 43000, 80, ACK), a,
	    "the old connection still goes to the removed real server");
	EXPECT_EQ(templates(), 2, "old template lives on for its connection");
	svc_req(DRLB_CTL_ADD_DEST, 80, 30, "255.255.255.128", a, 1);
	EXPECT_EQ(tcp("198.18.0.100", 43002, 80, SYN), b,
	    "the group stays with its new real server");
	advance(1000);
	EXPECT_EQ(conn_count(ct), 0, "everything expires");

	/* weight 0: clients with a template keep coming (IPVS default) */
	a = tcp("198.18.0.100", 44000, 80, SYN);
	svc_req(DRLB_CTL_EDIT_DEST, 80, 30, "255.255.255.128", a, 0);
	EXPECT_EQ(tcp("198.18.0.101", 44001, 80, SYN), a,
	    "weight 0 keeps clients that have a template");
	EXPECT_EQ(tcp("198.18.0.200", 44002, 80, SYN), a == 7 ? 8 : 7,
	    "weight 0 takes no new client group");
	advance(1000);

	/* port-0 service: all ports of the VIP stick together */
	svc_req(DRLB_CTL_FLUSH, 0, 0, "255.255.255.255", 0, 0);
	EXPECT_EQ(svc_req(DRLB_CTL_ADD_SVC, 0, 60, "255.255.255.255", 0, 0), 0,
	    "add persistent port-0 service");
	svc_req(DRLB_CTL_ADD_DEST, 0, 60, "255.255.255.255", 7, 1);
	svc_req(DRLB_CTL_ADD_DEST, 0, 60, "255.255.255.255", 8, 1);
	a = tcp("198.18.0.100", 45000, 80, SYN);
	EXPECT(a == 7 || a == 8, "port 80 scheduled by the port-0 service");
	EXPECT_EQ(tcp("198.18.0.100", 45001, 443, SYN), a, "port 443: same real server");
	EXPECT_EQ(tcp("198.18.0.100", 45002, 8080, SYN), a, "port 8080: same real server");
	EXPECT_EQ(templates(), 1, "one template for all ports (vport 0)");
	EXPECT_EQ(tcp("198.18.0.101", 45003, 443, SYN), a == 7 ? 8 : 7,
	    "another client (mask /32) is scheduled anew");
	conn_flush(ct, &st);
	EXPECT_EQ(conn_count(ct), 0, "flush removes connections and templates");
	EXPECT_EQ(fx_dest_find(&st, 0, 7)->persistconns, 0,
	    "flush uncounts templates");
	return EXPECT_DONE();
}
