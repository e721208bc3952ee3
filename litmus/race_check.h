/* litmus/race_check.h - the exact data-race check of a C-litmus test given as
 * text: parsed (litmus.h), every candidate execution checked against
 * linux-kernel.cat (litmus/graph.h), and herd7's `Flag data-race` read off.
 * The emulator's race reports (fuzz/race_check.h) are confirmed through it;
 * cmd/ hands it to fuzz/ as a function (fuzz/ and litmus/ do not include each
 * other). */
#ifndef SS_LITMUS_RACE_CHECK_H
#define SS_LITMUS_RACE_CHECK_H

#include <stddef.h>

/* Candidates the check explores at most before it gives up ("too big"). */
#define LIT_RACE_MAX_CANDIDATES 2000000ull

/* 1: some consistent execution that passes the test's filter has a data race
 * (herd7 would print Flag data-race); 0: none; -1: no verdict, err says why
 * ("too big: ..." when the test is past the checker's limits, else a parse
 * error or an unsupported construct). */
int lit_race_judge(const char *text, char *err, size_t errlen);

#endif /* SS_LITMUS_RACE_CHECK_H */
