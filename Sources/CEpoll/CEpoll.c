// CEpoll's calls are inline in its header, but accept4, which needs _GNU_SOURCE before any
// system header.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <stddef.h>
#include "CEpoll.h"

#ifdef __linux__
int cepoll_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif
