#ifndef MAILSHARD_LOADTOOLS_CEPOLL_SHIM_H
#define MAILSHARD_LOADTOOLS_CEPOLL_SHIM_H
// epoll(7) for imap-load: Swift's Glibc module does not include <sys/epoll.h>, and
// struct epoll_event is packed on x86-64, so Swift only sees these helpers, which take
// and return plain integers (a token per descriptor, chosen by the caller).
#include <stdint.h>
#include <sys/epoll.h>

/// Watches `fd` for input and reports it as `token`: level-triggered, or with
/// `edge_triggered` only when new bytes arrive. 0 or -1 (errno).
static inline int imap_load_epoll_add(int epfd, int fd, uint64_t token, int edge_triggered) {
    struct epoll_event event = {
        .events = EPOLLIN | (edge_triggered ? EPOLLET : 0), .data = { .u64 = token } };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

/// Stops watching `fd`. 0 or -1 (errno).
static inline int imap_load_epoll_remove(int epfd, int fd) {
    struct epoll_event unused = { 0 };
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

/// Waits up to `timeout_ms` for input; writes the tokens of at most `capacity` (at
/// most 1024) ready descriptors to `tokens`. The count, or -1 (errno).
static inline int imap_load_epoll_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms) {
    struct epoll_event events[1024];
    if (capacity > 1024) capacity = 1024;
    int count = epoll_wait(epfd, events, capacity, timeout_ms);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}
#endif
