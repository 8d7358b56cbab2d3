/*
 * The capture layer end to end: every framing in tests/data/capture/ (made
 * by make.py) carries the same TCP conversation and one UDP datagram, and
 * must yield the same callbacks; damaged files give the right errors after
 * delivering what came before.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "test_capture_rec.h"

#include "tlsalert/capture.h"

#define DIR "tests/data/capture/"

static const uint8_t cdata[] = {0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'};
static const uint8_t sdata[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
static const char *want_log = "open1 d0:10 d1:7 e1F e0F close1 open2 u0:15 close2";

/* 0: pcap and pcapng files are read in place (pcap.c, pcapng.c); 1: everything through libpcap */
static int force_libpcap;

/* tlsa_capture_opts.stop of run(); set by test_stop */
static volatile sig_atomic_t stop_flag;
static bool use_stop;

static int run(const char *file, struct rec *r, struct tlsa_capture_stats *st,
	       struct tlsa_error *err, const char *bpf)
{
	struct tlsa_capture_handler h = rec_handler(r);
	struct tlsa_capture_opts o = {.sz = sizeof(o)};
	o.bpf = bpf;
	o.libpcap_reader = force_libpcap;
	o.stop = use_stop ? &stop_flag : NULL;
	struct tlsa_capture *c = tlsa_capture_new(&o, &h);
	if (c == NULL)
		return -100;
	memset(err, 0, sizeof(*err));
	int rc = tlsa_capture_file(c, file, 3, err);
	tlsa_capture_finish(c);
	if (st != NULL)
		tlsa_capture_get_stats(c, st);
	tlsa_capture_free(c);
	return rc;
}

static void check_conversation(const char *name, int family)
{
	char path[256];
	struct rec r;
	struct tlsa_error err;
	snprintf(path, sizeof(path), DIR "%s", name);
	int rc = run(path, &r, NULL, &err, NULL);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", name, err.msg);
	CHECK_INT(rc, 0);
	if (strcmp(r.log, want_log) != 0)
		fprintf(stderr, "%s: log \"%s\"\n", name, r.log);
	CHECK_STR(r.log, want_log);
	CHECK_INT(r.f[0].len[0], sizeof(cdata));
	CHECK(memcmp(r.f[0].data[0], cdata, sizeof(cdata)) == 0);
	CHECK_INT(r.f[0].len[1], sizeof(sdata));
	CHECK(memcmp(r.f[0].data[1], sdata, sizeof(sdata)) == 0);
	CHECK_INT(r.f[0].syn_dir, 0);
	CHECK_INT(r.f[0].copy.transport, 6);
	CHECK_INT(r.f[0].copy.port[0], 40000);
	CHECK_INT(r.f[0].copy.port[1], 443);
	CHECK_INT(r.f[0].copy.addr[0].family, family);
	CHECK_INT(r.f[0].copy.addr[1].bytes[family == 4 ? 3 : 15], 2);
	CHECK_INT(r.f[1].copy.transport, 17);
	CHECK_INT(r.notices, 0);
}

static void test_framings(void)
{
	static const struct {
		const char *file;
		int family;
	} t[] = {
		{"eth-ipv4.pcap", 4},	   {"eth-ipv6-nsec.pcap", 6}, {"raw-ipv4.pcap", 4},
		{"linktype-ipv6.pcap", 6}, {"null-ipv4.pcap", 4},     {"loop-ipv6.pcap", 6},
		{"vlan.pcap", 4},	   {"qinq.pcap", 4},	      {"pppoe.pcap", 4},
		{"mpls.pcap", 4},	   {"cisco-sgt.pcap", 4},     {"sll.pcap", 4},
		{"sll2.pcap", 6},	   {"gre.pcap", 4},	      {"erspan2.pcap", 4},
		{"vxlan.pcap", 4},	   {"geneve.pcap", 4},	      {"gtpu.pcap", 4},
		{"capwap.pcap", 4},	   {"ipip.pcap", 4},	      {"6in4.pcap", 6},
		{"ipv6-ext.pcap", 6},	   {"frag-ipv4.pcap", 4},     {"frag-ipv6.pcap", 6},
		{"multi.pcapng", 4},	   {"eth-ipv4.pcap.gz", 4},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		check_conversation(t[i].file, t[i].family);
	/* sections of both byte orders: libpcap 1.10 cannot read the second one */
	if (!force_libpcap)
		check_conversation("variants.pcapng", 4);
}

static void test_frames_and_time(void)
{
	struct rec r;
	struct tlsa_error err;
	struct tlsa_capture_stats st;
	CHECK_INT(run(DIR "eth-ipv6-nsec.pcap", &r, &st, &err, NULL), 0);
	CHECK_INT(r.f[0].last_frame[0], 4);
	CHECK_INT(r.f[0].last_frame[1], 5);
	CHECK_INT(st.packets, 9);
	CHECK_INT(st.flows, 2);
	/* fragments: the server's segment completes with the third fragment (frame 7) */
	CHECK_INT(run(DIR "frag-ipv4.pcap", &r, &st, &err, NULL), 0);
	CHECK_INT(r.f[0].last_frame[1], 7);
	CHECK_INT(st.fragments, 3);
	CHECK_INT(run(DIR "vxlan.pcap", &r, &st, &err, NULL), 0);
	CHECK_INT(st.tunnels, 9);
}

static void test_pcapng_times(void)
{
	struct rec r;
	struct tlsa_error err;
	/* frame 4 on a nanosecond interface, frame 5 in the second section (microseconds) */
	CHECK_INT(run(DIR "multi.pcapng", &r, NULL, &err, NULL), 0);
	CHECK_INT(r.f[0].last_sec[0], 1700000003);
	CHECK_INT(r.f[0].last_sec[1], 1700000004);
	/* binary resolution 2^-20 s and a 100 s offset; frame 4 is at 1700000003 + 1.5 + 100 s,
	   as tshark shows it */
	if (force_libpcap) {
		CHECK_INT(run(DIR "variants.pcapng", &r, NULL, &err, NULL), TLSA_EINVAL);
		CHECK(strstr(err.msg, "variants.pcapng: frame 5:") != NULL);
		return;
	}
	CHECK_INT(run(DIR "variants.pcapng", &r, NULL, &err, NULL), 0);
	CHECK_INT(r.f[0].last_sec[0], 1700000104);
	CHECK_INT(r.f[0].last_nsec[0], 500000000);
	CHECK_INT(r.f[0].last_frame[1], 5);
	CHECK_INT(r.f[0].last_sec[1], 1700000004);
}

static void test_bpf(void)
{
	struct rec r;
	struct tlsa_error err;
	/* only the UDP datagram passes; frame numbers still count every packet */
	CHECK_INT(run(DIR "eth-ipv4.pcap", &r, NULL, &err, "udp"), 0);
	CHECK_STR(r.log, "open1 u0:15 close1");
	CHECK_INT(run(DIR "eth-ipv4.pcap", &r, NULL, &err, "tcp port 443"), 0);
	CHECK_STR(r.log, "open1 d0:10 d1:7 e1F e0F close1");
	CHECK_INT(r.f[0].last_frame[1], 5);
	CHECK_INT(run(DIR "eth-ipv4.pcap", &r, NULL, &err, "tcp port"), TLSA_EINVAL);
	CHECK(strstr(err.msg, "BPF filter") != NULL);
}

static void test_stdin(void)
{
	struct rec r;
	struct tlsa_error err;
	/* "-" reads standard input, gzip-compressed or plain */
	CHECK(freopen(DIR "eth-ipv4.pcap.gz", "rb", stdin) != NULL);
	CHECK_INT(run("-", &r, NULL, &err, NULL), 0);
	CHECK_STR(r.log, want_log);
	CHECK(freopen(DIR "sll2.pcap", "rb", stdin) != NULL);
	CHECK_INT(run("-", &r, NULL, &err, NULL), 0);
	CHECK_STR(r.log, want_log);
	CHECK(freopen(DIR "cut-last.pcap", "rb", stdin) != NULL);
	CHECK_INT(run("-", &r, NULL, &err, NULL), TLSA_ETRUNC);
	CHECK(strstr(err.msg, "-: frame 9:") != NULL);
}

static void test_damaged(void)
{
	struct rec r;
	struct tlsa_error err;
	/* last packet cut: everything before it was delivered, the error names frame 9 */
	CHECK_INT(run(DIR "cut-last.pcap", &r, NULL, &err, NULL), TLSA_ETRUNC);
	CHECK_STR(r.log, "open1 d0:10 d1:7 e1F e0F close1");
	CHECK(strstr(err.msg, "cut-last.pcap: frame 9:") != NULL);
	CHECK_INT(run(DIR "cut-header.pcap", &r, NULL, &err, NULL), TLSA_ETRUNC);
	CHECK(strstr(err.msg, "frame 9: truncated dump file; tried to read 16 header bytes, only "
			      "got 5") != NULL);
	/* an absurd record length in frame 4 */
	CHECK(run(DIR "absurd-len.pcap", &r, NULL, &err, NULL) < 0);
	CHECK(strstr(err.msg, "frame 4:") != NULL);
	CHECK_STR(r.log, "open1 e0E e1E close1");
	CHECK_INT(run(DIR "unknown-link.pcap", &r, NULL, &err, NULL), TLSA_EUNSUPP);
	CHECK(strstr(err.msg, "link-layer type 147") != NULL);
	CHECK_INT(run(DIR "unknown-link.pcapng", &r, NULL, &err, NULL), TLSA_EUNSUPP);
	CHECK(strstr(err.msg, "link-layer type 147") != NULL);
	/* pcapng cut inside its last packet block */
	CHECK_INT(run(DIR "cut.pcapng", &r, NULL, &err, NULL), TLSA_ETRUNC);
	CHECK(strstr(err.msg, "cut.pcapng: frame 9:") != NULL);
	CHECK_STR(r.log, "open1 d0:10 d1:7 e1F e0F close1");
	/* interfaces with different link types: libpcap refuses the file, our reader does not */
	if (force_libpcap) {
		CHECK_INT(run(DIR "mixed-link.pcapng", &r, NULL, &err, NULL), TLSA_EINVAL);
		CHECK(strstr(err.msg, "mixed-link.pcapng: frame 1:") != NULL);
	} else {
		CHECK_INT(run(DIR "mixed-link.pcapng", &r, NULL, &err, NULL), 0);
		CHECK_STR(r.log, "open1 d0:10 e0E e1E close1");
	}
	CHECK_INT(run(DIR "corrupt.pcap.gz", &r, NULL, &err, NULL), TLSA_EINVAL);
	/* libpcap sees the bytes inflated before the damage, which make no sense here */
	if (!force_libpcap)
		CHECK(strstr(err.msg, "frame 5: gzip-compressed data damaged") != NULL);
	CHECK_INT(run(DIR "does-not-exist.pcap", &r, NULL, &err, NULL), TLSA_EIO);
	CHECK(strstr(err.msg, "does-not-exist.pcap: cannot open") != NULL);
	CHECK(run("tests/unit/check.h", &r, NULL, &err, NULL) < 0);
	/* corrupt headers mid-file: noticed, skipped, the rest still decoded */
	struct tlsa_capture_stats st;
	CHECK_INT(run(DIR "corrupt-mid.pcap", &r, &st, &err, NULL), 0);
	CHECK_STR(r.log, "open1 open2 u0:5 d0:10 d1:7 e1F e0F close1 open3 u0:15 close2 close3");
	CHECK_INT(r.notices, 2);
	CHECK_INT(st.undecoded, 2);
}

/* Both readers word their errors alike (golden CLI tests depend on it). */
static void test_same_errors(void)
{
	static const char *const files[] = {"cut-last.pcap", "cut-header.pcap", "absurd-len.pcap",
					    "unknown-link.pcap"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256], msg[2][sizeof(((struct tlsa_error *)0)->msg)];
		int rc[2];
		snprintf(path, sizeof(path), DIR "%s", files[i]);
		for (force_libpcap = 0; force_libpcap < 2; force_libpcap++) {
			struct rec r;
			struct tlsa_error err;
			rc[force_libpcap] = run(path, &r, NULL, &err, NULL);
			memcpy(msg[force_libpcap], err.msg, sizeof(err.msg));
		}
		CHECK_INT(rc[0], rc[1]);
		CHECK_STR(msg[0], msg[1]);
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* The whole of `path` into a new pipe whose write end stays open (no end of input): stdin. */
static int stdin_from_open_pipe(const char *path, int *wr)
{
	int fd[2];
	uint8_t buf[8192];
	FILE *f = fopen(path, "rb");
	if (f == NULL || pipe(fd) != 0)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (write(fd[1], buf, n) != (ssize_t)n || dup2(fd[0], 0) != 0)
		return -1;
	close(fd[0]);
	*wr = fd[1];
	return 0;
}

/* tlsa_capture_opts.stop: set before reading, nothing is read; set by a signal while a pipe
 * has no more data, reading ends as at the end of input, within a short time. */
static void test_stop(void)
{
	struct rec r;
	struct tlsa_error err;
	struct tlsa_capture_stats st;
	static const char *const files[] = {"eth-ipv4.pcap", "eth-ipv4.pcap.gz", "variants.pcapng"};
	use_stop = true;
	stop_flag = 1;
	for (force_libpcap = 0; force_libpcap < 2; force_libpcap++) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			char path[256];
			snprintf(path, sizeof(path), DIR "%s", files[i]);
			CHECK_INT(run(path, &r, &st, &err, NULL), 0);
			CHECK_STR(r.log, "");
			CHECK_INT(st.packets, 0);
		}
	}
	force_libpcap = 0;
	int saved = dup(0), wr = -1;
	CHECK(saved >= 0);
	for (int gz = 0; gz < 2; gz++) {
		stop_flag = 0;
		CHECK_INT(stdin_from_open_pipe(gz ? DIR "eth-ipv4.pcap.gz" : DIR "eth-ipv4.pcap",
					       &wr),
			  0);
		struct sigaction sa = {0};
		sa.sa_handler = on_alarm;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 0}, {0, 200000}};
		setitimer(ITIMER_REAL, &it, NULL);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK_INT(run("-", &r, NULL, &err, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK_STR(r.log, want_log); /* every packet, and the flows closed by finish */
		double s =
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		CHECK(s >= 0.15 && s < 2.0);
		close(wr);
	}
	CHECK(dup2(saved, 0) == 0);
	close(saved);
	use_stop = false;
	stop_flag = 0;
}

int main(void)
{
	test_same_errors();
	for (force_libpcap = 0; force_libpcap < 2; force_libpcap++) {
		test_framings();
		test_frames_and_time();
		test_bpf();
		test_pcapng_times();
		test_stdin();
		test_damaged();
	}
	test_stop();
	return CHECK_DONE();
}
