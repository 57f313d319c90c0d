/*
 * mynetworks.h - mynetworks computed from mynetworks_style (host, subnet,
 * class) and the machine's interface addresses, as Postfix computes it
 * when mynetworks is not set.
 */
#ifndef SP_POLICY_MYNETWORKS_H
#define SP_POLICY_MYNETWORKS_H

#include <stddef.h>

struct sp_buf;

/* Appends the computed list ("192.0.2.0/24 [2001:db8::]/64 ...") to out.
 * Returns 0, or -1 with err. */
int sp_mynetworks_from_style(const char *style, struct sp_buf *out, char *err, size_t errlen);

#endif
