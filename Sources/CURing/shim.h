#ifndef MAILSHARD_CURING_SHIM_H
#define MAILSHARD_CURING_SHIM_H
// liburing 2.3 (Debian bookworm) is the floor. Its static inline helpers import
// into Swift directly; constants newer than 2.3 are defined here when missing,
// and the few macros Swift cannot import are wrapped in small inline functions.
//
// Order matters: liburing.h defines _GNU_SOURCE and _XOPEN_SOURCE before it
// includes libc headers. If it came first, this module would see libc's types
// (fd_set, ...) defined differently from Swift's Glibc module and a clean build
// fails with "different definitions in different modules". So libc headers are
// included first, with the default feature set Glibc uses; liburing's later
// defines then change nothing, and the three GNU-only functions used below are
// declared here.
#include <features.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <inttypes.h>
#include <time.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <unistd.h>
// The kernel's UAPI header first: swift-system's CSystem module includes it too,
// and liburing's bundled copy (same include guard) would otherwise define
// io_uring_sqe differently, which clang rejects in any Swift module that sees
// both (e.g. one importing swift-configuration and ShardRuntime).
#include <linux/io_uring.h>
#include <liburing.h>

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif

#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif

extern int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set);
extern int pipe2(int fds[2], int flags);
extern ssize_t splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned int flags);

/// `IOSQE_BUFFER_SELECT` is built from an enum and does not import into Swift.
static inline unsigned char mailshard_iosqe_buffer_select(void) {
    return (unsigned char)IOSQE_BUFFER_SELECT;
}

/// `IOSQE_IO_LINK` likewise.
static inline unsigned char mailshard_iosqe_io_link(void) {
    return (unsigned char)IOSQE_IO_LINK;
}

/// Asks the CPU to bring the cache line at `address` in for writing, without waiting
/// for it (PREFETCHW on x86; a hint, never a fault, whatever the address).
static inline void mailshard_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// Pins the calling thread to one CPU; the `CPU_SET` macros do not import.
/// Returns 0 or an errno value.
static inline int mailshard_pin_current_thread(int cpu) {
    cpu_set_t set;
    __CPU_ZERO_S(sizeof(set), &set);
    __CPU_SET_S(cpu, sizeof(set), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/// Restricts the ring's io-wq workers (splice, file I/O) to the shard's CPU.
static inline int mailshard_pin_iowq(struct io_uring *ring, int cpu) {
    cpu_set_t set;
    __CPU_ZERO_S(sizeof(set), &set);
    __CPU_SET_S(cpu, sizeof(set), &set);
    return io_uring_register_iowq_aff(ring, sizeof(set), &set);
}

/// `fcntl` is variadic and does not import; F_SETPIPE_SZ sizes a splice pipe.
static inline int mailshard_set_pipe_size(int fd, int size) {
    return fcntl(fd, F_SETPIPE_SZ, size);
}

#ifndef F_GETPIPE_SZ
#define F_GETPIPE_SZ 1032  /* F_LINUX_SPECIFIC_BASE + 8, as linux/fcntl.h has it */
#endif

/// A pipe's size as the kernel has it (F_GETPIPE_SZ), or -1.
static inline int mailshard_get_pipe_size(int fd) {
    return fcntl(fd, F_GETPIPE_SZ);
}

/// Bytes buffered in a pipe (`ioctl` is variadic and does not import).
static inline int mailshard_pipe_buffered(int fd) {
    int bytes = 0;
    return ioctl(fd, FIONREAD, &bytes) == 0 ? bytes : -1;
}

/// splice(2) without the offsets' GNU types in Swift: `offset` of the input (a
/// file), or -1 for the input's own position (a pipe); SPLICE_F_NONBLOCK always.
static inline ssize_t mailshard_splice(int in, long long *offset, int out, size_t count) {
    loff_t position = offset ? (loff_t)*offset : 0;
    ssize_t moved = splice(in, offset ? &position : NULL, out, NULL, count, 0x02 /* SPLICE_F_NONBLOCK */);
    if (offset && moved > 0) *offset = (long long)position;
    return moved;
}

/// A pipe whose ends close on exec (`pipe2` is GNU-only in glibc's headers).
static inline int mailshard_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
/// `IOSQE_FIXED_FILE`: the sqe's fd field is a slot in the ring's registered file
/// table (a "direct descriptor"), not a process file descriptor.
static inline unsigned char mailshard_iosqe_fixed_file(void) {
    return (unsigned char)IOSQE_FIXED_FILE;
}

/// `IOSQE_IO_HARDLINK`: like IO_LINK, but the next entry runs even when this one
/// fails (a shutdown of a reset socket must not cancel the close after it).
static inline unsigned char mailshard_iosqe_io_hardlink(void) {
    return (unsigned char)IOSQE_IO_HARDLINK;
}

/// Sends the file in registered slot `source_slot` of this ring to the ring whose fd
/// is `target_ring_fd`, into a slot the kernel allocates there; no completion is
/// posted on the target. This ring's completion carries the target slot (or -errno).
/// liburing 2.3 has no helper for it (kernel 6.0+).
static inline void mailshard_prep_msg_ring_send_fixed(struct io_uring_sqe *sqe, int target_ring_fd,
                                                      unsigned source_slot) {
    io_uring_prep_rw(IORING_OP_MSG_RING, sqe, target_ring_fd, (void *)(uintptr_t)IORING_MSG_SEND_FD, 0, 0);
    sqe->addr3 = source_slot;
    sqe->file_index = IORING_FILE_INDEX_ALLOC;
    sqe->msg_ring_flags = IORING_MSG_RING_CQE_SKIP;
}

/// Installs the process descriptor `*fd` into a free slot of the ring's registered
/// file table; the kernel writes the chosen slot back into `*fd`.
static inline void mailshard_prep_install_fixed(struct io_uring_sqe *sqe, int *fd) {
    io_uring_prep_files_update(sqe, fd, 1, (int)IORING_FILE_INDEX_ALLOC);
}
#endif
