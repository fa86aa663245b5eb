#ifndef MAILSHARD_CURING_SHIM_H
#define MAILSHARD_CURING_SHIM_H
// liburing 2.3 (Debian bookworm) is the floor. Its static inline helpers import
// into Swift directly; constants newer than 2.3 are defined here when missing.
#include <liburing.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
#endif
