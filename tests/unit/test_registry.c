/* The registry: every value 0-255 answers, rules and severities per version. */
#include "check.h"
#include "tlsalert.h"

static const int assigned[] = {0,  10, 20, 22, 40, 42, 43,  44,	 45,  46,  47,	48,  49,  50,  51,
			       52, 70, 71, 80, 86, 90, 109, 110, 112, 113, 115, 116, 117, 120, 121};
static const int reserved[] = {21, 30, 41, 60, 100, 111, 114};
static const int unofficial[] = {1, 208, 209};

static int in(const int *set, size_t n, int v)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return 1;
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_walk_all_values(void)
{
	for (int v = 0; v < 256; v++) {
		const struct tlsa_alert *a = tlsa_alert_get((uint8_t)v);
		CHECK(a != NULL);
		CHECK_INT(a->code, v);
		CHECK(a->name != NULL && a->name[0] != '\0');
		CHECK(a->summary != NULL && a->summary[0] != '\0');
		tlsa_status want = in(assigned, N(assigned), v)	      ? TLSA_STATUS_ASSIGNED
				   : in(reserved, N(reserved), v)     ? TLSA_STATUS_RESERVED
				   : in(unofficial, N(unofficial), v) ? TLSA_STATUS_UNOFFICIAL
								      : TLSA_STATUS_UNASSIGNED;
		if (a->status != want)
			fprintf(stderr, "value %d: status %s\n", v, tlsa_status_name(a->status));
		CHECK_INT(a->status, want);
		/* Every value is an error alert to TLS 1.3 except the closure alerts,
		 * the reserved ones and 52 (DTLS 1.3 only). */
		tlsa_rule r13 = tlsa_alert_rule(a, TLSA_VER_TLS13);
		if (v == 0 || v == 90)
			CHECK_INT(r13, TLSA_RULE_CLOSURE);
		else if (a->status == TLSA_STATUS_RESERVED)
			CHECK_INT(r13, TLSA_RULE_RESERVED);
		else if (v == 52)
			CHECK_INT(r13, TLSA_RULE_ABSENT);
		else
			CHECK_INT(r13, TLSA_RULE_ERROR);
		/* A TLS 1.3 receiver's severity never depends on the level byte. */
		CHECK_INT(tlsa_effective_severity((uint8_t)v, 1, TLSA_VER_TLS13),
			  tlsa_effective_severity((uint8_t)v, 2, TLSA_VER_TLS13));
	}
}

static void test_errata_of_the_classic_table(void)
{
	CHECK_STR(tlsa_alert_get(110)->name, "unsupported_extension");
	CHECK_INT(tlsa_alert_get(255)->status, TLSA_STATUS_UNASSIGNED);
	CHECK_STR(tlsa_alert_get(90)->name, "user_canceled");
	CHECK_STR(tlsa_alert_get(21)->name, "decryption_failed_RESERVED");
	CHECK_STR(tlsa_alert_get(117)->name, "general_error");
	CHECK_STR(tlsa_alert_get(121)->name, "ech_required");
	CHECK_STR(tlsa_alert_get(52)->name, "too_many_cids_requested");
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(52), TLSA_VER_DTLS13), TLSA_RULE_ERROR);
}

static void test_level_rules(void)
{
	const struct tlsa_alert *hf = tlsa_alert_get(40);
	CHECK_INT(tlsa_alert_rule(hf, TLSA_VER_TLS12), TLSA_RULE_FATAL);
	CHECK_INT(tlsa_alert_rule(hf, TLSA_VER_TLS13), TLSA_RULE_ERROR);
	CHECK_INT(tlsa_alert_rule(hf, TLSA_VER_DTLS12), TLSA_RULE_FATAL);
	CHECK_INT(tlsa_alert_rule(hf, TLSA_VER_UNKNOWN), TLSA_RULE_FATAL);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(45), TLSA_VER_TLS12), TLSA_RULE_EITHER);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(100), TLSA_VER_TLS12), TLSA_RULE_WARNING);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(48), TLSA_VER_SSL3), TLSA_RULE_ABSENT);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(41), TLSA_VER_SSL3), TLSA_RULE_WARNING);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(21), TLSA_VER_TLS10), TLSA_RULE_FATAL);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(21), TLSA_VER_TLS12), TLSA_RULE_RESERVED);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(116), TLSA_VER_TLS12), TLSA_RULE_ABSENT);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(51), TLSA_VER_TLS11), TLSA_RULE_EITHER);
	CHECK_INT(tlsa_alert_rule(tlsa_alert_get(51), TLSA_VER_TLS12), TLSA_RULE_FATAL);
}

static void test_severity(void)
{
	CHECK_INT(tlsa_effective_severity(40, 1, TLSA_VER_TLS13), TLSA_SEV_FATAL);
	CHECK_INT(tlsa_effective_severity(40, 1, TLSA_VER_TLS12), TLSA_SEV_WARNING);
	CHECK_INT(tlsa_effective_severity(112, 1, TLSA_VER_TLS12), TLSA_SEV_WARNING);
	CHECK_INT(tlsa_effective_severity(112, 1, TLSA_VER_TLS13), TLSA_SEV_FATAL);
	CHECK_INT(tlsa_effective_severity(0, 1, TLSA_VER_TLS12), TLSA_SEV_CLOSURE);
	CHECK_INT(tlsa_effective_severity(0, 2, TLSA_VER_TLS13), TLSA_SEV_CLOSURE);
	CHECK_INT(tlsa_effective_severity(90, 1, TLSA_VER_TLS13), TLSA_SEV_CLOSURE);
	CHECK_INT(tlsa_effective_severity(200, 1, TLSA_VER_TLS13), TLSA_SEV_FATAL);
	CHECK_INT(tlsa_effective_severity(40, -1, TLSA_VER_TLS12), TLSA_SEV_FATAL);
	CHECK_INT(tlsa_effective_severity(45, -1, TLSA_VER_TLS12), TLSA_SEV_UNKNOWN);
	CHECK_INT(tlsa_effective_severity(40, 7, TLSA_VER_TLS12), TLSA_SEV_UNKNOWN);
	CHECK(tlsa_level_remark(40, 1, TLSA_VER_TLS12) != NULL);
	CHECK(tlsa_level_remark(40, 2, TLSA_VER_TLS12) == NULL);
	CHECK(tlsa_level_remark(45, 1, TLSA_VER_TLS12) == NULL);
	CHECK(tlsa_level_remark(116, 2, TLSA_VER_TLS12) != NULL);
	CHECK(tlsa_level_remark(21, 2, TLSA_VER_TLS12) != NULL);
	CHECK(tlsa_level_remark(40, 3, TLSA_VER_TLS12) != NULL);
	CHECK(tlsa_level_remark(0, 2, TLSA_VER_TLS13) != NULL);
}

static void test_versions(void)
{
	tlsa_version v;
	CHECK_INT(tlsa_version_from_wire(0x0303), TLSA_VER_TLS12);
	CHECK_INT(tlsa_version_from_wire(0xfefd), TLSA_VER_DTLS12);
	CHECK_INT(tlsa_version_from_wire(0xfeff), TLSA_VER_DTLS10);
	CHECK_INT(tlsa_version_from_wire(0x0300), TLSA_VER_SSL3);
	CHECK_INT(tlsa_version_from_wire(0x1234), TLSA_VER_UNKNOWN);
	CHECK_INT(tlsa_version_parse("tls1.3", &v), 0);
	CHECK_INT(v, TLSA_VER_TLS13);
	CHECK_INT(tlsa_version_parse("TLSv1.2", &v), 0);
	CHECK_INT(v, TLSA_VER_TLS12);
	CHECK_INT(tlsa_version_parse("DTLS 1.2", &v), 0);
	CHECK_INT(v, TLSA_VER_DTLS12);
	CHECK_INT(tlsa_version_parse("ssl3", &v), 0);
	CHECK_INT(v, TLSA_VER_SSL3);
	CHECK(tlsa_version_parse("tls1.4", &v) != 0);
	CHECK(tlsa_version_parse("", &v) != 0);
	CHECK_STR(tlsa_version_name(TLSA_VER_TLS13), "TLS 1.3");
	CHECK_STR(tlsa_version_token(TLSA_VER_DTLS12), "dtls1.2");
}

int main(void)
{
	test_walk_all_values();
	test_errata_of_the_classic_table();
	test_level_rules();
	test_severity();
	test_versions();
	return CHECK_DONE();
}
