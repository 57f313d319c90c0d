/*
 * check.c - runs the auditor's checks on a loaded configuration (see
 * check.h).
 */
#include "check.h"

void sp_check_run(const struct sp_check_input *in, struct sp_findings *f)
{
	sp_check_relay(in, f);
	sp_check_rules(in, f);
}
