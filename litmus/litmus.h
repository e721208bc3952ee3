/* litmus/litmus.h - the kernel C-litmus front end: parse a test
 * (../shared/litmus/FORMAT.md dialect), judge it on one of two engines, and
 * report like herd7.
 *
 * A parsed test is compiled to a tiny per-thread register machine: shared
 * memory is touched only by LOAD/STORE/RMW/FENCE/LOCK instructions (one model
 * step each); arithmetic and branches are local and run eagerly.  Registers
 * carry the set of loads their value was computed from, so an access through a
 * pointer register is address-dependent on those loads (wmm_dep).
 *
 * Engine cat (litmus/graph.c): every candidate execution of the program is
 * built as an event graph and checked against the model's axioms
 * (model/lkmm.c: linux-kernel.cat; model/axioms.c: x86-TSO, SC).
 *
 * Engine lkvm (litmus/lkvm.c): exploration is a stateless DFS over the vector of
 * choices (which thread acts next or which buffered store commits, which
 * message each load reads) on an engine/wmm.h model: that vector is the
 * schedule.  States already explored (hashed: model state, pcs, registers) are
 * pruned, which keeps the search exhaustive.
 */
#ifndef SS_LITMUS_H
#define SS_LITMUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine/wmm.h"

#define LIT_MAX_THREADS 8
#define LIT_MAX_REGS	96 /* named registers and temporaries, per thread */
#define LIT_MAX_LOCS	48
#define LIT_MAX_LOADS	63 /* load sites per thread with exact dependency tracking */
#define LIT_MAX_CODE	1024
#define LIT_MAX_OBS	32
#define LIT_MAX_PROP	256
#define LIT_NAME	64

/* Input limits (issue 11): past one, the parse fails with LIT_ERR_LIMIT. */
#define LIT_LIMIT_FILE	  (1 << 20) /* bytes in a litmus file */
#define LIT_LIMIT_LINE	  4096	    /* characters in one line */
#define LIT_LIMIT_DEPTH	  256	    /* nesting of parentheses, unary operators, blocks */
#define LIT_LIMIT_THREADS 64	    /* threads a file may name (the engine runs LIT_MAX_THREADS) */
/* locations: LIT_MAX_LOCS */

/* Address of location i as a value (pointer-valued locations and registers). */
#define LIT_ADDR_BASE	0x10000000LL
#define LIT_ADDR_STRIDE 0x100LL

enum lit_op {
	LOP_CONST, /* dst = imm */
	LOP_MOV,   /* dst = a */
	LOP_BIN,   /* dst = a <sub> b */
	LOP_UN,	   /* dst = <sub> a */
	LOP_JZ,	   /* if a == 0 goto imm */
	LOP_JMP,   /* goto imm */
	/* shared-memory steps: */
	LOP_LOAD,    /* dst = [a] (acc) */
	LOP_STORE,   /* [a] = b (acc) */
	LOP_RMW,     /* dst = ret(rmw [a], operand b, expected c) */
	LOP_FENCE,   /* sub = enum ss_fence */
	LOP_LOCK,    /* spin_lock([a]) */
	LOP_UNLOCK,  /* spin_unlock([a]) */
	LOP_TRYLOCK, /* dst = spin_trylock([a]) */
	LOP_END,
};

enum lit_ret { RET_NONE, RET_OLD, RET_NEW, RET_ZERO, RET_NEG, RET_OK };

/* LOP_FENCE: imm holds the exact LKMM fence kind (linux-kernel.def); sub holds
 * the ss_fence the lkvm engine executes.  0 (a hand-built program): sub alone. */
enum lit_fence {
	LIT_F_NONE,
	LIT_F_MB,
	LIT_F_WMB,
	LIT_F_RMB,
	LIT_F_BEFORE_ATOMIC,
	LIT_F_AFTER_ATOMIC,
	LIT_F_AFTER_SPINLOCK,
	LIT_F_AFTER_UNLOCK_LOCK,
	/* from here on: no-ops for the lkvm engine */
	LIT_F_BARRIER,
	LIT_F_RCU_LOCK,
	LIT_F_RCU_UNLOCK,
	LIT_F_SYNC_RCU,
	LIT_F_AFTER_SRCU_READ_UNLOCK,
	LIT_F_SYNC_SRCU, /* synchronize_srcu(a): an event of location a */
	LIT_F_NKINDS,
};

/* LOP_LOAD / LOP_STORE: ord holds one of these (SRCU read-side marks, which
 * linux-kernel.def makes a load and a store of the srcu_struct). */
enum { LIT_SRCU_NONE, LIT_SRCU_LOCK, LIT_SRCU_UNLOCK };

struct lit_ins {
	unsigned char op, sub, acc, ord, ret;
	int dst, a, b, c;
	long long imm;
	int load_id; /* LOAD / RMW / TRYLOCK: dependency source index */
	int line;
};

struct lit_thread {
	struct lit_ins code[LIT_MAX_CODE];
	int ncode, nregs, nloads;
	char regname[LIT_MAX_REGS][LIT_NAME]; /* "" for temporaries */
	long long reg_init[LIT_MAX_REGS];
};

struct lit_loc {
	char name[LIT_NAME];
	long long init;
};

enum lit_pk { PK_TRUE, PK_FALSE, PK_ATOM, PK_NOT, PK_AND, PK_OR, PK_IMPL };

/* An operand of an atom: a location's final value, a register's final value,
 * a constant (a bare location name on the right is its address). */
struct lit_val {
	int kind; /* 0 const, 1 loc, 2 reg */
	int t, idx;
	long long c;
};

struct lit_prop {
	int kind, l, r; /* children (indices) */
	struct lit_val lhs, rhs;
};

enum lit_quant { Q_NONE, Q_EXISTS, Q_NOT_EXISTS, Q_FORALL };
enum lit_expect { EXP_NONE, EXP_NEVER, EXP_SOMETIMES, EXP_ALWAYS, EXP_DEADLOCK };

struct lit_test {
	char path[512];
	char name[256];
	unsigned long long digest[2]; /* of the file's text: herd block's Hash= */
	enum lit_expect expect;
	bool datarace;
	char unsupported[128];	    /* non-empty: the construct we refuse to guess */
	char lkvm_unsupported[128]; /* non-empty: only --engine cat runs it */
	int nthreads;
	struct lit_thread *th[LIT_MAX_THREADS];
	int nlocs;
	struct lit_loc locs[LIT_MAX_LOCS];
	enum lit_quant quant;
	int cond, filter; /* prop indices, -1 none */
	struct lit_prop props[LIT_MAX_PROP];
	int nprops;
	int nobs; /* what a final state shows: locations and registers */
	struct lit_val obs[LIT_MAX_OBS];
};

enum lit_err_kind {
	LIT_ERR_NONE,
	LIT_ERR_READ,	/* cannot open or read the file (or it is a directory) */
	LIT_ERR_SYNTAX, /* not the C-litmus dialect */
	LIT_ERR_MACRO,	/* a call linux-kernel.def does not define: herd7's Unknown macro */
	LIT_ERR_LIMIT,	/* past one of the LIT_LIMIT_* input limits */
};

struct lit_error {
	enum lit_err_kind kind;
	int line;	/* 0: about the whole file */
	char msg[256];	/* the message alone ("Unknown macro smp_memb") */
	char text[800]; /* one line: "FILE:LINE: msg" (or "FILE: msg") */
};

struct lit_parse_opts {
	/* The macro names herd7 would know (read from a linux-kernel.def given with
	 * herd7's -macros or -conf); NULL: the built-in list of the kernel's file. */
	const char *const *macros;
	int nmacros;
};

/* Parses path.  0: ok (t->unsupported may be set); -1: e says what failed.
 * For an unknown macro e->text is "FILE:LINE: Unknown macro NAME (User
 * error)", the form the kernel's judgelitmus.sh greps for.  *out is freed with
 * lit_free.  po may be NULL. */
int lit_parse(const char *path, const struct lit_parse_opts *po, struct lit_test **out,
	      struct lit_error *e);
/* The same; err holds e->text. */
int lit_parse_file(const char *path, struct lit_test **out, char *err, size_t errlen);
/* Would herd7 (with po's macros, or linux-kernel.def's) know the macro fn? */
bool lit_macro_known(const struct lit_parse_opts *po, const char *fn);
void lit_free(struct lit_test *t);

enum lit_obs_verdict { OBS_NEVER, OBS_SOMETIMES, OBS_ALWAYS };
enum lit_cmp { CMP_AGREE, CMP_DISAGREE, CMP_NONE, CMP_UNSUPPORTED, CMP_INCOMPLETE, CMP_ERROR };

struct lit_outcome {
	long long v[LIT_MAX_OBS];
	bool sat;
	unsigned long long count; /* executions ending here (engine cat; lkvm: 0) */
};

struct lit_result {
	enum wmm_model model;
	bool complete; /* every choice vector explored (no state limit hit) */
	bool error;    /* runtime error (err) */
	char err[256];
	unsigned long long executions, finals, pruned, deadlocks, states;
	double seconds;
	int nout, capout;
	struct lit_outcome *out; /* distinct final states that pass the filter */
	/* engine cat: executions satisfying / not satisfying the condition, as
	 * herd7 counts them; engine lkvm: distinct final states */
	unsigned pos, neg;
	/* What herd7's block (lit_print_herd) needs beyond out[], pos and neg,
	 * set by the engine that ran.  engine cat counts executions as herd7
	 * does (exec_counts) and, under lkmm, checks data races; engine lkvm
	 * counts distinct final states. */
	bool exec_counts; /* pos/neg are herd7's execution counts */
	bool race_checked;
	bool datarace; /* herd7's "Flag data-race" (when race_checked) */
	bool timed_out;
	bool gave_up; /* engine cat: --max-candidates reached (then complete = false) */
	unsigned long long candidates; /* engine cat: nodes visited (path combinations,
					* per-location rf/co choices, executions) */
	enum lit_obs_verdict obs;
	enum lit_cmp cmp;
	const char *why; /* for CMP_DISAGREE: "false alarm" / "miss (model stronger than LKMM)" */
};

enum lit_engine {
	LIT_ENGINE_CAT,	 /* axiomatic: candidate executions checked against the model's
			  * axioms (litmus/graph.c, model/lkmm.c, model/axioms.c) */
	LIT_ENGINE_LKVM, /* operational: engine/wmm.c explored exhaustively */
};

struct lit_opts {
	enum wmm_model model;
	unsigned long long max_states; /* lkvm; 0: default 20M */
	double timeout_s;	       /* > 0: stop after this many seconds (incomplete) */
	enum lit_engine engine;
	unsigned long long max_candidates; /* cat; 0: default LIT_MAX_CANDIDATES */
};

#define LIT_MAX_CANDIDATES 5000000ull

/* "cat" or "lkvm" -> 0 and *e; else -1. */
int lit_engine_parse(const char *name, enum lit_engine *e);
const char *lit_engine_name(enum lit_engine e);
/* Why t cannot run on engine e, or NULL. */
const char *lit_unsupported(const struct lit_test *t, enum lit_engine e);

/* Explores t (which must have no unsupported construct for o->engine) on the
 * engine o->engine: the dispatch point (litmus/run.c) between litmus/lkvm.c
 * (lkvm) and litmus/graph.c (cat).  Fills r; free with lit_result_free. */
void lit_run(const struct lit_test *t, const struct lit_opts *o, struct lit_result *r);
void lit_result_free(struct lit_result *r);
/* a OP b for a LOP_BINOP sub-code (0 ||, 1 &&, 2 |, ... 17 %); x / 0 is 0. */
long long lit_binop(int sub, long long a, long long b);

const char *lit_expect_name(enum lit_expect e);
const char *lit_obs_name(enum lit_obs_verdict v);
const char *lit_cmp_name(enum lit_cmp c);

/* herd7-style text report of one test. */
void lit_print(FILE *f, const struct lit_test *t, const struct lit_result *r, bool quiet);
/* herd7's own block for one test, line for line as herd7 prints it:
 * Test, States, the final states, Ok/No, Witnesses, Positive/Negative, Flag,
 * Condition, Observation, Time, Hash.  Counts come from r as they are (see
 * lit_result.exec_counts); Hash= is a digest of the file's text, not herd7's. */
void lit_print_herd(FILE *f, const struct lit_test *t, const struct lit_result *r);
/* The condition as herd7 prints it: "exists ([x]=1 /\ 1:r0=0)". */
void lit_herd_condition(const struct lit_test *t, char *buf, size_t n);
/* The same as a JSON object. */
json_t *lit_result_json(const struct lit_test *t, const struct lit_result *r);

/* The files of a batch: each path as given, a directory replaced by every
 * *.litmus under it (recursively, sorted by name). */
struct lit_files {
	char **path;
	int n, cap;
	int dirs; /* directories expanded */
};
void lit_files_add(struct lit_files *fl, const char *path);
void lit_files_free(struct lit_files *fl);

#endif /* SS_LITMUS_H */
