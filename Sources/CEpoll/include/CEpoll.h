#ifndef STAMPEDE_CEPOLL_H
#define STAMPEDE_CEPOLL_H

// The Linux calls the load generator's reactor loop and the server's listener need and Swift's
// Glibc module does not export (epoll, eventfd, naming a thread, accept4). Empty elsewhere: the reactor is Linux-only.
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>

/// epoll_event is packed on x86_64; these keep Swift away from its layout.
static inline int cepoll_ctl(int epfd, int op, int fd, unsigned int events) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = 0;
    ev.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// Waits and copies out (fd, events) pairs into two plain arrays.
static inline int cepoll_wait(int epfd, int *fds, unsigned int *events, int max, int timeout_ms) {
    struct epoll_event evs[512];
    if (max > 512) max = 512;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        fds[i] = evs[i].data.fd;
        events[i] = evs[i].events;
    }
    return n;
}

/// accept4 with non-blocking, close-on-exec descriptors (no race with a fork between two calls).
int cepoll_accept_nonblocking(int fd);

/// Names the calling thread (15 bytes at most), as `top -H` and `perf` show it.
static inline void cepoll_name_thread(const char *name) {
    prctl(PR_SET_NAME, name, 0, 0, 0);
}
#endif

#endif
