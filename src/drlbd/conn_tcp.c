/*
 * TCP states (IPVS ip_vs_proto_tcp.c): the INPUT-ONLY transitions, their
 * names, their timeouts, and what a frame does to its connection.
 */
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>

#include "conn_int.h"
#include "sched.h"
#include "svc.h"

/* IPVS's defaults (tcp_timeouts[] in ip_vs_proto_tcp.c), seconds */
static const uint32_t tcp_timeouts_default[CONN_S_LAST] = {
	[CONN_S_NONE]		= 2,
	[CONN_S_ESTABLISHED]	= 15 * 60,
	[CONN_S_SYN_SENT]	= 2 * 60,
	[CONN_S_SYN_RECV]	= 1 * 60,
	[CONN_S_FIN_WAIT]	= 2 * 60,
	[CONN_S_TIME_WAIT]	= 2 * 60,
	[CONN_S_CLOSE]		= 10,
	[CONN_S_CLOSE_WAIT]	= 60,
	[CONN_S_LAST_ACK]	= 30,
	[CONN_S_LISTEN]		= 2 * 60,
	[CONN_S_SYNACK]		= 120,
};
#define UDP_TIMEOUT_DEFAULT	(5 * 60)

/*
 * Which states count in ActiveConn (tcp_state_active_table in
 * ip_vs_proto_tcp.c): the half-open ones too, not only ESTABLISHED.
 */
static const bool tcp_state_active_table[CONN_S_LAST] = {
	[CONN_S_NONE]		= false,
	[CONN_S_ESTABLISHED]	= true,
	[CONN_S_SYN_SENT]	= true,
	[CONN_S_SYN_RECV]	= true,
	[CONN_S_FIN_WAIT]	= false,
	[CONN_S_TIME_WAIT]	= false,
	[CONN_S_CLOSE]		= false,
	[CONN_S_CLOSE_WAIT]	= false,
	[CONN_S_LAST_ACK]	= false,
	[CONN_S_LISTEN]		= false,
	[CONN_S_SYNACK]		= true,
};

static const char *const state_names[CONN_S_LAST] = {
	[CONN_S_NONE]		= "NONE",
	[CONN_S_ESTABLISHED]	= "ESTABLISHED",
	[CONN_S_SYN_SENT]	= "SYN_SENT",
	[CONN_S_SYN_RECV]	= "SYN_RECV",
	[CONN_S_FIN_WAIT]	= "FIN_WAIT",
	[CONN_S_TIME_WAIT]	= "TIME_WAIT",
	[CONN_S_CLOSE]		= "CLOSE",
	[CONN_S_CLOSE_WAIT]	= "CLOSE_WAIT",
	[CONN_S_LAST_ACK]	= "LAST_ACK",
	[CONN_S_LISTEN]		= "LISTEN",
	[CONN_S_SYNACK]		= "SYNACK",
};

/*
 * IPVS's INPUT-ONLY table (tcp_states[] in ip_vs_proto_tcp.c): the director
 * in DR sees only client->server segments, so IPVS marks such connections
 * NOOUTPUT and follows them with this table.  Rows: the event (rst > syn >
 * fin > ack, tcp_state_idx()); columns: the current state.
 */
#define sNO CONN_S_NONE
#define sES CONN_S_ESTABLISHED
#define sSS CONN_S_SYN_SENT
#define sSR CONN_S_SYN_RECV
#define sFW CONN_S_FIN_WAIT
#define sTW CONN_S_TIME_WAIT
#define sCL CONN_S_CLOSE
#define sCW CONN_S_CLOSE_WAIT
#define sLA CONN_S_LAST_ACK
#define sLI CONN_S_LISTEN
#define sSA CONN_S_SYNACK
static const uint8_t tcp_input_only[4][CONN_S_LAST] = {
/*	   sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA */
/*syn*/	{ sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
/*fin*/	{ sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
/*ack*/	{ sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
/*rst*/	{ sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
};

enum conn_state
conn_tcp_next(enum conn_state s, uint8_t tcp_flags)
{
	int idx;

	if ((unsigned)s >= CONN_S_LAST)
		return CONN_S_CLOSE;
	if (tcp_flags & CONN_TCP_RST)
		idx = 3;
	else if (tcp_flags & CONN_TCP_SYN)
		idx = 0;
	else if (tcp_flags & CONN_TCP_FIN)
		idx = 1;
	else if (tcp_flags & CONN_TCP_ACK)
		idx = 2;
	else
		/* none of the four: set_tcp_state() keeps its initial
		 * new_state = IP_VS_TCP_S_CLOSE */
		return CONN_S_CLOSE;
	return (enum conn_state)tcp_input_only[idx][s];
}

bool
conn_state_active(uint8_t protocol, enum conn_state s)
{
	/* UDP connections stay inactive: udp_state_transition never
	 * touches the INACTIVE flag they are bound with */
	if (protocol != IPPROTO_TCP || (unsigned)s >= CONN_S_LAST)
		return false;
	return tcp_state_active_table[s];
}

const char *
conn_state_name(enum conn_state s)
{
	if ((unsigned)s >= CONN_S_LAST)
		return "ERR!";
	return state_names[s];
}

const char *
conn_state_str(const struct conn *c)
{
	/* IPVS's UDP has one state, printed "UDP" (udp_state_name) */
	if (c->key.protocol != IPPROTO_TCP)
		return "UDP";
	return conn_state_name((enum conn_state)c->state);
}

uint32_t
conn_timeout(const struct conn_table *t, uint8_t protocol, enum conn_state s)
{
	if (protocol != IPPROTO_TCP)
		return t->udp_tmo;
	if ((unsigned)s >= CONN_S_LAST)
		s = CONN_S_CLOSE;
	return t->tmo[s];
}

void
conn_set_timeouts(struct conn_table *t, const struct drlb_timeouts *tm)
{
	/* 0 leaves a value as it is (IPVS ip_vs_set_timeout) */
	if (tm->tcp)
		t->tmo[CONN_S_ESTABLISHED] = tm->tcp;
	if (tm->tcp_fin)
		t->tmo[CONN_S_FIN_WAIT] = tm->tcp_fin;
	if (tm->udp)
		t->udp_tmo = tm->udp;
}

void
conn_get_timeouts(const struct conn_table *t, struct drlb_timeouts *tm)
{
	tm->tcp = t->tmo[CONN_S_ESTABLISHED];
	tm->tcp_fin = t->tmo[CONN_S_FIN_WAIT];
	tm->udp = t->udp_tmo;
}

void
conn_timeouts_init(struct conn_table *t)
{
	memcpy(t->tmo, tcp_timeouts_default, sizeof(t->tmo));
	t->udp_tmo = UDP_TIMEOUT_DEFAULT;
}

/* s: SYN_RECV timeout when over 3/4 full (with conn_reclaim, the table's
 * SYN-flood defence) */
#define PRESSURE_SYN_RECV 10

void
conn_seen(struct conn_table *t, struct conn *c, uint8_t tcp_flags,
    uint32_t now)
{
	uint32_t e;

	if (c->key.protocol == IPPROTO_TCP) {
		enum conn_state ns = conn_tcp_next(c->state, tcp_flags);

		/* IPVS set_tcp_state(): on a change of state the connection
		 * follows tcp_state_active() in and out of ActiveConn */
		if (ns != c->state && c->dest != NULL) {
			struct dest *d = c->dest;
			bool was_active = !(c->flags & CONN_F_INACTIVE);
			bool active = conn_state_active(IPPROTO_TCP, ns);

			if (was_active != active && t->lock != NULL)
				pthread_mutex_lock(t->lock);
			if (was_active && !active) {
				d->activeconns--;
				d->inactconns++;
				c->flags |= CONN_F_INACTIVE;
			} else if (!was_active && active) {
				d->activeconns++;
				d->inactconns--;
				c->flags &= ~CONN_F_INACTIVE;
			}
			if (was_active != active) {
				sched_dest_load_changed(d);
				if (t->lock != NULL)
					pthread_mutex_unlock(t->lock);
			}
		}
		c->state = (uint8_t)ns;
	}
	e = conn_timeout(t, c->key.protocol, c->state);
	/* under pressure (IPVS secure_tcp's idea): half-open connections
	 * wait less for their client */
	if (c->state == CONN_S_SYN_RECV && e > PRESSURE_SYN_RECV &&
	    (uint64_t)t->count * 4 > (uint64_t)t->max * 3)
		e = PRESSURE_SYN_RECV;
	wdue(t, c, now + e);
}
