/*
 * chars.h - the character classes of Postfix's configuration syntax, in
 * one place: whitespace as Postfix's ISSPACE sees it, and the characters
 * of a parameter name.
 */
#ifndef SP_UTIL_CHARS_H
#define SP_UTIL_CHARS_H

/* Space, tab, CR, LF, vertical tab or form feed. */
static inline int sp_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* A letter or digit (ASCII). */
static inline int sp_isalnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character of a parameter name: letter, digit or '_'. */
static inline int sp_isnamechar(char c)
{
	return sp_isalnum(c) || c == '_';
}

#endif
