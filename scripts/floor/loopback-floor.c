/*
 * The kernel's floor for Stampede's fan-out on this machine: what it costs
 * to write one small frame to each of N loopback TCP sockets and to read it
 * on the other side, with no framework at all. Every server and generator
 * figure in docs/BENCHMARKS.md is reported as a ratio to these, measured in
 * the same run (scripts/bench-floor-ratio.sh).
 *
 *   loopback-floor SOCKETS ROUNDS FRAMES_PER_WRITE [FRAME_BYTES [WRITES_PER_SECOND GROUP]]
 *
 * The writer (this process) accepts SOCKETS connections from a reader (a
 * forked child, so each process holds SOCKETS files, as the server and the
 * generator do), then ROUNDS times writes FRAMES_PER_WRITE frames of
 * FRAME_BYTES (default 200) in one send() to every socket. The reader
 * epoll-waits on all of them and reads until every byte arrived. CPU is
 * each process's own user+system time (getrusage) over the transfer;
 * softirq time of the whole machine over the same interval (/proc/stat) is
 * printed beside it because on loopback the receive path runs partly in
 * softirq context, charged to neither process. Prints one JSON object.
 *
 * Paced (WRITES_PER_SECOND and GROUP given): the writer sends to GROUP
 * consecutive sockets at a time (one workflow's subscribers) and waits for
 * the next group's slot, so that WRITES_PER_SECOND writes go out each second,
 * as a paced fan-out does. Between groups both processes sleep, and every
 * group then pays for waking them (scheduler, epoll wake-ups) — a cost the
 * burst, where neither side ever sleeps, does not show. The paced floor is
 * the kernel's price of the same offered load the benchmark runs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

static double wall_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

/* Machine-wide softirq and total jiffies from the first line of /proc/stat. */
static void machine_ticks(long long *softirq, long long *total) {
    long long v[10] = {0};
    FILE *f = fopen("/proc/stat", "r");
    *softirq = *total = 0;
    if (!f) return;
    if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 7) {
        *softirq = v[6];
        for (int i = 0; i < 8; i++) *total += v[i];
    }
    fclose(f);
}

static void die(const char *what) { perror(what); exit(2); }

/* The reader: connect, report ready, read until `expected` bytes arrived. */
static int reader(int port, int n, long long expected, int report_fd) {
    int ep = epoll_create1(0);
    if (ep < 0) die("epoll_create1");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int *socks = calloc(n, sizeof(int));
    if (!socks) die("calloc");
    for (int i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (s < 0) die("socket");
        socks[i] = s;
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) die("connect");
        struct epoll_event e = {.events = EPOLLIN, .data.fd = s};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &e) < 0) die("epoll_ctl");
    }
    char ready = 'r';
    if (write(report_fd, &ready, 1) != 1) die("write ready");
    static char buf[65536];
    struct epoll_event ev[1024];
    long long got = 0, reads = 0, waits = 0;
    double c0 = 0, started = 0;
    while (got < expected) {
        int k = epoll_wait(ep, ev, 1024, 10000);
        waits++;
        if (k <= 0) { fprintf(stderr, "reader: timed out at %lld of %lld bytes\n", got, expected); return 1; }
        if (started == 0) { started = 1; c0 = cpu_us(); }
        for (int i = 0; i < k; i++) {
            ssize_t r = read(ev[i].data.fd, buf, sizeof buf);
            if (r > 0) { got += r; reads++; }
        }
    }
    double cpu = cpu_us() - c0;
    char line[128];
    int len = snprintf(line, sizeof line, "%lld %.0f %lld\n", reads, cpu, waits);
    if (write(report_fd, line, len) != len) die("write report");
    /* Reset rather than close: a closing client's port stays in TIME_WAIT for 60 s, and the
       10,000 of each run (50,000 over a bench-floor-ratio.sh sitting) crowded the ephemeral
       range so that a connects run right after connected 14,414 of 15,000 with a p99 of 6 s
       (docs/BENCHMARKS.md §19). After the measurement, so it costs the figures nothing. */
    struct linger reset = {.l_onoff = 1, .l_linger = 0};
    for (int i = 0; i < n; i++) {
        setsockopt(socks[i], SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        close(socks[i]);
    }
    free(socks);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SOCKETS ROUNDS FRAMES_PER_WRITE [FRAME_BYTES [WRITES_PER_SECOND GROUP]]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), rounds = atoi(argv[2]), per_write = atoi(argv[3]);
    int frame = argc > 4 ? atoi(argv[4]) : 200;
    double pace = argc > 6 ? atof(argv[5]) : 0;
    int group = argc > 6 ? atoi(argv[6]) : n;
    if (n < 1 || rounds < 1 || per_write < 1 || frame < 1 || pace < 0 || group < 1) return 2;
    size_t chunk = (size_t)frame * per_write;
    long long expected = (long long)chunk * rounds * n;

    /* A bare syscall, for scale. */
    double s0 = cpu_us();
    for (int i = 0; i < 1000000; i++) syscall(SYS_getppid);
    double syscall_us = (cpu_us() - s0) / 1e6;

    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0) die("listen");
    socklen_t al = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &al);
    int pipefd[2];
    if (pipe(pipefd) < 0) die("pipe");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        close(pipefd[0]);
        close(l);
        _exit(reader(ntohs(a.sin_port), n, expected, pipefd[1]));
    }
    close(pipefd[1]);
    int *fds = calloc(n, sizeof(int));
    for (int i = 0; i < n; i++) {
        fds[i] = accept(l, NULL, NULL);
        if (fds[i] < 0) die("accept");
        int one = 1;
        setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    char ready;
    if (read(pipefd[0], &ready, 1) != 1) die("reader not ready");

    char *payload = malloc(chunk);
    memset(payload, 'x', chunk);
    long long sirq0, tot0, sirq1, tot1;
    machine_ticks(&sirq0, &tot0);
    double w0 = wall_us(), c0 = cpu_us();
    long long writes = 0, short_writes = 0;
    struct timespec slot;
    clock_gettime(CLOCK_MONOTONIC, &slot);
    long long slot_ns = pace > 0 ? (long long)(group * 1e9 / pace) : 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
            if (slot_ns > 0 && i % group == 0) {
                /* Absolute deadlines: a late group does not push the rest back. */
                slot.tv_nsec += slot_ns;
                while (slot.tv_nsec >= 1000000000L) { slot.tv_nsec -= 1000000000L; slot.tv_sec++; }
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &slot, NULL) == EINTR) {}
            }
            size_t off = 0;
            while (off < chunk) {
                ssize_t k = send(fds[i], payload + off, chunk - off, 0);
                if (k < 0) { if (errno == EINTR) continue; die("send"); }
                if ((size_t)k < chunk - off) short_writes++;
                off += (size_t)k;
                writes++;
            }
        }
    }
    double write_cpu = cpu_us() - c0, write_wall = wall_us() - w0;
    char line[128] = {0};
    ssize_t got = read(pipefd[0], line, sizeof line - 1);
    int status = 0;
    waitpid(child, &status, 0);
    machine_ticks(&sirq1, &tot1);
    double wall = wall_us() - w0;
    long long reads = 0, waits = 0;
    double read_cpu = 0;
    if (got <= 0 || sscanf(line, "%lld %lf %lld", &reads, &read_cpu, &waits) != 3 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "reader failed\n");
        return 1;
    }
    long long frames = (long long)rounds * n * per_write;
    double tick_us = 1e6 / sysconf(_SC_CLK_TCK);
    printf("{\"sockets\":%d,\"rounds\":%d,\"frames_per_write\":%d,\"frame_bytes\":%d,"
           "\"writes\":%lld,\"short_writes\":%lld,\"frames\":%lld,\"reads\":%lld,"
           "\"writer_cpu_us_per_write\":%.3f,\"writer_cpu_us_per_frame\":%.3f,"
           "\"reader_cpu_us_per_read\":%.3f,\"reader_cpu_us_per_frame\":%.3f,"
           "\"machine_softirq_us_per_frame\":%.3f,\"machine_busy_share_softirq\":%.3f,"
           "\"write_wall_ms\":%.1f,\"wall_ms\":%.1f,\"syscall_us\":%.3f,"
           "\"paced_writes_per_second\":%.0f,\"group\":%d,\"reader_epoll_waits\":%lld}\n",
           n, rounds, per_write, frame, writes, short_writes, frames, reads,
           write_cpu / writes, write_cpu / frames, read_cpu / reads, read_cpu / frames,
           (sirq1 - sirq0) * tick_us / frames, tot1 > tot0 ? (double)(sirq1 - sirq0) / (tot1 - tot0) : 0,
           write_wall / 1e3, wall / 1e3, syscall_us, pace, group, waits);
    return 0;
}
