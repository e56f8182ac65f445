/*
 * The data path's cost per frame, and what tracing costs when nobody
 * listens: the same frames through dp_process() built twice -- with the
 * trace points (trace_on false: nobody listens) and with them compiled out
 * (-DDRLB_NO_TRACE) -- alternating rounds, best of each.
 *
 *   dp_bench [FRAMES [ROUNDS]]
 *
 * Frames: TCP SYNs of FLOWS distinct flows, then their ACKs (table hits),
 * to a wlc service of 4 real servers; the table is flushed between rounds.
 * Built by `make bench` twice from the same source: build/bench/dp_bench
 * links datapath.o with trace points, and dp_bench calls the other build
 * through the symbol dp_process_notrace (see the Makefile).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath.h"
#include "sched.h"

enum dp_verdict dp_process_notrace(struct dp *dp, struct dp_frame *f);

#define FLOWS 4096

static uint8_t frames[2 * FLOWS][64];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
mkframes(const uint8_t mac[6])
{
	for (int i = 0; i < 2 * FLOWS; i++) {
		uint8_t *f = frames[i], *ip = f + 14;
		uint32_t flow = (uint32_t)(i % FLOWS);

		memset(f, 0, 64);
		memcpy(f, mac, 6);
		f[6] = 2;
		f[12] = 0x08;
		ip[0] = 0x45;
		ip[3] = 40;
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		ip[12] = 198; ip[13] = 18; ip[14] = 0; ip[15] = (uint8_t)(100 + flow % 100);
		ip[16] = 198; ip[17] = 18; ip[18] = 0; ip[19] = 1;
		ip[20] = (uint8_t)(10000 + flow / 100 >> 8);
		ip[21] = (uint8_t)(10000 + flow / 100);
		ip[23] = 80;
		ip[32] = 5 << 4;
		ip[33] = i < FLOWS ? 0x02 : 0x10;
	}
}

int
main(int argc, char **argv)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 2 };
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct svc_table st;
	struct conn_table *ct;
	struct dp dp;
	struct drlb_ctl_req r;
	char err[256];
	double best[2] = { 1e30, 1e30 };
	static uint8_t buf[64 + 16];

	svc_table_init(&st);
	ct = conn_table_create(FLOWS * 2);
	dp_init(&dp, mac, 1500, &st, ct);
	memset(&r, 0, sizeof(r));
	r.svc.af = AF_INET;
	r.svc.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.0.1", &r.svc.addr.in);
	r.svc.port = 80;
	r.svc.netmask = 0xffffffff;
	strcpy(r.svc.sched_name, "wlc");
	svc_apply(&st, DRLB_CTL_ADD_SVC, &r, err, sizeof(err));
	for (int i = 0; i < 4; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.18.0.%d", 7 + i);
		r.dest.af = AF_INET;
		inet_pton(AF_INET, a, &r.dest.addr.in);
		r.dest.port = 80;
		r.dest.weight = 1 + i;
		r.dest.conn_flags = DRLB_FWD_DROUTE;
		svc_apply(&st, DRLB_CTL_ADD_DEST, &r, err, sizeof(err));
	}
	for (uint32_t i = 0; i < st.head->ndests; i++) {
		struct dest *d = st.head->dests[i];
		d->mac_state = DRLB_MAC_RESOLVED;
		d->flags &= ~DEST_F_NOMAC;
		sched_dest_load_changed(d);
	}
	mkframes(mac);
	dp.now = 1;

	for (int round = 0; round < rounds; round++)
		for (int v = 0; v < 2; v++) {
			uint64_t t0 = now_ns();

			for (long i = 0; i < n; i++) {
				struct dp_frame f = { .data = buf + 16, .len = 54,
				    .wire_len = 54, .vnet = NULL };

				memcpy(buf + 16, frames[i % (2 * FLOWS)], 54);
				if (v == 0)
					dp_process(&dp, &f);
				else
					dp_process_notrace(&dp, &f);
			}
			double ns = (double)(now_ns() - t0) / (double)n;
			if (ns < best[v])
				best[v] = ns;
			conn_flush(ct, &st);
		}
	printf("dp_bench: %ld frames per round (SYNs of %d flows, then their ACKs), "
	    "best of %d rounds\n", n, FLOWS, rounds);
	printf("%-40s %8.1f ns/frame\n", "trace points, nobody listening", best[0]);
	printf("%-40s %8.1f ns/frame\n", "trace compiled out (-DDRLB_NO_TRACE)", best[1]);
	printf("%-40s %8.3f\n", "ratio (with / without)", best[0] / best[1]);
	return 0;
}
