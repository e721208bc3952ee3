/* engine/crash.c - crash signals in a role become scenario failures (see
 * engine/crash.h). */
#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "engine/crash.h"

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
#define NCRASH_SIGNALS (int)(sizeof(crash_signals) / sizeof(crash_signals[0]))

static struct sigaction previous[NCRASH_SIGNALS];
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

struct guard {
	ss_crash_fn fn;
	void *arg;
	sigset_t mask;	 /* the thread's signal mask when it was armed first */
	bool have_stack; /* an alternate signal stack (ours or an earlier one) */
	/* the site of the last crash: a failure record points at it */
	struct ss_site site;
	char file[96], func[96];
};
static __thread struct guard guard;

static int signal_index(int sig)
{
	for (int i = 0; i < NCRASH_SIGNALS; i++)
		if (crash_signals[i] == sig)
			return i;
	return -1;
}

static uintptr_t pc_of(void *ucv)
{
	ucontext_t *uc = ucv;
	(void)uc;
#if defined(__x86_64__)
	return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (uintptr_t)uc->uc_mcontext.pc;
#elif defined(__powerpc64__)
	return (uintptr_t)uc->uc_mcontext.gp_regs[32]; /* PT_NIP: the next instruction */
#else
	return 0;
#endif
}

/* The faulting instruction as "module+0xoffset" and its exported symbol, if any. */
static struct ss_site *site_of(struct guard *g, uintptr_t pc)
{
	Dl_info info;
	if (!pc || !dladdr((void *)pc, &info) || !info.dli_fname)
		return NULL;
	const char *base = strrchr(info.dli_fname, '/');
	base = base ? base + 1 : info.dli_fname;
	snprintf(g->file, sizeof(g->file), "%s+%#lx", base,
		 (unsigned long)(pc - (uintptr_t)info.dli_fbase));
	snprintf(g->func, sizeof(g->func), "%s", info.dli_sname ? info.dli_sname : "?");
	g->site = (struct ss_site){.file = g->file, .line = 0, .func = g->func, .expr = "crash"};
	return &g->site;
}

static bool in_libc(uintptr_t pc)
{
	Dl_info info;
	return dladdr((void *)pc, &info) && info.dli_fname && strstr(info.dli_fname, "/libc.so");
}

/* abort(), raise(): the faulting pc is in libc; the site is its caller, the first
 * frame after the libc ones that follow the signal frame. */
static uintptr_t caller_outside_libc(uintptr_t pc)
{
	void *frames[32];
	if (!in_libc(pc))
		return pc;
	int n = backtrace(frames, 32), i = 0;
	while (i < n && !in_libc((uintptr_t)frames[i]))
		i++; /* this handler */
	while (i < n && in_libc((uintptr_t)frames[i]))
		i++; /* the signal frame, raise, abort */
	/* a return address: the call is just before it */
	return i < n ? (uintptr_t)frames[i] - 1 : pc;
}

static void on_crash_signal(int sig, siginfo_t *si, void *uc)
{
	struct guard *g = &guard;
	if (g->fn) {
		ss_crash_fn fn = g->fn;
		g->fn = NULL; /* a crash while reporting one is not ours */
		pthread_sigmask(SIG_SETMASK, &g->mask, NULL);
		struct ss_crash c = {
		    .sig = sig,
		    .addr = sig == SIGSEGV || sig == SIGBUS ? (uintptr_t)si->si_addr : 0,
		    .site = site_of(g, caller_outside_libc(pc_of(uc))),
		};
		fn(g->arg, &c);
	}
	/* Not a role's: whoever handled it before, else the default action. */
	int i = signal_index(sig);
	struct sigaction *p = i >= 0 ? &previous[i] : NULL;
	if (p && (p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
		p->sa_sigaction(sig, si, uc);
		return;
	}
	if (p && p->sa_handler == SIG_IGN)
		return;
	if (p && p->sa_handler != SIG_DFL) {
		p->sa_handler(sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < NCRASH_SIGNALS; i++)
		sigaction(crash_signals[i], &sa, &previous[i]);
}

/* This thread's alternate signal stack: a stack overflow in a role must still
 * find one.  Kept for the thread's life (one per thread that runs an emulator). */
static void ensure_stack(struct guard *g)
{
	stack_t old;
	if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE)) {
		g->have_stack = true; /* someone's (ASan's, libFuzzer's): use it */
		return;
	}
	size_t len = 64 * 1024;
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return;
	stack_t st = {.ss_sp = mem, .ss_size = len, .ss_flags = 0};
	if (sigaltstack(&st, NULL) == 0)
		g->have_stack = true;
	else
		munmap(mem, len);
}

void ss_crash_arm(ss_crash_fn fn, void *arg)
{
	struct guard *g = &guard;
	if (!g->have_stack) {
		void *frame;
		backtrace(&frame, 1); /* loads the unwinder now, not in a handler */
		pthread_once(&install_once, install_handlers);
		pthread_sigmask(SIG_SETMASK, NULL, &g->mask);
		ensure_stack(g);
	}
	g->arg = arg;
	g->fn = fn;
}

void ss_crash_disarm(void)
{
	guard.fn = NULL;
}

void ss_crash_describe(const struct ss_crash *c, char *buf, size_t n)
{
	static const char *const names[NCRASH_SIGNALS] = {"SIGSEGV", "SIGBUS",	"SIGILL",
							  "SIGFPE",  "SIGABRT", "SIGTRAP"};
	int i = signal_index(c->sig);
	const char *name = i >= 0 ? names[i] : "signal";
	if (c->sig == SIGSEGV || c->sig == SIGBUS)
		snprintf(buf, n, "%s (address 0x%lx)", name, (unsigned long)c->addr);
	else if (c->sig == SIGABRT)
		snprintf(buf, n, "%s (abort)", name);
	else
		snprintf(buf, n, "%s", name);
}
