/*
 * The classic-BPF program the kernel runs to pick a worker for each frame
 * (see fanout.h).  The kernel runs it on the received packet as its
 * protocol handlers see it: offsets count from the IP header, not the
 * Ethernet header, so the IP version nibble tells the family.  A load past
 * the end of a short packet ends the program with 0: worker 0.
 *
 * Not covered: an ICMPv6 error whose outer packet carries extension
 * headers (the program reads at fixed offsets) goes to another worker,
 * which does not know the flow and drops it (counted, as any ICMP error
 * about an unknown flow).
 */
#include <netinet/in.h>

#include "fanout.h"

#define S(code, k)		BPF_STMT(code, k)
#define J(code, k, jt, jf)	BPF_JUMP(code, k, jt, jf)

static struct sock_filter insns[] = {
	/*  0 */ S(BPF_LD | BPF_B | BPF_ABS, 0),
	/*  1 */ S(BPF_ALU | BPF_RSH | BPF_K, 4),		/* IP version */
	/*  2 */ J(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 7),	/* -> 10 */
	/* IPv4 */
	/*  3 */ S(BPF_LD | BPF_B | BPF_ABS, 9),		/* protocol */
	/*  4 */ J(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMP, 0, 3), /* -> 8 */
	/* an ICMP error quotes a packet real server -> client: the client
	 * is that packet's destination, at IHL + 8 (ICMP) + 16 */
	/*  5 */ S(BPF_LDX | BPF_B | BPF_MSH, 0),		/* X = IHL * 4 */
	/*  6 */ S(BPF_LD | BPF_W | BPF_IND, 8 + 16),
	/*  7 */ J(BPF_JMP | BPF_JA, 29 - 8, 0, 0),		/* -> 29 */
	/*  8 */ S(BPF_LD | BPF_W | BPF_ABS, 12),		/* source */
	/*  9 */ J(BPF_JMP | BPF_JA, 29 - 10, 0, 0),		/* -> 29 */
	/* IPv6: the XOR of the four words of the client address */
	/* 10 */ J(BPF_JMP | BPF_JEQ | BPF_K, 6, 0, 32 - 11),	/* -> 32 */
	/* 11 */ S(BPF_LD | BPF_B | BPF_ABS, 6),		/* next header */
	/* 12 */ J(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 2), /* -> 15 */
	/* ICMPv6 error: the quoted packet's destination, 40 + 8 + 24 */
	/* 13 */ S(BPF_LDX | BPF_W | BPF_IMM, 40 + 8 + 24),
	/* 14 */ J(BPF_JMP | BPF_JA, 1, 0, 0),			/* -> 16 */
	/* 15 */ S(BPF_LDX | BPF_W | BPF_IMM, 8),		/* source */
	/* 16 */ S(BPF_LD | BPF_W | BPF_IND, 0),
	/* 17 */ S(BPF_ST, 0),
	/* 18 */ S(BPF_LD | BPF_W | BPF_IND, 4),
	/* 19 */ S(BPF_ST, 1),
	/* 20 */ S(BPF_LD | BPF_W | BPF_IND, 8),
	/* 21 */ S(BPF_ST, 2),
	/* 22 */ S(BPF_LD | BPF_W | BPF_IND, 12),
	/* 23 */ S(BPF_LDX | BPF_MEM, 2),
	/* 24 */ S(BPF_ALU | BPF_XOR | BPF_X, 0),
	/* 25 */ S(BPF_LDX | BPF_MEM, 1),
	/* 26 */ S(BPF_ALU | BPF_XOR | BPF_X, 0),
	/* 27 */ S(BPF_LDX | BPF_MEM, 0),
	/* 28 */ S(BPF_ALU | BPF_XOR | BPF_X, 0),
	/* hash: the upper half of A * 2^32/phi; the kernel takes it mod N */
	/* 29 */ S(BPF_ALU | BPF_MUL | BPF_K, FANOUT_MULT),
	/* 30 */ S(BPF_ALU | BPF_RSH | BPF_K, 16),
	/* 31 */ S(BPF_RET | BPF_A, 0),
	/* neither IPv4 nor IPv6: worker 0 (whose filter lets none in) */
	/* 32 */ S(BPF_RET | BPF_K, 0),
};

void
fanout_prog(struct sock_fprog *prog)
{
	prog->len = sizeof(insns) / sizeof(insns[0]);
	prog->filter = insns;
}
