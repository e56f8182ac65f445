/*
 * Fuzz target: the connection-sync decoder, which reads whatever any host
 * on the segment multicasts to 224.0.0.81:8848 (IPVS sync message v1), and
 * the backup applying each entry to its table (bound to its own real
 * servers, templates included).  Each input is one message, applied to an
 * empty table, then again a minute later (updates of what it created,
 * after what was due expired): what an input reaches it reaches alone, so
 * a committed corpus replays what the run reached.  Flushed at the end,
 * the table leaves no count or reference on any real server.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"
#include "svc.h"
#include "fuzz.h"

static struct svc_table st;
static struct sync_apply_stats as;
static struct conn_set cs;
static uint32_t now;
static int ready;

static void
add(uint16_t op, uint16_t af, const char *vip, uint16_t port, uint32_t flags,
    const char *rip)
{
	struct drlb_ctl_req r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.svc.af = af;
	r.svc.protocol = IPPROTO_TCP;
	inet_pton(af, vip, &r.svc.addr);
	r.svc.port = port;
	strcpy(r.svc.sched_name, "wlc");
	r.svc.flags = flags;
	r.svc.timeout = 300;
	r.svc.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	if (rip != NULL) {
		r.dest.af = af;
		inet_pton(af, rip, &r.dest.addr);
		r.dest.port = port;
		r.dest.weight = 1;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
	}
	svc_apply(&st, op, &r, err, sizeof(err));
}

static void
apply(void *arg, const struct sync_conn *sc)
{
	(void)arg;
	sync_apply(&cs, &st, now, sc, &as);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_decode_stats ds = { 0 };
	struct conn_table *ct;

	if (!ready) {
		svc_table_init(&st);
		add(DRLB_CTL_ADD_SVC, AF_INET, "198.18.0.1", 80, 0, NULL);
		add(DRLB_CTL_ADD_DEST, AF_INET, "198.18.0.1", 80, 0, "198.18.0.7");
		add(DRLB_CTL_ADD_SVC, AF_INET, "198.18.0.1", 443,
		    DRLB_SVC_F_PERSISTENT, NULL);
		add(DRLB_CTL_ADD_DEST, AF_INET, "198.18.0.1", 443,
		    DRLB_SVC_F_PERSISTENT, "198.18.0.8");
		add(DRLB_CTL_ADD_SVC, AF_INET6, "2001:db8::1", 80, 0, NULL);
		add(DRLB_CTL_ADD_DEST, AF_INET6, "2001:db8::1", 80, 0, "2001:db8::7");
		ready = 1;
	}
	/* small, as the daemon binds it: one message can fill it */
	if ((ct = conn_table_create(32)) == NULL)
		abort();
	conn_table_bind(ct, &st);
	conn_set_single(&cs, ct);
	now = 1;
	sync_mesg_decode(data, size, 0, apply, NULL, &ds);
	now += 60;
	conn_expire(ct, &st, now, UINT32_MAX);
	sync_mesg_decode(data, size, 0, apply, NULL, &ds);
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
