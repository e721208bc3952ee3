/* tests/lb/lb_recycle_release.c - lb_recycle.c with the publish and the done
 * flag stored by smp_store_release: each CPU's load is ordered before its
 * store, so LKMM forbids the load-buffering outcome (LB+release+release). */
#define LB_RELEASE
#include "lb_recycle.c"
