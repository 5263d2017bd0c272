/* execve: argv/envp passing, auxv, #! scripts, failure errnos. The
 * program re-executes itself (argv[0]) in "child" mode. */
#include "t.h"
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static int child_main(int argc, char **argv)
{
	/* argv as passed */
	printf("child argc: %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("child argv[%d]: [%s]\n", i, argv[i]);
	/* exactly the environment passed */
	int n = 0;
	for (char **e = environ; *e; e++, n++)
		printf("child env[%d]: [%s]\n", n, *e);
	CHECK("AT_PAGESZ == 4096", getauxval(AT_PAGESZ) == 4096);
	CHECK("AT_RANDOM non-null", getauxval(AT_RANDOM) != 0);
	const char *fn = (const char *)getauxval(AT_EXECFN);
	CHECK("AT_EXECFN equals path given to execve", fn && strcmp(fn, argv[0]) == 0);
	CHECK("AT_PHDR non-null", getauxval(AT_PHDR) != 0);
	CHECK("AT_ENTRY non-null", getauxval(AT_ENTRY) != 0);
	CHECK("AT_UID == getuid", getauxval(AT_UID) == getuid());
	CHECK("AT_EGID == getegid", getauxval(AT_EGID) == getegid());
	CHECK("AT_SECURE == 0", getauxval(AT_SECURE) == 0);
	/* fd inherited across exec, close-on-exec one not */
	CHECK("fd 10 inherited", fcntl(10, F_GETFD) == 0);
	CHECK("fd 11 closed by O_CLOEXEC", fcntl(11, F_GETFD) == -1 && errno == EBADF);
	return t_done() ? 40 : 33;
}

static int run(char *const argv[], char *const envp[], const char *path)
{
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		execve(path, argv, envp);
		printf("execve %s failed: %s\n", path, strerror(errno));
		_exit(127);
	}
	int st;
	if (waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		DIE(path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		DIE("write");
	close(fd);
	chmod(path, mode);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_main(argc, argv);

	const char *self = argv[0];
	if (self[0] != '/') {
		printf("FATAL: run me with an absolute path\n");
		return 2;
	}

	/* fds for inheritance checks */
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	if (dup2(fd, 10) != 10)
		DIE("dup2");
	if (dup3(fd, 11, O_CLOEXEC) != 11)
		DIE("dup3");
	close(fd);

	char *cargv[] = { (char *)self, "child", "two words", "", "last", NULL };
	char *cenv[] = { "FOO=bar", "EMPTY=", "WITH SPACE=a b", NULL };
	int rc = run(cargv, cenv, self);
	CHECK("child exit status 33", rc == 33);

	char *cenv0[] = { NULL };
	char *cargv2[] = { (char *)self, "child", NULL };
	rc = run(cargv2, cenv0, self);
	CHECK("empty environment child exit status 33", rc == 33);
	close(10);
	close(11);

	char dir[] = "/tmp/umk-exec.XXXXXX";
	if (!mkdtemp(dir))
		DIE("mkdtemp");
	char script[128], noexec[128], garbage[128], missing[128], interp[128];
	snprintf(script, sizeof script, "%s/script.sh", dir);
	snprintf(noexec, sizeof noexec, "%s/noexec", dir);
	snprintf(garbage, sizeof garbage, "%s/garbage", dir);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	snprintf(interp, sizeof interp, "%s/badinterp", dir);

	/* #! script through /bin/sh, with arguments */
	write_file(script, "#!/bin/sh\necho \"script: $# args: $1,$2\"\nexit 5\n", 0755);
	char *sargv[] = { script, "a1", "a2", NULL };
	char *senv[] = { "PATH=/bin:/usr/bin", NULL };
	rc = run(sargv, senv, script);
	CHECK("#! script exit status 5", rc == 5);

	/* #! with an interpreter argument */
	char s2[160];
	snprintf(s2, sizeof s2, "%s/script2", dir);
	write_file(s2, "#!/bin/sh -e\necho \"script2: $0\" | sed 's,.*/,,'\nfalse\necho not reached\n", 0755);
	char *s2argv[] = { s2, NULL };
	rc = run(s2argv, senv, s2);
	CHECK("#! interpreter argument -e honoured", rc == 1);

	write_file(noexec, "#!/bin/sh\necho hi\n", 0644);
	write_file(garbage, "\x01\x02\x03 this is not an executable\n", 0755);
	write_file(interp, "#!/nonexistent/interpreter\n", 0755);
	char *nargv[] = { "x", NULL };
	CHECK_ERR("execve missing file", execve(missing, nargv, senv), ENOENT);
	CHECK_ERR("execve non-executable file", execve(noexec, nargv, senv), EACCES);
	CHECK_ERR("execve garbage file", execve(garbage, nargv, senv), ENOEXEC);
	CHECK_ERR("execve missing #! interpreter", execve(interp, nargv, senv), ENOENT);
	CHECK_ERR("execve a directory", execve(dir, nargv, senv), EACCES);
	char notdir[160];
	snprintf(notdir, sizeof notdir, "%s/x", noexec);
	CHECK_ERR("execve through a file as dir", execve(notdir, nargv, senv), ENOTDIR);

	unlink(script);
	unlink(s2);
	unlink(noexec);
	unlink(garbage);
	unlink(interp);
	rmdir(dir);
	return t_done();
}
