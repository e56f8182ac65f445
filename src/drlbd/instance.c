/* One drlbd per interface; see instance.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "instance.h"

static void
instance_update(int fd, const char *socket_path)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%ld %s\n", (long)getpid(),
	    socket_path);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, buf, (size_t)n, 0);
}

int
instance_lock(const char *ifname, const char *socket_path, char *msg,
    size_t len)
{
	char path[128], who[256];
	struct stat ns;
	ssize_t n;
	int fd;

	/* interfaces are per network namespace: so are directors */
	if (stat("/proc/self/ns/net", &ns) < 0)
		ns.st_ino = 0;
	if (mkdir(INSTANCE_LOCK_DIR, 0755) < 0 && errno != EEXIST) {
		snprintf(msg, len, "mkdir %s: %s", INSTANCE_LOCK_DIR,
		    strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock.%lu.%s", INSTANCE_LOCK_DIR,
	    (unsigned long)ns.st_ino, ifname);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) < 0) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		instance_update(fd, socket_path);
		return fd;
	}
	if (errno != EWOULDBLOCK) {
		snprintf(msg, len, "lock %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = pread(fd, who, sizeof(who) - 1, 0);
	who[n > 0 ? n : 0] = '\0';
	who[strcspn(who, "\n")] = '\0';
	close(fd);
	{
		long pid = 0;
		char sock[200] = "";

		if (sscanf(who, "%ld %199s", &pid, sock) >= 1)
			snprintf(msg, len, "another drlbd (pid %ld, control "
			    "socket %s) already directs on %s: two would send "
			    "every frame to the real servers twice", pid,
			    sock[0] ? sock : "?", ifname);
		else
			snprintf(msg, len, "another drlbd already directs on %s "
			    "(%s is locked)", ifname, path);
	}
	return -1;
}
