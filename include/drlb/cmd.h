/*
 * One ipvsadm command line, parsed (src/common/cmd.c).  Used by drlbadm for
 * its argv and for each line of `-R`, and by drlbd for each line of a
 * --config file (the format `ipvsadm -S -n` writes).
 *
 * Library-like: never prints; errors come back as ipvsadm's own message text.
 */
#ifndef DRLB_CMD_H
#define DRLB_CMD_H

#include <stddef.h>
#include "drlb/ctl-t.h"

enum drlb_cmd_op {
	DRLB_CMD_NONE = 0,
	DRLB_CMD_ADD_SVC,		/* -A */
	DRLB_CMD_EDIT_SVC,		/* -E */
	DRLB_CMD_DEL_SVC,		/* -D */
	DRLB_CMD_FLUSH,			/* -C */
	DRLB_CMD_LIST,			/* -L / -l */
	DRLB_CMD_ADD_DEST,		/* -a */
	DRLB_CMD_EDIT_DEST,		/* -e */
	DRLB_CMD_DEL_DEST,		/* -d */
	DRLB_CMD_ZERO,			/* -Z */
	DRLB_CMD_SET_TIMEOUT,		/* --set */
	DRLB_CMD_RESTORE,		/* -R */
	DRLB_CMD_SAVE,			/* -S */
	DRLB_CMD_VERSION,		/* -v */
	DRLB_CMD_HELP,			/* -h */
	DRLB_CMD_START_DAEMON,		/* --start-daemon: req holds a struct
					   drlb_ctl_daemon (ctl-t.h) */
	DRLB_CMD_STOP_DAEMON,		/* --stop-daemon: the same */
};

/* listing options (ipvsadm's OPT_* for -L) */
#define DRLB_OPT_NUMERIC	0x0001	/* -n */
#define DRLB_OPT_STATS		0x0002	/* --stats */
#define DRLB_OPT_RATE		0x0004	/* --rate */
#define DRLB_OPT_THRESHOLDS	0x0008	/* --thresholds */
#define DRLB_OPT_PERSISTENTCONN	0x0010	/* --persistent-conn */
#define DRLB_OPT_EXACT		0x0020	/* --exact */
#define DRLB_OPT_SORT		0x0040	/* --sort */
#define DRLB_OPT_CONNECTION	0x0080	/* -c */
#define DRLB_OPT_TIMEOUT	0x0100	/* --timeout */
#define DRLB_OPT_SERVICE	0x0200	/* a service was named (-t/-u) */
#define DRLB_OPT_NOSORT		0x0400	/* --nosort */
#define DRLB_OPT_DAEMON		0x0800	/* --daemon: the sync daemons */
#define DRLB_OPT_TUN_INFO	0x1000	/* --tun-info */
#define DRLB_OPT_JSON		0x2000	/* --json (drlb): the listing as one JSON
					   document, docs/json.md */

struct drlb_cmd {
	enum drlb_cmd_op op;
	unsigned options;		/* DRLB_OPT_* */
	struct drlb_ctl_req req;	/* what goes to the daemon */
};

/*
 * Parse argv[0..argc-1] (argv[0] is the program name, as for getopt).
 * Returns 0 on success.  On error returns the exit status ipvsadm would use
 * and writes ipvsadm's message into err (without the trailing newline):
 * 2 for its fail() errors ("illegal weight specified", ...), 255 (its
 * exit(-1)) for popt errors ("-x: unknown option") and for the
 * "Try `ipvsadm -h' ..." hint when the first option is not a command.
 * -h and -v succeed with op HELP / VERSION.
 */
int drlb_cmd_parse(int argc, char **argv, struct drlb_cmd *cmd,
    char *err, size_t errlen);

/* The control op for a command that changes state (ADD_SVC -> DRLB_CTL_ADD_SVC
 * ...), or 0 for commands drlbadm handles itself (LIST, SAVE, ...). */
uint16_t drlb_cmd_ctl_op(enum drlb_cmd_op op);

/*
 * Split one line of `-R` input (or of a --config file) in place into argv[],
 * as ipvsadm's config_stream_read does: tokens separated by blanks, every
 * token "ipvsadm" dropped; drlb also drops a '#' comment (from a token that
 * starts with '#' to the end of the line).  argv[0] is set to argv0.
 * Returns argc (1 for an empty line), or -1 when more than max-1 tokens.
 */
int drlb_cmd_split(char *line, const char *argv0, char **argv, int max);

/*
 * libipvs's ipvs_strerror() for a failed control op: e.g. (ADD_SVC, EEXIST)
 * -> "Service already exists", (ADD_DEST, ESRCH) -> "Service not defined".
 * Falls back to strerror(err).
 */
const char *drlb_cmd_strerror(uint16_t ctl_op, int err);

#endif
