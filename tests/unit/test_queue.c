/*
 * test_queue.c - queue IDs (src/queue/qid.c) and queue files
 * (src/queue/qfile.c): IDs sort by arrival and never repeat, within a
 * process and between processes in the same microsecond; a committed file
 * is in active/ and reads back record for record; an aborted or failed one
 * leaves nothing behind, also when the disk refuses the write (a file size
 * limit stands in for a full disk); the reader refuses malformed files and
 * reports a file without its end record as incomplete.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "queue/qfile.h"
#include "queue/qsync.h"
#include "queue/qid.h"

static void test_qid(void **state)
{
	struct sp_qid_gen a, b;
	char prev[SP_QID_LEN + 1] = "", id[SP_QID_LEN + 1], other[SP_QID_LEN + 1];

	(void)state;
	sp_qid_gen_init(&a, 4242);
	sp_qid_gen_init(&b, 4243);
	for (int i = 0; i < 2000; i++) {
		/* the clock stands still and even goes back: IDs still increase */
		sp_qid_next(&a, 1700000000000000ull + (uint64_t)(i / 3) - (i % 7 == 0), id);
		assert_true(sp_qid_valid(id));
		assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof(id));
	}
	/* two processes in the same microsecond */
	sp_qid_next(&a, 1800000000000000ull, id);
	sp_qid_next(&b, 1800000000000000ull, other);
	assert_string_not_equal(id, other);
	assert_memory_equal(id, other, 11);   /* same time part: they sort together */
	/* later arrivals sort later whatever the process */
	sp_qid_next(&b, 1800000000000001ull, other);
	assert_true(strcmp(id, other) < 0);
	assert_false(sp_qid_valid("0123456789ABCDEI"));   /* I is not a digit */
	assert_false(sp_qid_valid("0123456789ABCDE"));
	assert_false(sp_qid_valid("0123456789ABCDEFG"));
	assert_false(sp_qid_valid("../../etc/passwd"));
	assert_false(sp_qid_valid(""));
}

static char qdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(qdir, sizeof(qdir), "/tmp/sallyport-queue-XXXXXX");
	if (mkdtemp(qdir) == NULL)
		return -1;
	return sp_queue_mkdirs(qdir);
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) < 0)
			rm_dir(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int teardown(void **state)
{
	(void)state;
	rm_dir(qdir);
	return 0;
}

static int count(const char *sub)
{
	char path[512];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", qdir, sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct seen {
	char types[64];
	size_t n;
	size_t content;
	char rcpt[64];
};

static int collect(void *ctx, enum sp_qrec type, const char *data, size_t len)
{
	struct seen *s = ctx;

	if (s->n < sizeof(s->types) - 1)
		s->types[s->n++] = (char)type;
	if (type == SP_QREC_DATA)
		s->content += len;
	if (type == SP_QREC_RCPT)
		snprintf(s->rcpt, sizeof(s->rcpt), "%s", data);
	return 0;
}

static void test_commit_and_read(void **state)
{
	struct sp_qid_gen g;
	struct sp_qfile q;
	struct seen s = {0};
	char path[512], big[200000];

	(void)state;
	sp_qid_gen_init(&g, (uint32_t)getpid());
	sp_qfile_create(&q, qdir, &g, 1700000000000000ull);
	assert_int_equal(count("incoming"), 0);   /* created by the first write */
	sp_qfile_add(&q, SP_QREC_SENDER, "alice@example.com", 17);
	sp_qfile_add(&q, SP_QREC_RCPT, "bob@example.com", 15);
	sp_qfile_addf(&q, SP_QREC_ATTR, "helo=%s", "mail.example.net");
	memset(big, 'x', sizeof(big));
	sp_qfile_content(&q, "Subject: hi\r\n\r\n", 15);
	sp_qfile_content(&q, big, sizeof(big));
	assert_int_equal(count("incoming"), 1);
	char id[SP_QID_LEN + 1];
	memcpy(id, q.id, sizeof(id));
	assert_int_equal(sp_qfile_commit(&q, NULL), 0);
	assert_int_equal(count("incoming"), 0);
	assert_int_equal(count("active"), 1);
	snprintf(path, sizeof(path), "%s/active/%s", qdir, id);
	assert_int_equal(sp_qfile_read(path, collect, &s), 0);
	assert_string_equal(s.types, "TSRADDE");
	assert_int_equal(s.content, 15 + sizeof(big));
	assert_string_equal(s.rcpt, "bob@example.com");
	unlink(path);
}

static void test_abort(void **state)
{
	struct sp_qid_gen g;
	struct sp_qfile q;

	(void)state;
	sp_qid_gen_init(&g, (uint32_t)getpid());
	sp_qfile_create(&q, qdir, &g, 1700000000000001ull);
	sp_qfile_content(&q, "x\r\n", 3);
	sp_qfile_abort(&q);
	assert_int_equal(count("incoming"), 0);
	assert_int_equal(count("active"), 0);
}

/* A full disk: the write fails (here: past RLIMIT_FSIZE, EFBIG); commit
 * reports it and leaves nothing. */
static void test_disk_full(void **state)
{
	struct sp_qid_gen g;
	struct sp_qfile q;
	struct rlimit old, lim = {100000, 100000};
	static char big[300000];
	void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	sp_qid_gen_init(&g, (uint32_t)getpid());
	sp_qfile_create(&q, qdir, &g, 1700000000000002ull);
	sp_qfile_content(&q, big, sizeof(big));
	assert_int_equal(sp_qfile_commit(&q, NULL), EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(count("incoming"), 0);
	assert_int_equal(count("active"), 0);
}

/* A queue without active/: commit fails and removes the incoming file. */
static void test_rename_fails(void **state)
{
	struct sp_qid_gen g;
	struct sp_qfile q;
	char active[512];

	(void)state;
	snprintf(active, sizeof(active), "%s/active", qdir);
	rm_dir(active);
	sp_qid_gen_init(&g, (uint32_t)getpid());
	sp_qfile_create(&q, qdir, &g, 1700000000000003ull);
	assert_int_equal(sp_qfile_commit(&q, NULL), ENOENT);
	assert_int_equal(count("incoming"), 0);
	assert_int_equal(sp_queue_mkdirs(qdir), 0);
	/* no incoming/: the file cannot be created; commit says so, nothing kept */
	snprintf(active, sizeof(active), "%s/incoming", qdir);
	rm_dir(active);
	sp_qfile_create(&q, qdir, &g, 1700000000000004ull);
	sp_qfile_content(&q, "x\r\n", 3);
	assert_int_equal(sp_qfile_commit(&q, NULL), ENOENT);
	assert_int_equal(count("active"), 0);
	assert_int_equal(sp_queue_mkdirs(qdir), 0);
}

/* Threads committing together share the directory fsyncs (qsync.h): every
 * commit still reports success and every file is complete in active/. */
struct committer {
	struct sp_qsync *sync;
	uint32_t n;
	int failures;
};

static void *commit_many(void *arg)
{
	struct committer *c = arg;
	struct sp_qid_gen g;
	struct sp_qfile q;

	sp_qid_gen_init(&g, c->n);
	for (int i = 0; i < 40; i++) {
		sp_qfile_create(&q, qdir, &g, 1700000000000000ull + c->n * 100u + (unsigned)i);
		sp_qfile_add(&q, SP_QREC_SENDER, "alice@example.com", 17);
		sp_qfile_add(&q, SP_QREC_RCPT, "bob@example.com", 15);
		static const char msg[] = "Subject: hi\r\n\r\nbody\r\n";
		sp_qfile_content(&q, msg, sizeof(msg) - 1);
		if (sp_qfile_commit(&q, c->sync) != 0)
			c->failures++;
	}
	return NULL;
}

static void test_group_commit(void **state)
{
	struct sp_qsync *sync = sp_qsync_new(1000);
	struct committer c[8];
	pthread_t t[8];
	char active[512];

	(void)state;
	for (int i = 0; i < 8; i++) {
		c[i] = (struct committer){sync, 1000u + (uint32_t)i, 0};
		assert_int_equal(pthread_create(&t[i], NULL, commit_many, &c[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(c[i].failures, 0);
	}
	assert_int_equal(count("incoming"), 0);
	assert_int_equal(count("active"), 320);
	/* a directory that cannot be opened: the error, not a hang */
	snprintf(active, sizeof(active), "%s/no-such-dir", qdir);
	assert_int_equal(sp_qsync_dir(sync, active), ENOENT);
	sp_qsync_free(&sync);
	assert_null(sync);
	snprintf(active, sizeof(active), "%s/active", qdir);
	rm_dir(active);
	assert_int_equal(sp_queue_mkdirs(qdir), 0);
}

/* The leader of a directory fsync waits for the commits that have begun:
 * with a long gather time, one fsync serves a commit that arrives while
 * the leader waits; a commit that begins and never arrives delays the
 * leader by the gather time, no more. */
struct arrival {
	struct sp_qsync *sync;
	const char *dir;
	int rc;
};

static void *arrive(void *arg)
{
	struct arrival *a = arg;

	a->rc = sp_qsync_dir(a->sync, a->dir);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_group_commit_gather(void **state)
{
	struct sp_qsync *sync = sp_qsync_new(10u * 1000 * 1000);   /* 10 s */
	char active[512];
	struct arrival a;
	pthread_t t;
	double t0;

	(void)state;
	snprintf(active, sizeof(active), "%s/active", qdir);
	a = (struct arrival){sync, active, -1};
	sp_qsync_begin(sync);                 /* the leader-to-be */
	sp_qsync_begin(sync);                 /* one more, still writing */
	assert_int_equal(pthread_create(&t, NULL, arrive, &a), 0);
	t0 = now_s();
	assert_int_equal(sp_qsync_dir(sync, active), 0);   /* the second arrives */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(a.rc, 0);
	assert_true(now_s() - t0 < 5.0);       /* the leader did not wait it out */
	assert_int_equal(sp_qsync_fsyncs(sync), 1);
	sp_qsync_free(&sync);

	sync = sp_qsync_new(1000u * 1000);     /* 1 s */
	sp_qsync_begin(sync);
	sp_qsync_begin(sync);                  /* never arrives */
	t0 = now_s();
	assert_int_equal(sp_qsync_dir(sync, active), 0);
	assert_true(now_s() - t0 >= 0.95);
	assert_int_equal(sp_qsync_fsyncs(sync), 1);
	sp_qsync_end(sync);                    /* it failed before renaming */
	t0 = now_s();
	assert_int_equal(sp_qsync_dir(sync, active), 0);   /* nobody in flight: no wait */
	assert_true(now_s() - t0 < 0.5);
	assert_int_equal(sp_qsync_fsyncs(sync), 2);
	sp_qsync_free(&sync);

	sync = sp_qsync_new(0);                /* no gathering */
	sp_qsync_begin(sync);
	sp_qsync_begin(sync);
	assert_int_equal(sp_qsync_dir(sync, active), 0);
	assert_int_equal(sp_qsync_fsyncs(sync), 1);
	sp_qsync_free(&sync);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static void test_reader_malformed(void **state)
{
#define R(s) s, sizeof(s) - 1
	static const struct {
		const char *bytes;
		size_t len;
		int rc;
	} rows[] = {
		{R(""), -1},                                        /* no magic */
		{R("SPQ2"), -1},                                    /* wrong magic */
		{R("SPQ1"), 1},                                     /* nothing committed */
		{R("SPQ1T\0\0\0\0011"), 1},                        /* no end record */
		{R("SPQ1E\0\0\0\0010"), 0},                        /* empty, complete */
		{R("SPQ1E\0\0\0\0011"), -1},                       /* size does not match */
		{R("SPQ1D\0\0\0\002abE\0\0\0\0012"), 0},           /* two bytes of content */
		{R("SPQ1X\0\0\0\0011"), -1},                       /* unknown record type */
		{R("SPQ1T\0\0\0\011"), 1},                          /* truncated payload */
		{R("SPQ1D\xff\xff\xff\xff"), -1},                   /* length past the limit */
		{R("SPQ1E\0\0\0\0010T\0\0\0\0011"), -1},           /* a record after the end */
		{R("SPQ1T\0\0"), 1},                                /* truncated header */
	};
#undef R
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/hold/bad", qdir);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		write_file(path, rows[i].bytes, rows[i].len);
		int rc = sp_qfile_read(path, NULL, NULL);
		if (rc != rows[i].rc)
			fail_msg("row %zu: rc %d, want %d", i, rc, rows[i].rc);
	}
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qid),
		cmocka_unit_test(test_commit_and_read),
		cmocka_unit_test(test_abort),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_rename_fails),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_group_commit_gather),
		cmocka_unit_test(test_reader_malformed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
