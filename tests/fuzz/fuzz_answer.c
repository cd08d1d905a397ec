/* fuzz_answer.c - the score and comment of a mailed survey answer
 * (crm_feedback_answer). */
#include "crm.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *comment = NULL;
	int score;

	if (!s)
		return 0;
	if (crm_feedback_answer(s, &score, &comment) == 1 && (score < 1 || score > 5))
		abort();
	free(comment);
	free(s);
	return 0;
}
