/*
 * rr against hand-computed IPVS sequences (ip_vs_rr.c): the list is newest
 * first, weight 0 and unusable dests are skipped, a lap never repeats.
 */
#include <string.h>

#include "fixtures.h"
#include "expect.h"

static struct svc_table st;

/* the picks as a string of last address bytes, e.g. "9,8,7," */
static void
picks(int n, char *out)
{
	struct conn_key k;

	memset(&k, 0, sizeof(k));
	*out = '\0';
	for (int i = 0; i < n; i++) {
		struct dest *d = st.head->sched->schedule(st.head, &k);
		out += sprintf(out, "%d,", d ? d->conf.addr.b[3] : 0);
	}
}

/*
 * Add rs1, rs2, rs3 (list rs3 rs2 rs1), two
 * flows go to rs3 then rs2, -d rs2.  IPVS unlinks rs2 first and
 * ip_vs_rr_del_dest moves the mark to rs3 (rs2's predecessor), so the next
 * flow goes to rs1, not back to the head (rs3).
 */
static void
test_del_last_pick(void)
{
	char s[64];

	fx_svc(&st, DRLB_CTL_DEL_SVC, 80, "rr");
	EXPECT_EQ(fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "rr"), 0, "rr service again");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 1, 1);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 2, 1);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 3, 1);
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	picks(2, s);
	EXPECT_STR(s, "3,2,", "rr: rs3 then rs2");
	fx_dest(&st, DRLB_CTL_DEL_DEST, 80, 2, 0);
	picks(3, s);
	EXPECT_STR(s, "1,3,1,",
	    "rr: -d of the last pick rs2: the next is rs1, its successor");
}

int
main(void)
{
	char s[256];

	svc_table_init(&st);
	EXPECT_EQ(fx_svc(&st, DRLB_CTL_ADD_SVC, 80, "rr"), 0, "add rr service");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7, 1);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 8, 5);
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 9, 1);
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	picks(6, s);
	EXPECT(strcmp(s, "9,8,7,9,8,7,") == 0,
	    "rr walks the list newest first, weights ignored");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 0);
	picks(4, s);
	EXPECT(strcmp(s, "9,7,9,7,") == 0, "rr skips weight 0");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 1);
	st.head->dests[0]->flags |= DEST_F_NOMAC;	/* .9 */
	picks(3, s);
	EXPECT(strcmp(s, "8,7,8,") == 0, "rr skips a dest that cannot be reached");
	st.head->dests[0]->flags &= ~DEST_F_NOMAC;
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 10, 1);	/* at the head */
	for (uint32_t i = 0; i < st.head->ndests; i++)
		fx_resolve(st.head->dests[i], NULL);
	picks(5, s);
	EXPECT(strcmp(s, "7,10,9,8,7,") == 0,
	    "a dest added at the head does not move the cursor");
	fx_dest(&st, DRLB_CTL_DEL_DEST, 80, 7, 0);
	picks(3, s);
	EXPECT(strcmp(s, "10,9,8,") == 0,
	    "removing the last pick, the tail: its predecessor's successor is the head");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7, 1);	/* list 7 10 9 8 */
	st.head->dests[0]->flags &= ~DEST_F_NOMAC;
	picks(2, s);
	EXPECT(strcmp(s, "7,10,") == 0, "re-added at the head");
	fx_dest(&st, DRLB_CTL_DEL_DEST, 80, 7, 0);
	picks(2, s);
	EXPECT(strcmp(s, "9,8,") == 0,
	    "removing a pick that was not the last one leaves the mark alone");
	fx_dest(&st, DRLB_CTL_ADD_DEST, 80, 7, 1);	/* list 7 10 9 8 */
	st.head->dests[0]->flags &= ~DEST_F_NOMAC;
	picks(1, s);					/* the lap goes on: 7 */
	fx_dest(&st, DRLB_CTL_DEL_DEST, 80, 7, 0);
	picks(2, s);
	EXPECT(strcmp(s, "10,9,") == 0,
	    "removing the last pick, first in the list: the lap goes on from the head");
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 8, 0);
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 9, 0);
	fx_dest(&st, DRLB_CTL_EDIT_DEST, 80, 10, 0);
	picks(1, s);
	EXPECT(strcmp(s, "0,") == 0, "all weights 0: no dest");
	test_del_last_pick();
	return EXPECT_DONE();
}
