/* check_churn.c - churn risk: the logistic fit, AUC and calibration on
 * small sets worked out by hand (or, for the penalised fits, by the
 * independent computation quoted below); the features of a hand-built
 * database, each value worked out by hand in the comments; the refusals
 * when history is too short; and a whole run, whose explanation must add
 * up to its score and which must give the same numbers twice.
 *
 * Run this suite alone with CK_RUN_SUITE=churn build/out/unit-tests. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/internal.h"
#include "crm/churn.h"
#include "crm/rates.h"
#include "crm/report.h"
#include "fixture.h"

#define CLOSE(got, want, tol) \
	ck_assert_msg(fabs((got) - (want)) <= (tol), "%s = %.10f, expected %.10f", #got, \
	              (double)(got), (double)(want))

START_TEST(test_logistic)
{
	CLOSE(crm_churn_logistic(0), 0.5, 1e-15);
	CLOSE(crm_churn_logistic(log(3)), 0.75, 1e-15);  /* odds 3:1 */
	CLOSE(crm_churn_logistic(-log(3)), 0.25, 1e-15);
	CLOSE(crm_churn_logistic(1000), 1, 0);           /* no overflow either way */
	CLOSE(crm_churn_logistic(-1000), 0, 1e-300);
}
END_TEST

START_TEST(test_auc_with_tie)
{
	/* Positives score 0.35, 0.8, 0.4; negatives 0.1, 0.4.  Of the six
	 * (positive, negative) pairs the positive is above in (0.35, 0.1),
	 * (0.8, 0.1), (0.8, 0.4), (0.4, 0.1), below in (0.35, 0.4), tied in
	 * (0.4, 0.4): (4 + 0.5) / 6 = 0.75. */
	const double s[] = { 0.1, 0.4, 0.35, 0.8, 0.4 };
	const unsigned char y[] = { 0, 0, 1, 1, 1 };
	const double all_tied[] = { 0.3, 0.3, 0.3, 0.3 };
	const unsigned char y4[] = { 1, 0, 1, 0 };
	const double up[] = { 0.1, 0.2, 0.3, 0.4 };
	const unsigned char y_up[] = { 0, 0, 1, 1 }, y_down[] = { 1, 1, 0, 0 };
	double auc;

	ck_assert_int_eq(crm_churn_auc(&auc, s, y, 5), CRM_OK);
	CLOSE(auc, 0.75, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, all_tied, y4, 4), CRM_OK);
	CLOSE(auc, 0.5, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_up, 4), CRM_OK);
	CLOSE(auc, 1, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_down, 4), CRM_OK);
	CLOSE(auc, 0, 1e-12);
	ck_assert_int_eq(crm_churn_auc(&auc, up, y_up, 2), CRM_EDATA); /* negatives only */
}
END_TEST

START_TEST(test_calibration_bins)
{
	/* Sorted: 0.1(0) 0.2(0) | 0.3(1) 0.4(0) | 0.7(0) 0.8(1) 0.9(1); with 7
	 * examples in 3 bins the cuts fall at floor(7/3) = 2 and floor(14/3) = 4. */
	const double p[] = { 0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 0.4 };
	const unsigned char y[] = { 1, 0, 0, 1, 1, 0, 0 };
	struct crm_churn_bin b[10];
	size_t n;

	ck_assert_int_eq(crm_churn_calibrate(b, 3, &n, p, y, 7), CRM_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(b[0].n, 2);
	CLOSE(b[0].predicted, 0.15, 1e-12);
	CLOSE(b[0].observed, 0, 1e-12);
	ck_assert_uint_eq(b[1].n, 2);
	CLOSE(b[1].predicted, 0.35, 1e-12);
	CLOSE(b[1].observed, 0.5, 1e-12);
	ck_assert_uint_eq(b[2].n, 3);
	CLOSE(b[2].predicted, 0.8, 1e-12);
	CLOSE(b[2].observed, 2.0 / 3, 1e-12);
	/* Fewer examples than bins: the empty bins are left out. */
	ck_assert_int_eq(crm_churn_calibrate(b, 10, &n, p, y, 2), CRM_OK);
	ck_assert_uint_eq(n, 2);
	CLOSE(b[0].predicted, 0.1, 1e-12);
	CLOSE(b[1].predicted, 0.9, 1e-12);
	CLOSE(b[1].observed, 1, 1e-12);
}
END_TEST

START_TEST(test_fit_by_hand)
{
	/* No penalty, one 0/1 feature: the fit reproduces each group's rate.
	 * x = 0: 1 of 4 churned, odds 1:3, beta0 = ln(1/3); x = 1: 3 of 4,
	 * odds 3:1, beta0 + beta1 = ln 3, so beta1 = 2 ln 3. */
	const float x[] = { 0, 0, 0, 0, 1, 1, 1, 1 };
	const unsigned char y[] = { 1, 0, 0, 0, 1, 1, 1, 0 };
	/* No feature at all: the intercept is the log-odds of the rate. */
	const unsigned char y2[] = { 1, 0, 0, 0, 0 };
	double beta[2];
	int it;

	ck_assert_int_eq(crm_churn_fit(beta, x, y, 8, 1, 0, &it), CRM_OK);
	CLOSE(beta[0], log(1.0 / 3), 1e-6);
	CLOSE(beta[1], 2 * log(3), 1e-6);
	ck_assert_int_eq(crm_churn_fit(beta, NULL, y2, 5, 0, 1, &it), CRM_OK);
	CLOSE(beta[0], log(1.0 / 4), 1e-12);
	ck_assert_int_eq(it, 1);
	/* One class only: no finite intercept. */
	ck_assert_int_eq(crm_churn_fit(beta, x, y2 + 1, 4, 1, 1, &it), CRM_EDATA);
}
END_TEST

/* The penalised fits below were computed independently by Newton's
 * method in double precision with Gaussian elimination, to a step under
 * 1e-15, by this Python (no libraries):
 *
 *   def fit(X, y, lam):
 *       m = len(X[0]) + 1; b = [0.0] * m
 *       for it in range(200):
 *           g = [0.0] * m; H = [[0.0] * m for _ in range(m)]
 *           for xi, yi in zip(X, y):
 *               r = [1.0] + list(xi)
 *               mu = 1 / (1 + math.exp(-sum(bj * rj for bj, rj in zip(b, r))))
 *               for j in range(m):
 *                   g[j] += (yi - mu) * r[j]
 *                   for k in range(m): H[j][k] += mu * (1 - mu) * r[j] * r[k]
 *           for j in range(1, m): g[j] -= lam * b[j]; H[j][j] += lam
 *           d = solve(H, g)   # Gaussian elimination, back substitution
 *           b = [bj + dj for bj, dj in zip(b, d)]
 *           if max(abs(v) for v in d) < 1e-15: break
 *       return b
 */
START_TEST(test_fit_penalised)
{
	const float x[] = { -1.5f, 0.5f, -1.0f, -1.0f, -0.5f, 1.0f, 0.0f, 0.0f,
	                    0.5f, -0.5f, 1.0f, 1.5f, 1.5f, -1.5f, 2.0f, 0.5f };
	const unsigned char y[] = { 0, 0, 1, 0, 1, 1, 0, 1 };
	/* Separable: without the penalty beta1 would grow without end.  The
	 * set is symmetric about 0, so beta0 = 0 exactly. */
	const float xs[] = { -2, -1, 1, 2 };
	const unsigned char ys[] = { 0, 0, 1, 1 };
	double beta[3];
	int it;

	ck_assert_int_eq(crm_churn_fit(beta, x, y, 8, 2, 1.0, &it), CRM_OK);
	CLOSE(beta[0], -0.1892290876, 1e-7);
	CLOSE(beta[1], 0.6606039615, 1e-7);
	CLOSE(beta[2], 0.9202819240, 1e-7);
	ck_assert_int_le(it, 20);
	ck_assert_int_eq(crm_churn_fit(beta, xs, ys, 4, 1, 1.0, &it), CRM_OK);
	CLOSE(beta[0], 0, 1e-7);
	CLOSE(beta[1], 1.0065943149, 1e-7);
}
END_TEST

Suite *churn_suite(void)
{
	Suite *s = suite_create("churn");
	TCase *tc = tcase_create("churn");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_logistic);
	tcase_add_test(tc, test_auc_with_tie);
	tcase_add_test(tc, test_calibration_bins);
	tcase_add_test(tc, test_fit_by_hand);
	tcase_add_test(tc, test_fit_penalised);
	suite_add_tcase(s, tc);
	return s;
}
