/*
 * test_registry.c - the integrity of the parameter registry
 * (config/registry.h): sorted tables that the binary searches can use,
 * complete entries (doc line, choices, units, bounds), every name of ours
 * known to Postfix 3.7, every default of ours equal to Postfix's unless
 * flagged SP_F_DIFFERS, every default passing its own type check after
 * expansion in a defaults-only configuration, and cosmetic.inc consistent
 * with both lists.
 */
#include "unit.h"
#include "tmpconf.h"

#include "config/config.h"
#include "config/registry.h"
#include "config/value.h"

#include <ctype.h>

/* Names whose default is computed at load time, not taken from .def. */
static int computed(const char *name)
{
	return strcmp(name, "myhostname") == 0 || strcmp(name, "mydomain") == 0;
}

static void test_registry_sorted_and_findable(void **state)
{
	size_t n;
	const struct sp_param_def *reg = sp_registry(&n);

	(void)state;
	assert_true(n >= 100);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(reg[i - 1].name, reg[i].name) >= 0)
			fail_msg("registry not sorted: \"%s\" before \"%s\"", reg[i - 1].name,
				 reg[i].name);
		if (sp_registry_find(reg[i].name) != &reg[i])
			fail_msg("sp_registry_find(\"%s\") does not find its entry", reg[i].name);
		if (sp_name_classify(reg[i].name) != SP_NAME_OURS)
			fail_msg("\"%s\" not classified as ours", reg[i].name);
	}
	assert_null(sp_registry_find(""));
	assert_null(sp_registry_find("no_such_parameter"));
	assert_null(sp_registry_find("MYNETWORKS"));
	assert_null(sp_registry_find("mynetworks "));
}

static void test_postfix_list_sorted_and_findable(void **state)
{
	size_t n;
	const struct sp_postfix_param *pf = sp_postfix_params(&n);

	(void)state;
	/* postconf -d | wc -l for Postfix 3.7.11 on Debian. */
	assert_int_equal(n, 831);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(pf[i - 1].name, pf[i].name) >= 0)
			fail_msg("Postfix list not sorted: \"%s\" before \"%s\"", pf[i - 1].name,
				 pf[i].name);
		if (sp_postfix_find(pf[i].name) != &pf[i])
			fail_msg("sp_postfix_find(\"%s\") does not find its entry", pf[i].name);
		if (pf[i].def == NULL)
			fail_msg("\"%s\" has no default text", pf[i].name);
	}
	assert_non_null(sp_postfix_find("2bounce_notice_recipient"));   /* the first */
	assert_non_null(sp_postfix_find("readme_directory"));
	assert_null(sp_postfix_find("sallyport_only_thing"));
	assert_null(sp_postfix_find(""));
}

/* Every entry is complete and self-consistent. */
static void test_registry_entries_complete(void **state)
{
	size_t n;
	const struct sp_param_def *reg = sp_registry(&n);
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct sp_param_def *p = &reg[i];
		const char *nm = p->name;

		ROW_CHECK(&fails, "registry", i, nm, p->doc && p->doc[0], "no doc line");
		ROW_CHECK(&fails, "registry", i, nm, !p->doc || strchr(p->doc, '\n') == NULL,
			  "doc is more than one line");
		ROW_CHECK(&fails, "registry", i, nm, p->def != NULL, "no default (use \"\")");
		ROW_CHECK(&fails, "registry", i, nm, p->type <= SP_T_RESTRICT, "bad type %d", p->type);
		ROW_CHECK(&fails, "registry", i, nm, p->owner <= SP_O_MAPS, "bad owner %d", p->owner);
		ROW_CHECK(&fails, "registry", i, nm, p->type > SP_T_RESTRICT || sp_ptype_name(p->type),
			  "type without a name");
		ROW_CHECK(&fails, "registry", i, nm, p->owner > SP_O_MAPS || sp_owner_name(p->owner),
			  "owner without a name");
		ROW_CHECK(&fails, "registry", i, nm, p->type != SP_T_ENUM || (p->choices && *p->choices),
			  "enum without choices");
		ROW_CHECK(&fails, "registry", i, nm,
			  p->type != SP_T_TIME || (p->unit && strchr("smhdw", p->unit)),
			  "time without a default unit (unit '%c')", p->unit ? p->unit : '0');
		ROW_CHECK(&fails, "registry", i, nm, p->max == 0 || p->min <= p->max,
			  "min %lld > max %lld", (long long)p->min, (long long)p->max);
		ROW_CHECK(&fails, "registry", i, nm, (p->flags & ~(unsigned)(SP_F_RAW | SP_F_DIFFERS | SP_F_OWN)) == 0,
			  "unknown flags 0x%x", p->flags);
		for (const char *c = nm; *c; c++)
			ROW_CHECK(&fails, "registry", i, nm, isalpha((unsigned char)*c) ||
				  isdigit((unsigned char)*c) || *c == '_', "bad character in name");
	}
	sp_rows_done(fails, "registry", n);
}

/* Every name of ours is a Postfix 3.7 name (registry.h: sallyport is a
 * subset; SP_F_DIFFERS flags a different default, not a new name) except
 * the few flagged SP_F_OWN, which Postfix must not have; and its
 * default is Postfix's text unless flagged SP_F_DIFFERS or computed. */
static void test_registry_matches_postfix(void **state)
{
	size_t n;
	const struct sp_param_def *reg = sp_registry(&n);
	int fails = 0, differs = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct sp_param_def *p = &reg[i];
		const struct sp_postfix_param *pf = sp_postfix_find(p->name);

		if (p->flags & SP_F_OWN) {   /* ours alone: Postfix must not know the name */
			ROW_CHECK(&fails, "postfix", i, p->name, pf == NULL,
				  "flagged SP_F_OWN but Postfix 3.7 has it");
			continue;
		}
		ROW_CHECK(&fails, "postfix", i, p->name, pf != NULL, "not a Postfix 3.7 parameter");
		if (pf == NULL)
			continue;
		if (p->flags & SP_F_DIFFERS) {
			differs++;
			ROW_CHECK(&fails, "postfix", i, p->name, strcmp(p->def, pf->def) != 0,
				  "flagged SP_F_DIFFERS but equal to Postfix's \"%s\"", pf->def);
		} else if (!computed(p->name)) {
			ROW_CHECK(&fails, "postfix", i, p->name, strcmp(p->def, pf->def) == 0,
				  "default \"%s\" but Postfix's is \"%s\" (flag SP_F_DIFFERS?)",
				  p->def, pf->def);
		}
	}
	sp_rows_done(fails, "postfix", n);
	/* params.inc's header lists the deliberate differences. */
	assert_true(differs >= 10);
	assert_true(sp_registry_find("mynetworks")->flags & SP_F_DIFFERS);
	assert_true(sp_registry_find("smtpd_tls_auth_only")->flags & SP_F_DIFFERS);
	assert_string_equal(sp_registry_find("smtpd_tls_auth_only")->def, "yes");
	assert_string_equal(sp_registry_find("disable_vrfy_command")->def, "yes");
	assert_true(sp_registry_find("auth_passwd_file")->flags & SP_F_OWN);
}

/* Load an empty main.cf: no diagnostics, and every default of ours, once
 * expanded, passes its own type check. */
static void test_defaults_pass_their_type_check(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	size_t n;
	const struct sp_param_def *reg = sp_registry(&n);
	int fails = 0;

	(void)state;
	tmpconf_make(&t, "", NULL);
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	if (d.n)
		sp_diags_print(&d, stderr);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct sp_param *p = sp_view_find(&c->global, reg[i].name);
		char why[256] = "", fix[256] = "";

		ROW_CHECK(&fails, "defaults", i, reg[i].name, p != NULL, "missing from the view");
		if (p == NULL)
			continue;
		ROW_CHECK(&fails, "defaults", i, reg[i].name, p->def == &reg[i] && p->src == SP_SRC_DEFAULT,
			  "not the registry default");
		ROW_CHECK(&fails, "defaults", i, reg[i].name, p->value != NULL, "not expanded");
		if (p->value == NULL || (reg[i].flags & SP_F_RAW))
			continue;
		ROW_CHECK(&fails, "defaults", i, reg[i].name,
			  sp_value_check(&reg[i], p->value, why, sizeof(why), fix, sizeof(fix)) == 0,
			  "default \"%s\" expands to \"%s\": %s; %s", reg[i].def, p->value, why, fix);
		ROW_CHECK(&fails, "defaults", i, reg[i].name, strchr(p->value, '$') == NULL ||
			  strstr(reg[i].def, "$$") != NULL,
			  "a '$' is left after expansion: \"%s\"", p->value);
	}
	sp_rows_done(fails, "defaults", n);
	/* Spot checks against postconf -d (Postfix 3.7.11), for the defaults
	 * that are ours and expressions. */
	assert_string_equal(sp_view_get(&c->global, "myhostname"), "host.example.com");
	assert_string_equal(sp_view_get(&c->global, "mydomain"), "example.com");
	assert_string_equal(sp_view_get(&c->global, "compatibility_level"), "3.7");
	/* postconf -d append_dot_mydomain at level 3.7: no */
	assert_string_equal(sp_view_get(&c->global, "append_dot_mydomain"), "no");
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

/* cosmetic.inc: every name is a Postfix name, none is ours, and each is
 * found by sp_postfix_is_cosmetic (which also proves the file is sorted). */
static void test_cosmetic_list(void **state)
{
	FILE *fp = fopen(SP_SRCDIR "/src/config/cosmetic.inc", "r");
	char line[512];
	int count = 0, fails = 0;

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		char name[256];

		if (sscanf(line, " \"%255[^\"]\",", name) != 1)
			continue;
		count++;
		ROW_CHECK(&fails, "cosmetic", (size_t)count, name, sp_postfix_is_cosmetic(name),
			  "not found by sp_postfix_is_cosmetic (list unsorted?)");
		ROW_CHECK(&fails, "cosmetic", (size_t)count, name,
			  sp_name_classify(name) == SP_NAME_POSTFIX_ONLY,
			  "classified %d, want Postfix-only", sp_name_classify(name));
	}
	fclose(fp);
	assert_true(count >= 50);
	sp_rows_done(fails, "cosmetic", (size_t)count);
	assert_true(sp_postfix_is_cosmetic("readme_directory"));
	assert_false(sp_postfix_is_cosmetic("mailbox_command"));   /* delivery: not cosmetic */
	assert_false(sp_postfix_is_cosmetic("mynetworks"));
	assert_false(sp_postfix_is_cosmetic(""));
}

struct class_row {
	const char *name;
	enum sp_name_class want;
};

static const struct class_row class_rows[] = {
	{"mynetworks", SP_NAME_OURS},
	{"smtpd_recipient_restrictions", SP_NAME_OURS},
	{"myhostname", SP_NAME_OURS},
	{"readme_directory", SP_NAME_POSTFIX_ONLY},
	{"mailbox_command", SP_NAME_POSTFIX_ONLY},
	{"smtp_sasl_path", SP_NAME_POSTFIX_ONLY},
	{"smtp_recipient_restrictions", SP_NAME_UNKNOWN},
	{"mua_client_restrictions", SP_NAME_UNKNOWN},
	{"", SP_NAME_UNKNOWN},
	{"MYNETWORKS", SP_NAME_UNKNOWN},
};

static void test_classify_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(class_rows); i++)
		ROW_CHECK(&fails, "class", i, class_rows[i].name,
			  sp_name_classify(class_rows[i].name) == class_rows[i].want, "got %d, want %d",
			  sp_name_classify(class_rows[i].name), class_rows[i].want);
	sp_rows_done(fails, "class", NROWS(class_rows));
}

static void test_type_and_owner_names(void **state)
{
	(void)state;
	assert_string_equal(sp_ptype_name(SP_T_BOOL), "boolean");
	assert_string_equal(sp_ptype_name(SP_T_TIME), "time");
	assert_string_equal(sp_ptype_name(SP_T_RESTRICT), "restrictions");
	assert_string_equal(sp_owner_name(SP_O_GLOBAL), "global");
	assert_string_equal(sp_owner_name(SP_O_SMTPD), "smtpd");
	assert_string_equal(sp_owner_name(SP_O_MAPS), "maps");
	for (int t = SP_T_BOOL; t <= SP_T_RESTRICT; t++)
		assert_non_null(sp_ptype_name((enum sp_ptype)t));
	for (int o = SP_O_GLOBAL; o <= SP_O_MAPS; o++)
		assert_non_null(sp_owner_name((enum sp_owner)o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_sorted_and_findable),
		cmocka_unit_test(test_postfix_list_sorted_and_findable),
		cmocka_unit_test(test_registry_entries_complete),
		cmocka_unit_test(test_registry_matches_postfix),
		cmocka_unit_test(test_defaults_pass_their_type_check),
		cmocka_unit_test(test_cosmetic_list),
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_type_and_owner_names),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
