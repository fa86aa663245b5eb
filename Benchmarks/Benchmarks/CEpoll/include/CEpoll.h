#ifndef MAILSHARD_CEPOLL_H
#define MAILSHARD_CEPOLL_H
// Glibc's Swift module leaves out <sys/epoll.h>; the echo load client needs it.
#include <sys/epoll.h>
#endif
