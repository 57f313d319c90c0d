/*
 * suggest.h - "did you mean": the known parameter names closest to a
 * misspelled one, by the smtp_/smtpd_ and lmtp_/smtp_ prefix swaps first,
 * then by edit distance (insertions, deletions, substitutions and
 * transpositions of neighbours).
 */
#ifndef SP_CONFIG_SUGGEST_H
#define SP_CONFIG_SUGGEST_H

#include <stddef.h>

#define SP_SUGGEST_MAX 3

/* Fills out[] with up to SP_SUGGEST_MAX known names (sallyport's or
 * Postfix's) close to name, best first; returns how many. */
size_t sp_suggest(const char *name, const char *out[SP_SUGGEST_MAX]);

/* The twin of a prefixed name (smtp_x -> smtpd_x, smtpd_x -> smtp_x,
 * lmtp_x -> smtp_x) written into buf; returns buf, or NULL if no prefix. */
const char *sp_prefix_twin(const char *name, char *buf, size_t len);

/* Edit distance with transpositions; stops counting past limit. */
size_t sp_edit_distance(const char *a, const char *b, size_t limit);

#endif
