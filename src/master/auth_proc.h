/*
 * auth_proc.h - the built-in auth server process (smtpd_sasl_type =
 * sallyport): started by the master with the auth sockets as descriptors
 * 3 and up; the protocol is in src/auth/auth_server.h.
 */
#ifndef SP_MASTER_AUTH_PROC_H
#define SP_MASTER_AUTH_PROC_H

/* Returns the exit status. */
int sp_auth_proc_main(const char *config_dir, int nfds, int foreground);

#endif
