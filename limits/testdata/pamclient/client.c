/* A PAM client for the limits tests: opens a session through the given
 * service of a private PAM configuration directory and prints this
 * process's limits before and after, whether it could raise a hard limit,
 * its nice value, its working directory and its no_new_privs flag.
 * Usage: client SERVICE USER CONFDIR */
#include <security/pam_appl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)data;
	*resp = calloc(n, sizeof(**resp));
	for (int i = 0; i < n; i++)
		fprintf(stderr, "pam says: %s\n", msg[i]->msg);
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static void dump(const char *tag)
{
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit rl;
		if (getrlimit(i, &rl) == 0)
			printf("%s %d %llu %llu\n", tag, i, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	}
}

int main(int argc, char **argv)
{
	struct pam_conv c = { conv, NULL };
	pam_handle_t *h = NULL;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: client SERVICE USER CONFDIR\n");
		return 2;
	}
	dump("before");
	rc = pam_start_confdir(argv[1], argv[2], &c, argv[3], &h);
	if (rc != PAM_SUCCESS) {
		printf("start %d %s\n", rc, pam_strerror(h, rc));
		return 3;
	}
	rc = pam_open_session(h, 0);
	printf("session %d %s\n", rc, pam_strerror(h, rc));
	dump("after");
	errno = 0;
	printf("nice %d\n", getpriority(PRIO_PROCESS, 0));
	{
		char cwd[4096];
		/* "/" after Debian's chroot item: it chroots and changes to "/" */
		printf("cwd %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
	}
	printf("nnp %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	/* Can this process raise a hard limit? Lower one by one and raise it back. */
	for (int i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit rl, low;
		if (getrlimit(i, &rl) != 0 || rl.rlim_max == RLIM_INFINITY || rl.rlim_max == 0)
			continue;
		low = rl;
		low.rlim_max--;
		if (low.rlim_cur > low.rlim_max)
			low.rlim_cur = low.rlim_max;
		if (setrlimit(i, &low) != 0)
			continue;
		printf("raise %s\n", setrlimit(i, &rl) == 0 ? "ok" : strerror(errno));
		break;
	}
	pam_end(h, rc);
	return 0;
}
