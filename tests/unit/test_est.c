/*
 * Unit tests of est.c: IPVS's rate estimator (ip_vs_est.c).  The expected
 * values are computed by hand from IPVS's formulas:
 *   rate = (counter - last) << 9   (conns, packets: 2^10 scale, / 2 s)
 *   rate = (counter - last) << 4   (bytes: 2^5 scale, / 2 s)
 *   avg += (rate - avg) >> 2       (an arithmetic shift)
 *   shown: (avg + 0x1FF) >> 10, (avg + 0xF) >> 5
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "est.h"
#include "fixtures.h"
#include "expect.h"

static void
test_step_response(void)
{
	struct est_state e;
	struct drlb_stats st;
	struct drlb_rates r;

	memset(&e, 0, sizeof(e));
	memset(&st, 0, sizeof(st));

	/* a steady 100 conn/s, 1000 B/s from t = 0: 200 conns, 2000 B per 2 s
	 * rate(conns) = 200 << 9 = 102400; rate(bytes) = 2000 << 4 = 32000 */
	st.conns = 200; st.inbytes = 2000;
	est_update(&e, &st);
	/* 1: 0 + 102400/4 = 25600; 0 + 32000/4 = 8000 */
	EXPECT_EQ(e.cps, 25600, "step 1: cps avg 25600 (scaled 2^10)");
	EXPECT_EQ(e.inbps, 8000, "step 1: inbps avg 8000 (scaled 2^5)");
	est_read(&e, &r);
	EXPECT_EQ(r.cps, 25, "step 1: CPS (25600+511)>>10 = 25");
	EXPECT_EQ(r.inbps, 250, "step 1: InBPS (8000+15)>>5 = 250");
	EXPECT_EQ(r.outpps, 0, "step 1: OutPPS 0 (DR)");

	st.conns = 400; st.inbytes = 4000;
	est_update(&e, &st);
	/* 2: 25600 + 76800/4 = 44800; 8000 + 24000/4 = 14000 */
	EXPECT_EQ(e.cps, 44800, "step 2: cps avg 44800");
	EXPECT_EQ(e.inbps, 14000, "step 2: inbps avg 14000");
	est_read(&e, &r);
	EXPECT_EQ(r.cps, 44, "step 2: CPS (44800+511)>>10 = 44");
	EXPECT_EQ(r.inbps, 437, "step 2: InBPS (14000+15)>>5 = 437");

	st.conns = 600; st.inbytes = 6000;
	est_update(&e, &st);
	/* 3: 44800 + 57600/4 = 59200; 14000 + 18000/4 = 18500 */
	EXPECT_EQ(e.cps, 59200, "step 3: cps avg 59200");
	EXPECT_EQ(e.inbps, 18500, "step 3: inbps avg 18500");
	est_read(&e, &r);
	EXPECT_EQ(r.cps, 58, "step 3: CPS (59200+511)>>10 = 58");
	EXPECT_EQ(r.inbps, 578, "step 3: InBPS (18500+15)>>5 = 578");

	/* converges: avg stops 3 short of 102400 ((3 >> 2) == 0) -> 100 */
	for (int i = 4; i <= 80; i++) {
		st.conns += 200; st.inbytes += 2000;
		est_update(&e, &st);
	}
	EXPECT_EQ(e.cps, 102400 - 3, "steady 100 conn/s: avg settles at 102397");
	est_read(&e, &r);
	EXPECT_EQ(r.cps, 100, "steady 100 conn/s: CPS 100");
	EXPECT_EQ(r.inbps, 1000, "steady 1000 B/s: InBPS 1000");
}

static void
test_decay(void)
{
	struct est_state e;
	struct drlb_stats st;
	struct drlb_rates r;

	memset(&e, 0, sizeof(e));
	memset(&st, 0, sizeof(st));
	/* 7 packets in one interval: rate 7 << 9 = 3584, avg 896 (0.875 pps) */
	st.inpkts = 7;
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 896, "7 packets once: inpps avg 896");
	est_read(&e, &r);
	EXPECT_EQ(r.inpps, 1, "0.875 pps shows as 1 ((896+511)>>10)");
	/* then nothing: 896 - 224 = 672, - 168 = 504, - 126 = 378,
	 * then (-378) >> 2 = -95 (arithmetic shift rounds down): 283 */
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 672, "decay 1: 672");
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 504, "decay 2: 504");
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 378, "decay 3: 378");
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 283, "decay 4: 378 + (-378 >> 2) = 378 - 95 = 283");
	est_read(&e, &r);
	EXPECT_EQ(r.inpps, 0, "decay 4: InPPS 0 ((283+511)>>10)");

	/* zero: start over from the counters as they are now */
	st.inpkts = 1000;
	est_reset(&e, &st);
	EXPECT_EQ(e.inpps, 0, "reset: average 0");
	est_update(&e, &st);
	EXPECT_EQ(e.inpps, 0, "after reset: no spike from the old counters");
}

static void
test_table(void)
{
	struct svc_table t;
	struct drlb_ctl_req r;
	struct est *e = est_create();
	struct svc *s;
	struct dest *d1, *d2;

	svc_table_init(&t);
	EXPECT_EQ(fx_svc(&t, DRLB_CTL_ADD_SVC, 80, "wlc"), 0, "add service");
	EXPECT_EQ(fx_dest(&t, DRLB_CTL_ADD_DEST, 80, 7, 1), 0, "add rs1");
	EXPECT_EQ(fx_dest(&t, DRLB_CTL_ADD_DEST, 80, 8, 1), 0, "add rs2");
	s = t.head;
	d2 = s->dests[0];
	d1 = s->dests[1];

	/* counted before the first tick count in it (IPVS: zeroed estimator) */
	s->stats.conns = 200; d1->stats.conns = 150; d2->stats.conns = 50;
	s->stats.inpkts = 2000; d1->stats.inpkts = 2000;
	EXPECT_EQ(est_tick(e, &t), 0, "tick");
	EXPECT_EQ(est_count(e), 3, "service and two real servers estimated");
	EXPECT_EQ(s->rates.cps, 25, "service CPS after one tick (200 conns)");
	EXPECT_EQ(d1->rates.cps, 19, "rs1: 150 << 9 >> 2 = 19200 -> 19");
	EXPECT_EQ(d2->rates.cps, 6, "rs2: 50 << 9 >> 2 = 6400 -> (6400+511)>>10 = 6");
	EXPECT_EQ(d1->rates.inpps, 250, "rs1 InPPS 250");

	/* -Z: svc_apply zeroes counters and rates; est_zero the averages */
	r = fx_req(IPPROTO_TCP, 80, "wlc", 0, 0);
	r.svc.af = 0;
	EXPECT_EQ(fx_apply(&t, DRLB_CTL_ZERO, &r), 0, "-Z");
	est_zero(e, &t, NULL);
	EXPECT_EQ(est_tick(e, &t), 0, "tick after -Z");
	EXPECT_EQ(s->rates.cps, 0, "-Z: CPS 0 after the next tick (no negative spike)");
	EXPECT_EQ(d1->rates.inpps, 0, "-Z: rs1 InPPS 0");
	s->stats.conns = 20;
	est_tick(e, &t);
	/* 2.5 conn/s shows as 2: IPVS adds 0x1FF, just under one half */
	EXPECT_EQ(s->rates.cps, 2, "-Z then 20 conns: 20<<9>>2 = 2560 -> (2560+511)>>10 = 2");

	/* a real server held by a connection goes to the trash: still
	 * estimated; back with -a, its estimator goes on */
	dest_hold(d1);
	EXPECT_EQ(fx_dest(&t, DRLB_CTL_DEL_DEST, 80, 7, 1), 0, "-d rs1 (held)");
	EXPECT_EQ(est_prune(e, &t), 0, "prune");
	EXPECT_EQ(est_count(e), 3, "trashed real server still estimated");
	EXPECT_EQ(fx_dest(&t, DRLB_CTL_ADD_DEST, 80, 7, 1), 0, "-a rs1 back");
	EXPECT(s->dests[0] == d1, "rs1 revived from the trash");
	dest_put(&t, d1);

	/* a deleted real server is forgotten */
	EXPECT_EQ(fx_dest(&t, DRLB_CTL_DEL_DEST, 80, 8, 1), 0, "-d rs2");
	EXPECT_EQ(est_prune(e, &t), 0, "prune after -d");
	EXPECT_EQ(est_count(e), 2, "deleted real server forgotten");
	est_forget(e, d1);
	EXPECT_EQ(est_count(e), 1, "est_forget");

	/* many objects: the table grows, then shrinks when they go */
	int bad = 0;
	for (int i = 0; i < 200; i++) {
		uint16_t port = (uint16_t)(1000 + i);

		if (fx_svc(&t, DRLB_CTL_ADD_SVC, port, "wlc") != 0 ||
		    fx_dest(&t, DRLB_CTL_ADD_DEST, port, 20 + i, 1) != 0)
			bad++;
	}
	EXPECT_EQ(bad, 0, "200 services with a real server each added");
	EXPECT_EQ(est_tick(e, &t), 0, "tick with 200 more services");
	EXPECT_EQ(est_count(e), 1 + 1 + 400, "all 402 objects estimated");
	EXPECT_EQ(fx_svc(&t, DRLB_CTL_FLUSH, 80, "wlc"), 0, "-C");
	EXPECT_EQ(est_prune(e, &t), 0, "prune after -C");
	EXPECT_EQ(est_count(e), 0, "all forgotten after -C");

	est_free(e);
	svc_table_free(&t);
}

int
main(void)
{
	test_step_response();
	test_decay();
	test_table();
	return EXPECT_DONE();
}
