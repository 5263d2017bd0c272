/* umk-mconsole: the management console's client, for scripts and shells.
 * It speaks UML's mconsole protocol (include/wire/mconsole.h), so it
 * drives umk and UML alike; unlike uml_mconsole, a reply's text goes to
 * stdout bare (stderr for an error) and the exit status says how it went:
 *   0 the machine did it, 1 the machine refused (an ERR reply),
 *   2 a usage error, 3 the machine cannot be reached (no such instance,
 *   no answer in time).
 * `list` prints the running instances, `commands` the command names
 * (both one a line: what shell completion wants), and `listen SOCKET`
 * prints what a machine started with mconsole=notify:SOCKET reports. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wire/instdir.h>
#include <wire/mconsole.h>

enum { EX_OK, EX_REFUSED, EX_USAGE, EX_UNREACHABLE };

static const char *uml_dir;
static int timeout_ms = 60000;

/* The machine's commands, and what each takes (for usage and `commands`). */
static const char *const commands[][2] = {
	{ "version", "" }, { "help", "" }, { "halt", "" }, { "reboot", "" }, { "cad", "" },
	{ "sysrq", "KEY" }, { "stop", "" }, { "go", "" }, { "config", "DEV[=SPEC]" }, { "remove", "DEV" },
	{ "log", "TEXT" }, { "proc", "FILE" }, { "gdbstub", "PID" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: umk-mconsole [-d UML_DIR] [-t SECS] MACHINE COMMAND [ARGS...]\n"
		   "       umk-mconsole [-d UML_DIR] MACHINE          (commands from stdin, one a line)\n"
		   "       umk-mconsole [-d UML_DIR] list [-l]        (running machines)\n"
		   "       umk-mconsole commands | listen SOCKET [COUNT]\n"
		   "MACHINE is a umid (its socket is UML_DIR/UMID/mconsole; UML_DIR defaults to\n"
		   "$UML_DIR, else ~/.uml) or a socket path (with a '/'). Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s %s\n", commands[i][0], commands[i][1]);
	fprintf(f, "  int                (SIGINT to the machine's process: its power button)\n"
		   "Exit status: 0 done, 1 refused by the machine, 2 usage, 3 unreachable.\n");
}

static const char *dir_of_instances(void)
{
	if (uml_dir)
		return uml_dir;
	const char *e = getenv("UML_DIR");
	if (e && *e)
		return e;
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	static char d[4096];
	snprintf(d, sizeof(d), "%s/.uml", home);
	return d;
}

static int list(bool longer)
{
	const char *dir = dir_of_instances();
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return EX_OK;	/* no machine ever ran here */
		fprintf(stderr, "umk-mconsole: %s: %s\n", dir, strerror(errno));
		return EX_UNREACHABLE;
	}
	struct dirent *e;
	char p[4096];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (size_t)snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= sizeof(p))
			continue;
		pid_t pid;
		if (instdir_probe(p, &pid) != INSTDIR_ALIVE)
			continue;
		if (longer)
			printf("%s\t%d\t%s/%s\n", e->d_name, (int)pid, p, INSTDIR_MCONSOLE);
		else
			printf("%s\n", e->d_name);
	}
	closedir(d);
	return EX_OK;
}

/* MACHINE -> its socket address; false (with a message) if not there. */
static bool resolve(const char *machine, struct sockaddr_un *a, char *inst, size_t n)
{
	a->sun_family = AF_UNIX;
	inst[0] = 0;
	int len;
	if (strchr(machine, '/'))
		len = snprintf(a->sun_path, sizeof(a->sun_path), "%s", machine);
	else {
		snprintf(inst, n, "%s/%s", dir_of_instances(), machine);
		len = snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", inst, INSTDIR_MCONSOLE);
	}
	if (len < 0 || (size_t)len >= sizeof(a->sun_path)) {
		fprintf(stderr, "umk-mconsole: %s: the socket path is too long\n", machine);
		return false;
	}
	struct stat st;
	if (stat(a->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "umk-mconsole: %s: no such machine (no socket %s)\n", machine, a->sun_path);
		return false;
	}
	return true;
}

/* One request and its replies. */
static int transact(int fd, const struct sockaddr_un *to, const char *line)
{
	struct mconsole_request req = { .magic = MCONSOLE_MAGIC, .version = MCONSOLE_VERSION };
	size_t n = strlen(line);
	if (n >= MCONSOLE_MAX_DATA) {
		fprintf(stderr, "umk-mconsole: the command is longer than %d bytes\n", MCONSOLE_MAX_DATA - 1);
		return EX_USAGE;
	}
	req.len = (uint32_t)n;
	memcpy(req.data, line, n);
	if (sendto(fd, &req, MCONSOLE_REQUEST_HDR + n, 0, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		fprintf(stderr, "umk-mconsole: %s: %s\n", to->sun_path, strerror(errno));
		return EX_UNREACHABLE;
	}
	bool first = true, err = false;
	char last = '\n';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, timeout_ms);
		if (r == 0) {
			fprintf(stderr, "umk-mconsole: no answer from %s in %d s\n", to->sun_path, timeout_ms / 1000);
			return EX_UNREACHABLE;
		}
		if (r < 0 && errno == EINTR)
			continue;
		struct mconsole_reply rep;
		ssize_t k = recv(fd, &rep, sizeof(rep), 0);
		if (k < 0) {
			fprintf(stderr, "umk-mconsole: %s\n", strerror(errno));
			return EX_UNREACHABLE;
		}
		if (k < MCONSOLE_REPLY_HDR || rep.len == 0 || rep.len > MCONSOLE_MAX_DATA ||
		    (size_t)k < MCONSOLE_REPLY_HDR + rep.len) {
			/* an old-style (version 0) machine answers plain text */
			fprintf(stderr, "umk-mconsole: a malformed reply from %s\n", to->sun_path);
			return EX_UNREACHABLE;
		}
		rep.data[rep.len - 1] = 0;
		if (first)
			err = rep.err != 0;
		first = false;
		fputs(rep.data, err ? stderr : stdout);
		if (rep.data[0])
			last = rep.data[strlen(rep.data) - 1];
		if (!rep.more)
			break;
	}
	/* a line ending when the text (a file's, usually) has none */
	if (last != '\n')
		fputc('\n', err ? stderr : stdout);
	fflush(stdout);
	return err ? EX_REFUSED : EX_OK;
}

static int run_line(int fd, const struct sockaddr_un *to, const char *inst, const char *line)
{
	if (!strcmp(line, "int")) {
		/* uml_mconsole's int: SIGINT to the pid in the instance directory */
		char pf[4200];
		if (!inst[0]) {
			fprintf(stderr, "umk-mconsole: int needs a machine name, not a socket path\n");
			return EX_USAGE;
		}
		snprintf(pf, sizeof(pf), "%s/%s", inst, INSTDIR_PID);
		FILE *f = fopen(pf, "r");
		int pid = 0;
		if (!f || fscanf(f, "%d", &pid) != 1 || pid <= 0 || kill(pid, SIGINT) < 0) {
			fprintf(stderr, "umk-mconsole: int: %s: %s\n", pf, strerror(errno ? errno : ESRCH));
			if (f)
				fclose(f);
			return EX_UNREACHABLE;
		}
		fclose(f);
		return EX_OK;
	}
	return transact(fd, to, line);
}

/* listen SOCKET [COUNT]: bind SOCKET and print each notification as
 * "socket PATH", "panic MESSAGE", "hang" or "user TEXT", one a line;
 * after COUNT of them (default: forever), exit. */
static int listen_notify(const char *path, long count)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "umk-mconsole: %s: the socket path is too long\n", path);
		return EX_USAGE;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "umk-mconsole: %s: %s\n", path, strerror(errno));
		return EX_UNREACHABLE;
	}
	static const char *const names[] = { "socket", "panic", "hang", "user" };
	for (long seen = 0; count <= 0 || seen < count;) {
		struct mconsole_notify m;
		ssize_t k = recv(fd, &m, sizeof(m), 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		if (k < MCONSOLE_NOTIFY_HDR || m.magic != MCONSOLE_MAGIC || m.len > MCONSOLE_MAX_DATA ||
		    (size_t)k < MCONSOLE_NOTIFY_HDR + m.len)
			continue;	/* not a notification */
		char text[MCONSOLE_MAX_DATA + 1];
		memcpy(text, m.data, m.len);
		text[m.len] = 0;
		printf("%s%s%s\n", m.type < 4 ? names[m.type] : "type?", text[0] ? " " : "", text);
		fflush(stdout);
		seen++;
	}
	close(fd);
	unlink(path);
	return EX_OK;
}

/* The words of a command, joined by blanks. */
static char *join(int n, char **w)
{
	size_t len = 1;
	for (int i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	char *s = calloc(1, len);
	for (int i = 0; s && i < n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, w[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "+d:t:h", longs, NULL)) != -1) {
		switch (c) {
		case 'd':
			uml_dir = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 86400) {
				fprintf(stderr, "umk-mconsole: -t %s: expected seconds from 1 to 86400\n", optarg);
				return EX_USAGE;
			}
			timeout_ms = (int)v * 1000;
			break;
		}
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	char **rest = argv + optind;
	int nrest = argc - optind;
	if (nrest < 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!strcmp(rest[0], "list"))
		return nrest <= 2 && (nrest == 1 || !strcmp(rest[1], "-l")) ? list(nrest == 2) : (usage(stderr), EX_USAGE);
	if (!strcmp(rest[0], "commands")) {
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			printf("%s\n", commands[i][0]);
		printf("int\n");
		return EX_OK;
	}
	if (!strcmp(rest[0], "listen")) {
		long count = nrest == 3 ? strtol(rest[2], NULL, 10) : 0;
		if (nrest < 2 || nrest > 3 || (nrest == 3 && count <= 0)) {
			usage(stderr);
			return EX_USAGE;
		}
		return listen_notify(rest[1], count);
	}
	struct sockaddr_un to;
	char inst[4096];
	if (!resolve(rest[0], &to, inst, sizeof(inst)))
		return EX_UNREACHABLE;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un me = { .sun_family = AF_UNIX };
	/* autobind: an abstract address of the kernel's choosing, for replies */
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)) < 0) {
		fprintf(stderr, "umk-mconsole: socket: %s\n", strerror(errno));
		return EX_UNREACHABLE;
	}
	if (nrest > 1) {
		char *line = join(nrest - 1, rest + 1);
		int r = line ? run_line(fd, &to, inst, line) : EX_USAGE;
		free(line);
		return r;
	}
	/* commands from stdin; the status is the worst seen */
	char *line = NULL;
	size_t cap = 0;
	int worst = EX_OK;
	ssize_t k;
	while ((k = getline(&line, &cap, stdin)) >= 0) {
		while (k && (line[k - 1] == '\n' || line[k - 1] == ' '))
			line[--k] = 0;
		if (!k)
			continue;
		int r = run_line(fd, &to, inst, line);
		if (r > worst)
			worst = r;
		if (r == EX_UNREACHABLE)
			break;
	}
	free(line);
	return worst;
}
