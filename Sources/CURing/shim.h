#ifndef MAILSHARD_CURING_SHIM_H
#define MAILSHARD_CURING_SHIM_H
// liburing 2.3 (Debian bookworm) is the floor. Its static inline helpers import
// into Swift directly; constants newer than 2.3 are defined here when missing,
// and the few macros Swift cannot import are wrapped in small inline functions.
#include <liburing.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <fcntl.h>

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif

/// `IOSQE_BUFFER_SELECT` is built from an enum and does not import into Swift.
static inline unsigned char mailshard_iosqe_buffer_select(void) {
    return (unsigned char)IOSQE_BUFFER_SELECT;
}

/// `IOSQE_IO_LINK` likewise.
static inline unsigned char mailshard_iosqe_io_link(void) {
    return (unsigned char)IOSQE_IO_LINK;
}

/// Pins the calling thread to one CPU; `CPU_SET` is a macro Swift cannot call.
/// Returns 0 or an errno value.
static inline int mailshard_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/// Restricts the ring's io-wq workers (splice, file I/O) to the shard's CPU.
static inline int mailshard_pin_iowq(struct io_uring *ring, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return io_uring_register_iowq_aff(ring, sizeof(set), &set);
}

/// `fcntl` is variadic and does not import; F_SETPIPE_SZ sizes a splice pipe.
static inline int mailshard_set_pipe_size(int fd, int size) {
    return fcntl(fd, F_SETPIPE_SZ, size);
}
#endif
