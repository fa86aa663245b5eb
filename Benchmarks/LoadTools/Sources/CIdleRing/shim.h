#ifndef MAILSHARD_LOADTOOLS_CIDLERING_SHIM_H
#define MAILSHARD_LOADTOOLS_CIDLERING_SHIM_H
// io_uring for imap-load's IDLE fan-out receiver: one multishot recvmsg per idler into a
// ring of provided buffers, so a delivery costs the client no syscall and no readiness
// report per idler (epoll's recv and ep_send_events were most of its receive time).
// recvmsg rather than recv for the kernel's receive timestamp of each read (SO_TIMESTAMPNS),
// which the epoll path's stamped recvmsg below reads the same way.
// liburing 2.3 (Debian bookworm) lacks io_uring_setup_buf_ring, so the buffer ring is
// mapped here; Swift sees only these helpers and plain integers.
//
// libc headers first, with Glibc's default feature set (see the root package's CURing
// shim for why), then the kernel's UAPI header, then liburing.
#include <features.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/io_uring.h>
#include <liburing.h>

/// A ring and its provided buffers. Invariants: `memory` holds `buffer_count` buffers
/// of `buffer_size` bytes, buffer i at i * buffer_size, each either lent to the kernel
/// (in the buffer ring) or held by the caller between a completion naming it and
/// imap_load_ring_recycle; one thread uses a ring (SINGLE_ISSUER).
typedef struct imap_load_ring {
    struct io_uring ring;
    struct io_uring_buf_ring *buffers;
    size_t buffers_bytes;
    unsigned char *memory;
    unsigned buffer_count;
    unsigned buffer_size;
    /// What each multishot recvmsg asks for: no address, room for one timestamp.
    struct msghdr message;
} imap_load_ring;

enum { IMAP_LOAD_RING_GROUP = 1 };

/// Room for the one control message a stamped read carries: SCM_TIMESTAMPNS (a timespec).
enum { IMAP_LOAD_CONTROL_BYTES = CMSG_SPACE(sizeof(struct timespec)) };

/// Asks the kernel to stamp every segment `fd` receives with the time it arrived
/// (software receive timestamp, CLOCK_REALTIME) and to report it with each read.
/// 0, or -1 (errno).
static inline int imap_load_enable_receive_timestamps(int fd) {
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

/// The receive timestamp among `message`'s control messages, in CLOCK_REALTIME
/// nanoseconds; 0 when it carries none. For TCP it is the arrival of the last
/// segment the read took bytes from.
static inline uint64_t imap_load_control_arrival(struct msghdr *message) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(message); c; c = CMSG_NXTHDR(message, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec stamp;
            memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
            return (uint64_t)stamp.tv_sec * 1000000000ull + (uint64_t)stamp.tv_nsec;
        }
    }
    return 0;
}

/// One non-blocking recvmsg of up to `capacity` bytes from `fd` into `buffer`, with the
/// receive timestamp in `*arrival_ns` (0 when the read carried none). The byte count,
/// 0 at the peer's end, or -1 (errno).
static inline ssize_t imap_load_receive_stamped(int fd, void *buffer, size_t capacity, uint64_t *arrival_ns) {
    unsigned char control[IMAP_LOAD_CONTROL_BYTES];
    struct iovec part = { .iov_base = buffer, .iov_len = capacity };
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &part;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    ssize_t count = recvmsg(fd, &message, MSG_DONTWAIT);
    *arrival_ns = count > 0 ? imap_load_control_arrival(&message) : 0;
    return count;
}

static inline void imap_load_ring_destroy(imap_load_ring *r) {
    if (!r) return;
    io_uring_queue_exit(&r->ring);
    if (r->buffers) munmap(r->buffers, r->buffers_bytes);
    free(r->memory);
    free(r);
}

/// A ring with room for `cq_entries` completions and `buffer_count` (a power of two)
/// receive buffers of `buffer_size` bytes. NULL with `*error` set (a positive errno).
static inline imap_load_ring *imap_load_ring_create(unsigned sq_entries, unsigned cq_entries,
                                                    unsigned buffer_count, unsigned buffer_size, int *error) {
    imap_load_ring *r = calloc(1, sizeof *r);
    if (!r) { *error = ENOMEM; return NULL; }
    // Deferred task work: the kernel runs the receives when this thread waits, in
    // batches, and wakes it once rather than per arriving segment.
    const unsigned candidates[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_COOP_TASKRUN, 0 };
    int result = -EINVAL;
    for (unsigned i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        struct io_uring_params params;
        memset(&params, 0, sizeof params);
        params.flags = candidates[i] | IORING_SETUP_CQSIZE;
        params.cq_entries = cq_entries;
        result = io_uring_queue_init_params(sq_entries, &r->ring, &params);
        if (result != -EINVAL) break;
    }
    if (result < 0) { free(r); *error = -result; return NULL; }
    if (buffer_size <= sizeof(struct io_uring_recvmsg_out) + IMAP_LOAD_CONTROL_BYTES) { free(r); *error = EINVAL; return NULL; }
    r->buffer_count = buffer_count;
    r->buffer_size = buffer_size;
    r->message.msg_controllen = IMAP_LOAD_CONTROL_BYTES;
    r->buffers_bytes = (size_t)buffer_count * sizeof(struct io_uring_buf);
    void *ring_memory = mmap(NULL, r->buffers_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    r->memory = malloc((size_t)buffer_count * buffer_size);
    if (ring_memory == MAP_FAILED || !r->memory) {
        if (ring_memory != MAP_FAILED) munmap(ring_memory, r->buffers_bytes);
        r->buffers = NULL;
        imap_load_ring_destroy(r);
        *error = ENOMEM;
        return NULL;
    }
    r->buffers = ring_memory;
    io_uring_buf_ring_init(r->buffers);
    struct io_uring_buf_reg registration;
    memset(&registration, 0, sizeof registration);
    registration.ring_addr = (unsigned long)r->buffers;
    registration.ring_entries = buffer_count;
    registration.bgid = IMAP_LOAD_RING_GROUP;
    result = io_uring_register_buf_ring(&r->ring, &registration, 0);
    if (result < 0) { imap_load_ring_destroy(r); *error = -result; return NULL; }
    int mask = io_uring_buf_ring_mask(buffer_count);
    for (unsigned i = 0; i < buffer_count; i++)
        io_uring_buf_ring_add(r->buffers, r->memory + (size_t)i * buffer_size, buffer_size, (unsigned short)i, mask, (int)i);
    io_uring_buf_ring_advance(r->buffers, (int)buffer_count);
    return r;
}

/// A free submission entry, submitting what is queued when the queue is full.
static inline struct io_uring_sqe *imap_load_ring_sqe(imap_load_ring *r) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (!sqe) {
        io_uring_submit(&r->ring);
        sqe = io_uring_get_sqe(&r->ring);
    }
    return sqe;
}

/// Queues a multishot recvmsg of `fd` into provided buffers, reported as `token`: each
/// buffer it fills holds an io_uring_recvmsg_out, the control messages (room for
/// IMAP_LOAD_CONTROL_BYTES) and the bytes read (imap_load_ring_message). 0 or -EBUSY.
static inline int imap_load_ring_receive(imap_load_ring *r, int fd, uint64_t token) {
    struct io_uring_sqe *sqe = imap_load_ring_sqe(r);
    if (!sqe) return -EBUSY;
    io_uring_prep_recvmsg_multishot(sqe, fd, &r->message, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = IMAP_LOAD_RING_GROUP;
    io_uring_sqe_set_data64(sqe, token);
    return 0;
}

/// Queues a one-shot poll for input on `fd`, reported as `token`. 0 or -EBUSY.
static inline int imap_load_ring_poll(imap_load_ring *r, int fd, uint64_t token) {
    struct io_uring_sqe *sqe = imap_load_ring_sqe(r);
    if (!sqe) return -EBUSY;
    io_uring_prep_poll_add(sqe, fd, POLLIN);
    io_uring_sqe_set_data64(sqe, token);
    return 0;
}

/// Queues the cancellation of every request in flight, reported as `token`. 0 or -EBUSY.
static inline int imap_load_ring_cancel_all(imap_load_ring *r, uint64_t token) {
    struct io_uring_sqe *sqe = imap_load_ring_sqe(r);
    if (!sqe) return -EBUSY;
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, token);
    return 0;
}

/// Submits what is queued, waits up to `timeout_ms` for a completion, then copies at
/// most `capacity` completions out (token, result, flags) and marks them seen. The
/// count (0 on timeout), or a negative errno.
static inline int imap_load_ring_wait(imap_load_ring *r, int timeout_ms, uint64_t *tokens, int32_t *results,
                                      uint32_t *flags, int capacity) {
    struct io_uring_cqe *cqe = NULL;
    struct __kernel_timespec timeout = { .tv_sec = timeout_ms / 1000, .tv_nsec = (long long)(timeout_ms % 1000) * 1000000 };
    int result = io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1, &timeout, NULL);
    if (result < 0 && result != -ETIME && result != -EINTR && result != -EAGAIN && result != -EBUSY) return result;
    unsigned head;
    int count = 0;
    io_uring_for_each_cqe(&r->ring, head, cqe) {
        if (count == capacity) break;
        tokens[count] = cqe->user_data;
        results[count] = cqe->res;
        flags[count] = cqe->flags;
        count++;
    }
    io_uring_cq_advance(&r->ring, (unsigned)count);
    return count;
}

/// The buffer a completion with `flags` filled (valid when IORING_CQE_F_BUFFER is set).
static inline unsigned imap_load_ring_buffer_id(uint32_t flags) { return flags >> IORING_CQE_BUFFER_SHIFT; }
static inline int imap_load_ring_has_buffer(uint32_t flags) { return (flags & IORING_CQE_F_BUFFER) != 0; }
static inline int imap_load_ring_has_more(uint32_t flags) { return (flags & IORING_CQE_F_MORE) != 0; }

static inline const unsigned char *imap_load_ring_buffer(const imap_load_ring *r, unsigned id) {
    return r->memory + (size_t)id * r->buffer_size;
}

/// What buffer `id` holds after a recvmsg completion whose result was `filled` bytes:
/// where the bytes read start in it and how many there are (0 at the peer's end),
/// and their receive timestamp (imap_load_control_arrival). 0, or -1 when the
/// buffer does not hold a whole header.
static inline int imap_load_ring_message(imap_load_ring *r, unsigned id, int filled, uint32_t *payload_offset,
                                         uint32_t *payload_length, uint64_t *arrival_ns) {
    unsigned char *buffer = r->memory + (size_t)id * r->buffer_size;
    struct io_uring_recvmsg_out *out = io_uring_recvmsg_validate(buffer, filled, &r->message);
    if (!out) return -1;
    size_t offset = sizeof *out + r->message.msg_namelen + r->message.msg_controllen;
    if (offset + out->payloadlen > (size_t)filled) return -1;
    struct msghdr control;
    memset(&control, 0, sizeof control);
    control.msg_control = buffer + sizeof *out + r->message.msg_namelen;
    control.msg_controllen = out->controllen;
    *arrival_ns = imap_load_control_arrival(&control);
    *payload_offset = (uint32_t)offset;
    *payload_length = out->payloadlen;
    return 0;
}

/// Gives buffer `id` back to the kernel.
static inline void imap_load_ring_recycle(imap_load_ring *r, unsigned id) {
    io_uring_buf_ring_add(r->buffers, r->memory + (size_t)id * r->buffer_size, r->buffer_size, (unsigned short)id,
                          io_uring_buf_ring_mask(r->buffer_count), 0);
    io_uring_buf_ring_advance(r->buffers, 1);
}
#endif
