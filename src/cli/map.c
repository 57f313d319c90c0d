/*
 * map.c - "sallyport map", the postmap of sallyport: compiles a table's
 * source file (hash:, btree:, lmdb:), queries any table type (-q KEY, or
 * -q - for keys on standard input), and lists a table (-s). Exit status as
 * postmap's: 0 found (or done), 1 not found, 2 on an error.
 */
#include "cli.h"
#include "../dict/compile.h"
#include "../dict/dict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sp_map_opts {
	const char *query;   /* -q KEY */
	int list;            /* -s */
	unsigned flags;      /* SP_DICT_*, SP_COMPILE_* */
};

static int sp_map_usage(void)
{
	fputs("usage: sallyport map [-f] [-i] TYPE:FILE...      compile source files\n"
	      "       sallyport map [-f] -q KEY TYPE:NAME...    query (KEY - reads keys from stdin)\n"
	      "       sallyport map [-f] -s TYPE:NAME...        list every entry\n", stderr);
	return 2;
}

static int sp_map_print(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	printf("%s\t%s\n", key, value);
	return 0;
}

/* Looks key up in the tables in order; prints the first value. 1 found, 0 not, -1 error. */
static int sp_map_query_one(struct sp_dict **dicts, int n, const char *key, int with_key)
{
	char err[512];

	for (int i = 0; i < n; i++) {
		const char *value;
		int rc = sp_dict_lookup(dicts[i], key, &value, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "sallyport: error: %s\n", err);
			return -1;
		}
		if (rc == 1) {
			if (with_key)
				printf("%s\t%s\n", key, value);
			else
				printf("%s\n", value);
			return 1;
		}
	}
	return 0;
}

static int sp_map_query(struct sp_dict **dicts, int n, const char *query)
{
	char line[SP_DICT_KEY_MAX + 2];
	int found = 0, rc;

	if (strcmp(query, "-") != 0) {
		rc = sp_map_query_one(dicts, n, query, 0);
		return rc < 0 ? 2 : rc == 1 ? 0 : 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;  /* as postmap: a CR stays in the key */
		if ((rc = sp_map_query_one(dicts, n, line, 1)) < 0)
			return 2;
		found |= rc;
	}
	return found ? 0 : 1;
}

static int sp_map_open_all(int argc, char **argv, unsigned flags, struct sp_dict **dicts)
{
	char err[512];
	struct sp_diags d = {0};
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if ((dicts[n] = sp_dict_open(argv[i], flags, &d, err, sizeof(err))) == NULL) {
			sp_diags_print(&d, stderr);
			fprintf(stderr, "sallyport: error: %s\n", err);
			sp_diags_free(&d);
			while (n > 0)
				sp_dict_close(&dicts[--n]);
			return -1;
		}
		n++;
	}
	sp_diags_print(&d, stderr);
	sp_diags_free(&d);
	return n;
}

static int sp_map_compile(int argc, char **argv, unsigned flags)
{
	char err[512];
	int status = 0;

	for (int i = 0; i < argc; i++) {
		struct sp_diags d = {0};
		int rc = sp_dict_compile(argv[i], flags, &d, err, sizeof(err));
		sp_diags_print(&d, stderr);
		sp_diags_free(&d);
		if (rc < 0) {
			fprintf(stderr, "sallyport: error: %s\n", err);
			status = 2;
		}
	}
	return status;
}

int sp_cmd_map(int argc, char **argv)
{
	struct sp_map_opts o = {NULL, 0, SP_DICT_FOLD};
	struct sp_dict **dicts;
	int ch, n, status = 0;

	optind = 1;
	while ((ch = getopt(argc, argv, "fiq:s")) != -1) {
		switch (ch) {
		case 'f': o.flags &= ~(unsigned)SP_DICT_FOLD; break;
		case 'i': o.flags |= SP_COMPILE_INCREMENTAL; break;
		case 'q': o.query = optarg; break;
		case 's': o.list = 1; break;
		default: return sp_map_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (o.query && o.list))
		return sp_map_usage();
	if (!o.query && !o.list)
		return sp_map_compile(argc, argv, o.flags);
	dicts = calloc((size_t)argc, sizeof(*dicts));
	if (dicts == NULL || (n = sp_map_open_all(argc, argv, o.flags, dicts)) < 0) {
		free(dicts);
		return 2;
	}
	if (o.query) {
		status = sp_map_query(dicts, n, o.query);
	} else {
		for (int i = 0; i < n && status == 0; i++) {
			char err[512];
			if (sp_dict_each(dicts[i], sp_map_print, NULL, err, sizeof(err)) < 0) {
				fprintf(stderr, "sallyport: error: %s\n", err);
				status = 2;
			}
		}
	}
	for (int i = 0; i < n; i++)
		sp_dict_close(&dicts[i]);
	free(dicts);
	return status;
}
