/*
 * tmpconf.h - throw-away configuration directories for the tests that load
 * a whole configuration: a mkdtemp() directory with main.cf and, if asked
 * for, master.cf, removed again afterwards.
 */
#ifndef SP_TESTS_TMPCONF_H
#define SP_TESTS_TMPCONF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tmpconf {
	char dir[512];
	char main_path[600];
	char master_path[600];
};

static inline void tmpconf_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(text, 1, strlen(text), fp) != strlen(text) || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

/* Makes the directory; main_cf and master_cf may be NULL (file absent). */
static inline void tmpconf_make(struct tmpconf *t, const char *main_cf, const char *master_cf)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(t->dir, sizeof(t->dir), "%s/sallyport-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(t->dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(t->main_path, sizeof(t->main_path), "%s/main.cf", t->dir);
	snprintf(t->master_path, sizeof(t->master_path), "%s/master.cf", t->dir);
	if (main_cf)
		tmpconf_write(t->main_path, main_cf);
	if (master_cf)
		tmpconf_write(t->master_path, master_cf);
}

static inline void tmpconf_remove(struct tmpconf *t)
{
	unlink(t->main_path);
	unlink(t->master_path);
	if (rmdir(t->dir) != 0)
		perror(t->dir);
}

#endif
