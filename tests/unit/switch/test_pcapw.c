#include "../common/check.h"
#include "pcapw.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void frame(uint8_t *f, size_t len, int seq)
{
	memset(f, 0, len);
	memset(f, 0xff, 6);
	f[6] = 2;
	f[11] = (uint8_t)seq;
	f[12] = 0x08;
	f[13] = 0x06;
	f[len - 1] = (uint8_t)seq;
}

/* Read back with libpcap: count records, check lengths and content. */
static int read_back(FILE *in, int *frames, int expect_seq_start)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(in, err);
	if (!p)
		return -1;
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0, ok = pcap_datalink(p) == DLT_EN10MB, r;
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		ok &= h->caplen == h->len && h->len >= 14;
		if (expect_seq_start >= 0)
			ok &= d[11] == (uint8_t)(expect_seq_start + n);
		n++;
	}
	ok &= r == PCAP_ERROR_BREAK; /* clean end of stream, no torn record */
	pcap_close(p);
	*frames = n;
	return ok ? 0 : -1;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	char err[256], path[] = "/tmp/umk-pcapw-XXXXXX";
	int tfd = mkstemp(path);
	CHECK(tfd >= 0);
	close(tfd);

	/* A regular file: every frame lands, libpcap can read it. */
	struct pcapw *w = pcapw_open(path, 0, err, sizeof err);
	CHECK(w != NULL);
	uint8_t f[1514];
	for (int i = 0; i < 100; i++) {
		size_t len = 60 + (size_t)i * 14;
		frame(f, len, i);
		pcapw_frame(w, f, len);
		CHECK(pcapw_flush_io(w) == 0);
	}
	CHECK(pcapw_frames(w) == 100 && pcapw_dropped(w) == 0);
	pcapw_close(w);
	int n = -1;
	FILE *in = fopen(path, "rb");
	CHECK(in && read_back(in, &n, 0) == 0);
	CHECK(n == 100);
	unlink(path);

	/* A pipe nobody reads: the bounded buffer fills, whole records are
	 * dropped, and what does arrive is still a valid pcap stream. */
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	int saved = dup(STDOUT_FILENO);
	dup2(pfd[1], STDOUT_FILENO);
	close(pfd[1]);
	w = pcapw_open("-", 100000, err, sizeof err);
	CHECK(w != NULL);
	for (int i = 0; i < 1000; i++) {
		frame(f, 1000, i);
		pcapw_frame(w, f, 1000);
		CHECK(pcapw_flush_io(w) == 0);
	}
	CHECK(pcapw_dropped(w) > 0);
	CHECK(pcapw_pending(w) > 0);
	uint64_t kept = pcapw_frames(w);
	/* Drain the pipe into a file while the writer catches up. */
	char rpath[] = "/tmp/umk-pcapr-XXXXXX";
	int rfd = mkstemp(rpath);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	char buf[65536];
	for (;;) {
		ssize_t got = read(pfd[0], buf, sizeof buf);
		if (got > 0) {
			CHECK(write(rfd, buf, (size_t)got) == got);
			continue;
		}
		if (pcapw_pending(w) == 0)
			break;
		pcapw_flush_io(w);
	}
	pcapw_close(w);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(pfd[0]);
	lseek(rfd, 0, SEEK_SET);
	in = fdopen(rfd, "rb");
	n = -1;
	CHECK(in && read_back(in, &n, -1) == 0);
	CHECK((uint64_t)n == kept);
	unlink(rpath);

	/* A reader that goes away: the writer reports it instead of dying. */
	CHECK(pipe(pfd) == 0);
	saved = dup(STDOUT_FILENO);
	dup2(pfd[1], STDOUT_FILENO);
	close(pfd[1]);
	w = pcapw_open("-", 0, err, sizeof err);
	close(pfd[0]);
	frame(f, 60, 1);
	pcapw_frame(w, f, 60);
	CHECK(pcapw_flush_io(w) == -1); /* EPIPE; SIGPIPE ignored below */
	pcapw_close(w);
	dup2(saved, STDOUT_FILENO);
	close(saved);

	CHECK(pcapw_open("/nonexistent/dir/x.pcap", 0, err, sizeof err) == NULL && strstr(err, "nonexistent"));
	return check_done("pcapw");
}
