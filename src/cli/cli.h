/*
 * cli.h - the subcommands of the multi-call binary; each takes the
 * arguments after its name and returns the process exit status.
 */
#ifndef SP_CLI_CLI_H
#define SP_CLI_CLI_H

/* sallyport conf: print parameters like postconf. */
int sp_cmd_conf(int argc, char **argv);

/* sallyport map: compile, query and list tables like postmap. */
int sp_cmd_map(int argc, char **argv);

/* sallyport start, stop, reload, status, and the master's worker. */
int sp_cmd_start(int argc, char **argv);
int sp_cmd_stop(int argc, char **argv);
int sp_cmd_reload(int argc, char **argv);
int sp_cmd_status(int argc, char **argv);
int sp_cmd_worker(int argc, char **argv);
int sp_cmd_auth(int argc, char **argv);

/* sallyport check: the auditor. sp_check_config is what start runs too:
 * the findings of the configuration in dir (postfix: a real Postfix's), and
 * its security summary when snapshot is not NULL; -1 when it cannot be
 * read. */
struct sp_findings;
int sp_cmd_check(int argc, char **argv);
int sp_check_config(const char *dir, int postfix, struct sp_findings *f, char **snapshot);

/* sallyport explain: why a transaction is accepted or refused. */
int sp_cmd_explain(int argc, char **argv);

/* sallyport user: the built-in auth server's logins. */
int sp_cmd_user(int argc, char **argv);

/* The configuration directory: -c, else $SALLYPORT_CONFIG_DIR, else /etc/sallyport. */
const char *sp_cli_config_dir(const char *opt);

#endif
