/*
 * main.c - the multi-call front end: picks the subcommand and runs it.
 * Argument parsing and output only; the work is in the modules.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SP_VERSION
#define SP_VERSION "0"
#endif

struct sp_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct sp_command commands[] = {
	{"conf", sp_cmd_conf,
	 "conf [-c DIR] [-n|-d] [-x] [-P SERVICE[/TYPE]] [NAME...]\n"
	 "          print parameters as postconf does; check the configuration"},
	{"start", sp_cmd_start,
	 "start [-c DIR] [-f] [-n]\n"
	 "          start the mail system (-f: in the foreground; -n: check and exit)"},
	{"stop", sp_cmd_stop, "stop [-c DIR]\n          stop it; sessions finish first"},
	{"reload", sp_cmd_reload,
	 "reload [-c DIR]\n          new configuration and tables, without refusing a connection"},
	{"status", sp_cmd_status, "status [-c DIR]\n          is it running?"},
	{"check", sp_cmd_check,
	 "check [-c DIR] [--json]\n"
	 "          audit the configuration: open relays proven, every finding explained"},
	{"explain", sp_cmd_explain,
	 "explain [-c DIR] --client IP [--client-name NAME] [--helo H] [--tls] [--sasl USER]\n"
	 "          --from ADDR --to ADDR [--service NAME]  |  explain [-c DIR] --log 'LINE'\n"
	 "          [--no-dns | --dns IP[:PORT]] [--ccert FP [--ccert-pkey FP] [--ccert-trusted]]\n"
	 "          why that transaction is accepted or refused, restriction by restriction"},
	{"user", sp_cmd_user,
	 "user [-c DIR] add|passwd NAME [--stdin] | del NAME | list\n"
	 "          manage the logins of the built-in auth server (auth_passwd_file)"},
	{"map", sp_cmd_map,
	 "map [-f] [-i] [-q KEY | -s] TYPE:NAME...\n"
	 "          compile, query or list lookup tables as postmap does"},
};

const char *sp_cli_config_dir(const char *opt)
{
	const char *env = getenv("SALLYPORT_CONFIG_DIR");

	if (opt)
		return opt;
	return env && *env ? env : "/etc/sallyport";
}

static int sp_usage(FILE *fp, int status)
{
	fputs("usage: sallyport COMMAND [ARGS]\n\ncommands:\n", fp);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %s\n", commands[i].usage);
	fputs("  version\n          print the version\n", fp);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return sp_usage(stderr, 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return sp_usage(stdout, 0);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("sallyport %s\n", SP_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "worker") == 0)   /* run by the master, not listed */
		return sp_cmd_worker(argc - 1, argv + 1);
	if (strcmp(argv[1], "auth") == 0)     /* the same */
		return sp_cmd_auth(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "sallyport: unknown command \"%s\"\n", argv[1]);
	return sp_usage(stderr, 2);
}
