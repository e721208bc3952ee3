/* results/report.c - the HTML page of a bench result (see report.h).
 *
 * Reads only the JSON document, never the in-memory run: a page can be rebuilt from
 * a stored result, and what the page shows is what the file holds.
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/report.h"

/* Colour-blind-safe palette (Okabe-Ito), one per allocator in the order named. */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
				      "#56B4E9", "#D55E00", "#F0E442", "#000000"};

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static double jnum(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static long long jint(const json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

/* A "nice" axis top and tick step for values up to max. */
static void nice_axis(double max, double *top, double *step)
{
	if (!(max > 0))
		max = 1;
	double raw = max / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;
	double s = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
	*step = s * mag;
	*top = ceil(max / *step) * *step;
}

static const json_t *ceiling_for(const json_t *doc, long long size, long long batch)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "ceilings"), i,
			   c) if (jint(c, "size") == size && jint(c, "batch") == batch) return c;
	return NULL;
}

struct group {
	long long size, batch;
};

static int alloc_index(const json_t *allocs, const char *name)
{
	size_t i;
	const json_t *a;
	json_array_foreach(allocs, i, a) if (!strcmp(json_string_value(a), name)) return (int)i;
	return 0;
}

/* The geometry of one scenario's chart: margins, plot height, value scale. */
struct chart_geom {
	int left, right, plot_h, head, foot;
	int bar_w, gap, group_pad, group_w;
	int width, height;
	double top, step; /* M handoffs/s at the top of the plot, between grid lines */
};

/* The y coordinate of value v (M handoffs/s). */
static double chart_y(const struct chart_geom *cg, double v)
{
	return cg->head + cg->plot_h - v / cg->top * cg->plot_h;
}

/* The (size, batch) groups of scenario scn, in the order they first appear
 * (at most max); *ymax: the largest value to put on the scale. */
static int chart_groups(const json_t *doc, const char *scn, struct group *g, int max, double *ymax)
{
	int ng = 0;
	size_t i;
	const json_t *r;

	*ymax = 0;
	json_array_foreach(json_object_get(doc, "results"), i, r)
	{
		if (strcmp(jstr(r, "scenario"), scn))
			continue;
		long long size = jint(r, "size"), batch = jint(r, "batch");
		int k;
		for (k = 0; k < ng; k++)
			if (g[k].size == size && g[k].batch == batch)
				break;
		if (k == ng && ng < max)
			g[ng++] = (struct group){size, batch};
		const json_t *t = json_object_get(r, "timing");
		double hi = jnum(t, "max");
		if (hi > *ymax)
			*ymax = hi;
	}
	/* The pool ceiling is on the scale; the ring (often 10x higher) only when it
	 * fits, else it is marked at the top edge. */
	for (int k = 0; k < ng; k++) {
		const json_t *c = ceiling_for(doc, g[k].size, g[k].batch);
		if (c && jnum(json_object_get(c, "timing"), "pool_median") > *ymax)
			*ymax = jnum(json_object_get(c, "timing"), "pool_median");
	}
	return ng;
}

/* The svg element, its title, the grid with its values and the axis. */
static void chart_axes(FILE *f, const struct chart_geom *cg, const char *scn)
{
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		cg->width, cg->height, cg->width, cg->height);
	fprintf(f, "<title>");
	esc(f, scn);
	fprintf(f, ": median handoffs/s per allocator, size and batch</title>\n");
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", cg->width,
		cg->height);
	for (double v = 0; v <= cg->top + cg->step / 2; v += cg->step) {
		double y = chart_y(cg, v);
		fprintf(f,
			"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
			cg->left, cg->width - cg->right, y, y, cg->left - 6, y + 4, v);
	}
	fprintf(f,
		"<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
		"M handoffs/s</text>\n",
		cg->head + cg->plot_h / 2, cg->head + cg->plot_h / 2);
	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", cg->left,
		cg->width - cg->right, cg->head + cg->plot_h, cg->head + cg->plot_h);
}

/* One result's bar (median), whisker (min to max), FAIL mark and value, in the
 * slot of allocator a of the group at gx. */
static void chart_bar(FILE *f, const struct chart_geom *cg, const json_t *r, int a, int gx)
{
	const json_t *t = json_object_get(r, "timing");
	double med = jnum(t, "median") / 1e6, lo = jnum(t, "min") / 1e6, hi = jnum(t, "max") / 1e6;
	int x = gx + 12 + a * (cg->bar_w + cg->gap);
	double y = chart_y(cg, med);
	bool failed = !strcmp(jstr(r, "verdict"), "failed");
	fprintf(f,
		"<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"%s>"
		"<title>",
		x, y, cg->bar_w, cg->head + cg->plot_h - y, palette[a % 8],
		failed ? " stroke=\"#d00\" stroke-width=\"3\"" : "");
	esc(f, jstr(r, "alloc"));
	fprintf(f,
		": median %.2f M/s (min %.2f, max %.2f), RTT %.0f "
		"ns%s</title></rect>\n",
		med, lo, hi, jnum(t, "rtt_ns_median"), failed ? ", FAILED" : "");
	double ylo = chart_y(cg, lo), yhi = chart_y(cg, hi);
	int cx = x + cg->bar_w / 2;
	fprintf(f,
		"<path d=\"M%d %.1fV%.1fM%d %.1fH%dM%d %.1fH%d\" stroke=\"#222\" "
		"fill=\"none\"/>\n",
		cx, ylo, yhi, cx - 4, ylo, cx + 4, cx - 4, yhi, cx + 4);
	if (failed)
		fprintf(f,
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
			"fill=\"#d00\" "
			"font-weight=\"bold\">FAIL</text>\n",
			cx, (yhi < y ? yhi : y) - 6);
	/* The value sits above the whisker (and the FAIL mark), inside the plot. */
	double ly = (yhi < y ? yhi : y) - (failed ? 18 : 4);
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" "
		"font-size=\"10\">%.1f</text>\n",
		cx, ly < cg->head + 10.0 ? cg->head + 10.0 : ly, med);
}

/* The pool and ring ceilings of a group (the ring at the top edge when off scale). */
static void chart_ceilings(FILE *f, const struct chart_geom *cg, const json_t *c, int gx)
{
	const json_t *t = json_object_get(c, "timing");
	double pool = jnum(t, "pool_median") / 1e6, ring = jnum(t, "ring_median") / 1e6;
	double yp = chart_y(cg, pool);
	fprintf(f,
		"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" "
		"stroke-width=\"2\" stroke-dasharray=\"6 3\"><title>pool ceiling %.2f "
		"M/s</title></line>\n"
		"<text x=\"%d\" y=\"%.1f\" fill=\"#c00\" font-size=\"10\">pool "
		"%.1f</text>\n",
		gx, gx + cg->group_w, yp, yp, pool, gx + 2, yp - 3, pool);
	if (ring <= cg->top) {
		double yr = chart_y(cg, ring);
		fprintf(f,
			"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#555\" "
			"stroke-width=\"2\" stroke-dasharray=\"2 2\"><title>ring "
			"ceiling "
			"%.2f M/s</title></line>\n"
			"<text x=\"%d\" y=\"%.1f\" fill=\"#555\" "
			"font-size=\"10\">ring %.1f</text>\n",
			gx, gx + cg->group_w, yr, yr, ring, gx + 2, yr - 3, ring);
	} else {
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" fill=\"#555\" "
			"font-size=\"10\">ring %.1f "
			"&#8593; (off scale)</text>\n",
			gx + 2, cg->head - 6, ring);
	}
}

/* One colour swatch per allocator, then the two ceiling line styles. */
static void chart_legend(FILE *f, const struct chart_geom *cg, const json_t *allocs)
{
	int lx = cg->left, ly = cg->head + cg->plot_h + cg->foot;
	size_t ai;
	const json_t *an;
	json_array_foreach(allocs, ai, an)
	{
		fprintf(f,
			"<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">",
			lx, ly, palette[ai % 8], lx + 16, ly + 10);
		esc(f, json_string_value(an));
		fprintf(f, "</text>\n");
		lx += 24 + 8 * (int)strlen(json_string_value(an));
	}
	fprintf(f,
		"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#c00\" stroke-width=\"2\" "
		"stroke-dasharray=\"6 3\"/><text x=\"%d\" y=\"%d\">pool ceiling</text>\n"
		"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#555\" stroke-width=\"2\" "
		"stroke-dasharray=\"2 2\"/><text x=\"%d\" y=\"%d\">ring ceiling</text>\n",
		lx, lx + 24, ly + 6, ly + 6, lx + 28, ly + 10, lx + 120, lx + 144, ly + 6, ly + 6,
		lx + 148, ly + 10);
}

/* One scenario's bar chart: a group per (size, batch), a bar per allocator. */
static void chart(FILE *f, const json_t *doc, const char *scn)
{
	const json_t *results = json_object_get(doc, "results");
	const json_t *allocs = json_object_get(json_object_get(doc, "parameters"), "allocators");
	int nalloc = (int)json_array_size(allocs);
	struct group g[64];
	double ymax;
	int ng = chart_groups(doc, scn, g, 64, &ymax);
	size_t i;
	const json_t *r;
	struct chart_geom cg = {.left = 64,
				.right = 16,
				.plot_h = 280,
				.head = 28,
				.foot = 56,
				.bar_w = 26,
				.gap = 6,
				.group_pad = 28};

	nice_axis(ymax / 1e6 * 1.05, &cg.top, &cg.step);
	cg.group_w = nalloc * (cg.bar_w + cg.gap) - cg.gap + 2 * 12;
	cg.width = cg.left + cg.right + ng * (cg.group_w + cg.group_pad);
	if (cg.width < 560)
		cg.width = 560;
	cg.height = cg.head + cg.plot_h + cg.foot + 22;

	chart_axes(f, &cg, scn);
	for (int k = 0; k < ng; k++) {
		int gx = cg.left + cg.group_pad / 2 + k * (cg.group_w + cg.group_pad);
		json_array_foreach(results, i, r)
		{
			if (strcmp(jstr(r, "scenario"), scn) || jint(r, "size") != g[k].size ||
			    jint(r, "batch") != g[k].batch)
				continue;
			chart_bar(f, &cg, r, alloc_index(allocs, jstr(r, "alloc")), gx);
		}
		const json_t *c = ceiling_for(doc, g[k].size, g[k].batch);
		if (c)
			chart_ceilings(f, &cg, c, gx);
		fprintf(f,
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%lld B</text>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">batch "
			"%lld</text>\n",
			gx + cg.group_w / 2, cg.head + cg.plot_h + 18, g[k].size,
			gx + cg.group_w / 2, cg.head + cg.plot_h + 34, g[k].batch);
	}
	chart_legend(f, &cg, allocs);
	fprintf(f, "</svg>\n");
}

/* The first cells of a ceiling's table row: size, batch, which ("pool" or "ring")
 * and its median, min, max and MAD in M handoffs/s. */
static void ceiling_cells(FILE *f, const json_t *c, const char *which)
{
	const json_t *t = json_object_get(c, "timing"), *st = json_object_get(t, which);
	char median[32];
	snprintf(median, sizeof(median), "%s_median", which);
	fprintf(f,
		"<tr class=\"ceil\"><td>%lld</td><td>%lld</td><td>%s "
		"ceiling</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>",
		jint(c, "size"), jint(c, "batch"), which, jnum(t, median) / 1e6,
		jnum(st, "min") / 1e6, jnum(st, "max") / 1e6, jnum(st, "mad") / 1e6);
}

static void table(FILE *f, const json_t *doc, const char *scn)
{
	fprintf(f, "<table>\n<thead><tr><th>size</th><th>batch</th><th>allocator</th>"
		   "<th>median M/s</th><th>min</th><th>max</th><th>MAD</th><th>&#215;first</th>"
		   "<th>&#215;pool</th><th>&#215;ring</th><th>RTT ns</th><th>runs</th>"
		   "<th>failures</th></tr></thead>\n<tbody>\n");
	size_t i;
	const json_t *r;
	json_array_foreach(json_object_get(doc, "results"), i, r)
	{
		if (strcmp(jstr(r, "scenario"), scn))
			continue;
		const json_t *t = json_object_get(r, "timing");
		bool failed = !strcmp(jstr(r, "verdict"), "failed");
		fprintf(f, "<tr%s><td>%lld</td><td>%lld%s</td><td>",
			failed ? " class=\"fail\"" : "", jint(r, "size"), jint(r, "batch"),
			strcmp(jstr(r, "batch_support"), "declared") && jint(r, "batch") > 1 ? "*"
											     : "");
		esc(f, jstr(r, "alloc"));
		fprintf(f, "</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>",
			jnum(t, "median") / 1e6, jnum(t, "min") / 1e6, jnum(t, "max") / 1e6,
			jnum(t, "mad") / 1e6);
		const char *keys[] = {"ratio_to_first", "fraction_of_pool", "fraction_of_ring"};
		for (int k = 0; k < 3; k++) {
			const json_t *v = json_object_get(t, keys[k]);
			if (json_is_number(v))
				fprintf(f, "<td>%.2f</td>", json_number_value(v));
			else
				fprintf(f, "<td>&#8211;</td>");
		}
		bool disturbed = json_is_true(json_object_get(r, "disturbed"));
		fprintf(f, "<td>%.0f</td><td>%lld</td><td>%lld%s", jnum(t, "rtt_ns_median"),
			jint(r, "runs"), jint(json_object_get(r, "failures"), "total"),
			failed ? " FAILED" : "");
		if (disturbed) {
			/* Measured on a busy machine: say so where the figure is. */
			fprintf(f, " <span class=\"disturbed\">DISTURBED: ");
			esc(f, jstr(json_object_get(r, "disturbance"), "reasons"));
			fprintf(f, "</span>");
		}
		fprintf(f, "</td></tr>\n");
	}
	size_t ci;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "ceilings"), ci, c)
	{
		ceiling_cells(f, c, "pool");
		fprintf(f,
			"<td></td><td>1.00</td><td></td><td>%.0f</td><td>%lld</td><td></td></tr>\n",
			jnum(json_object_get(c, "timing"), "rtt_ns_median"), jint(c, "runs"));
		ceiling_cells(f, c, "ring");
		fprintf(f, "<td></td><td></td><td>1.00</td><td></td><td>%lld</td><td></td></tr>\n",
			jint(c, "runs"));
	}
	fprintf(f, "</tbody></table>\n");
}

/* The document head and the shared styles. */
static void page_head(FILE *f, const char *title)
{
	fprintf(f,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>slabstress %s</title>\n<style>\n"
		"body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}\n"
		"h1{font-size:22px}h2{font-size:18px;margin-top:32px}\n"
		"table{border-collapse:collapse;font-size:13px;margin-top:8px}\n"
		"th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
		"th{background:#f0f0f0}td:nth-child(3){text-align:left}\n"
		"tr.fail td{background:#fdd;color:#900;font-weight:bold}\n"
		"tr.ceil td{color:#666;font-style:italic}\n"
		".verdict{font-weight:bold;padding:6px 10px;display:inline-block}\n"
		".clean{background:#dfd}.failed{background:#fbb;color:#900}\n"
		".disturbed{background:#fe9;color:#740}\n"
		".meta{font-size:13px;color:#444}code{font-size:12px}\n"
		"</style></head><body>\n",
		title);
}

/* litmus7-style witness counts of a run (its "histogram"), when present. */
static void histogram_table(FILE *f, const json_t *doc)
{
	const json_t *h = json_object_get(doc, "histogram");
	if (!h)
		return;
	fprintf(f, "<h2>Witnesses</h2>\n<table><tr><th>failure kind</th><th>count</th>"
		   "<th>per million rounds</th></tr>\n");
	size_t i;
	const json_t *k;
	json_array_foreach(json_object_get(h, "kinds"), i, k)
	{
		fprintf(f, "<tr><td>");
		esc(f, jstr(k, "kind"));
		fprintf(f, "</td><td>%lld</td><td>%.1f</td></tr>\n", jint(k, "count"),
			jnum(k, "per_million_rounds"));
	}
	fprintf(f, "<tr><td>rounds</td><td>%lld</td><td></td></tr>\n</table>\n", jint(h, "rounds"));
}

/* The round-trip matrix between the chosen CPUs (its "rtt_matrix"), when present. */
static void rtt_table(FILE *f, const json_t *doc)
{
	const json_t *m = json_object_get(doc, "rtt_matrix");
	if (!m)
		return;
	const json_t *cpus = json_object_get(m, "cpus"), *rows = json_object_get(m, "ns");
	size_t i, j;
	const json_t *c, *row, *v;
	fprintf(f, "<h2>Cache-line round trips (ns)</h2>\n<table><tr><th></th>");
	json_array_foreach(cpus, i, c)
	    fprintf(f, "<th>cpu%lld</th>", (long long)json_integer_value(c));
	fprintf(f, "</tr>\n");
	json_array_foreach(rows, i, row)
	{
		fprintf(f, "<tr><th>cpu%lld</th>",
			(long long)json_integer_value(json_array_get(cpus, i)));
		json_array_foreach(row, j, v)
		{
			if (i == j)
				fprintf(f, "<td>-</td>");
			else
				fprintf(f, "<td>%.0f</td>", json_number_value(v));
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
}

/* A native run's page (schema slabstress-run/1): verdict, parameters, counters, the
 * TSO notice, the witnesses and the round trips. */
static void run_page(FILE *f, const json_t *doc)
{
	page_head(f, "run");
	const json_t *p = json_object_get(doc, "parameters");
	fprintf(f, "<h1>slabstress run: ");
	esc(f, jstr(p, "scenario"));
	fprintf(f, " (variant ");
	esc(f, jstr(p, "variant"));
	fprintf(f, ", alloc ");
	esc(f, jstr(p, "alloc"));
	const char *verdict = jstr(doc, "verdict");
	fprintf(f, ")</h1>\n<p class=\"verdict %s\">%s</p>\n", verdict, verdict);
	const json_t *c = json_object_get(doc, "counters");
	fprintf(f, "<p class=\"meta\">%lld pair(s), pin ", jint(p, "pairs"));
	esc(f, jstr(p, "pin"));
	fprintf(f, ", %lld rounds, %lld handoffs in %.2f s; slabstress ", jint(c, "rounds"),
		jint(c, "handoffs"), jnum(json_object_get(doc, "timing"), "elapsed_s"));
	esc(f, jstr(doc, "version"));
	fprintf(f, ", host memory model ");
	esc(f, jstr(doc, "host_memory_model"));
	fprintf(f, "</p>\n");
	const json_t *hidden = json_object_get(doc, "host_cannot_show");
	if (json_array_size(hidden)) {
		size_t i;
		const json_t *a;
		fprintf(f, "<p class=\"meta\">This host is TSO: a native run cannot show ");
		json_array_foreach(hidden, i, a)
		{
			fprintf(f, "%s", i ? "; " : "");
			esc(f, json_string_value(a));
		}
		fprintf(f, ". Use <code>slabstress explore --model lkmm</code>.</p>\n");
	}
	histogram_table(f, doc);
	rtt_table(f, doc);
	fprintf(f, "</body></html>\n");
}

static void page(FILE *f, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "parameters");
	const json_t *host = json_object_get(doc, "host");
	bool failed = !strcmp(jstr(doc, "verdict"), "failed");
	page_head(f, "bench");
	fprintf(f, "<h1>slabstress bench</h1>\n<p class=\"verdict %s\">%s</p>\n",
		failed ? "failed" : "clean",
		failed ? "FAILED: at least one run found a failure; its throughput is not a result"
		       : "clean: no failure in any run");
	fprintf(f, "<p class=\"meta\">");
	esc(f, jstr(host, "cpu_model"));
	fprintf(f, ", %lld CPUs online, kernel ", jint(host, "cpus_online"));
	esc(f, jstr(host, "kernel"));
	fprintf(f, ", started ");
	esc(f, jstr(doc, "started"));
	fprintf(f, ", slabstress ");
	esc(f, jstr(doc, "version"));
	fprintf(f, "<br>command: <code>");
	size_t i;
	const json_t *a;
	json_array_foreach(json_object_get(doc, "command"), i, a)
	{
		if (i)
			fputc(' ', f);
		esc(f, json_string_value(a));
	}
	const json_t *cpus = json_object_get(p, "cpus");
	fprintf(
	    f,
	    "</code><br>producer on CPU %lld, consumer on CPU %lld (fixed); consumer <b>%s</b>; "
	    "%lld warm-up + %lld measured interleaved rounds of %.2f s; variant ",
	    (long long)json_integer_value(json_array_get(cpus, 0)),
	    (long long)json_integer_value(json_array_get(cpus, 1)),
	    json_is_true(json_object_get(p, "cold")) ? "cold (--cold-consumer)" : "warm",
	    jint(p, "warmup"), jint(p, "repeat"), jnum(p, "duration"));
	esc(f, jstr(p, "variant"));
	fprintf(f,
		", seed %lld.<br>Bars: median handoffs/s, whiskers: min&#8211;max over the "
		"runs. Ceilings from the same run: <i>pool</i> = the same handoff with a recycled "
		"pool instead of an allocator, <i>ring</i> = the bare pointer ring. RTT = "
		"cache-line round trip between the two CPUs, measured before each run. "
		"* = batch asked for, but not declared supported by the scenario.</p>\n",
		jint(p, "seed"));

	const json_t *scns = json_object_get(p, "scenarios");
	json_array_foreach(scns, i, a)
	{
		const char *scn = json_string_value(a);
		fprintf(f, "<h2>");
		esc(f, scn);
		fprintf(f, "</h2>\n");
		chart(f, doc, scn);
		table(f, doc, scn);
	}
	rtt_table(f, doc);
	fprintf(f, "</body></html>\n");
}

int res_report_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path), *copy2 = strdup(path);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dirname(copy), basename(copy2));
	free(copy);
	free(copy2);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write --report '%s': %s", path, strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "cannot write --report '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!strncmp(jstr(doc, "schema"), "slabstress-run/", 15))
		run_page(f, doc);
	else
		page(f, doc);
	int rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0)
		rc = -1;
	if (rc != 0 || chmod(tmp, 0644) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot write --report '%s': %s", path,
			 strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}
