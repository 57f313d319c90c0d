/*
 * worker.h - an smtpd worker process: started by the master with its
 * service's listening sockets as descriptors 3 and up, it loads the
 * configuration, opens its tables, gives up root (chroot into
 * queue_directory when master.cf says so, then mail_owner's user and
 * group), and serves sessions on one event loop until SIGTERM, when it
 * stops accepting and lets its sessions finish.
 */
#ifndef SP_MASTER_WORKER_H
#define SP_MASTER_WORKER_H

/* service: the index of its smtpd service among master.cf's inet smtpd
 * lines; nfds: how many sockets it inherited; anvil: descriptor 3 + nfds
 * is the master's anvil socket. Returns the exit status. */
int sp_worker_main(const char *config_dir, int service, int nfds, int anvil, int foreground);

#endif
