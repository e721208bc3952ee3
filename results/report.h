/* results/report.h - a bench result (schema slabstress-bench/1) as one
 * self-contained HTML page: per scenario an inline SVG bar chart (allocators side by
 * side per size and batch, min-max whiskers, the pool and ring ceilings as lines),
 * then the table.  No scripts, no external fonts, styles or images: the file can be
 * mailed, attached to a bug or opened offline.
 *
 * A run result (schema slabstress-run/1) gets a smaller page: the verdict, the TSO
 * notice, the witness histogram and the round-trip matrix (each where present).
 * A bench result's round-trip matrix, where present, closes its page.
 */
#ifndef SS_RES_REPORT_H
#define SS_RES_REPORT_H

#include <jansson.h>
#include <stddef.h>

/* Writes the page for bench_doc (or a run's document) to path (atomically: temporary file and
 * rename). Returns 0, or -1 with a message in err. */
int res_report_write(const json_t *bench_doc, const char *path, char *err, size_t errlen);

#endif /* SS_RES_REPORT_H */
