/*
 * What one more outgoing connection costs as one source address fills up with
 * connections to one server port: the kernel choosing the source port in
 * connect(), against the caller binding the next port of the range itself
 * (SO_REUSEADDR, skipping taken ports), which is what the generator does
 * (Sources/StampedeClient/Transport/SourcePorts.swift).
 *
 *   gcc -O2 -o /tmp/connect-ports scripts/floor/connect-ports.c
 *   /tmp/connect-ports 18000          # the kernel picks
 *   /tmp/connect-ports 18000 bind     # bind the next port in turn
 *
 * Connects CONNECTIONS sockets to a listener in the same process, accepting
 * and closing the server side at once (the client side stays in CLOSE_WAIT,
 * holding its port, as a held connection does), and prints the CPU cost per
 * connect (user + system, getrusage) for every 2,000. On Linux the kernel's
 * choice prefers even ports, so past about half the ephemeral range
 * (net.ipv4.ip_local_port_range) each connect scans that half first.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static double cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s CONNECTIONS [bind]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), own = argc > 2 && strcmp(argv[2], "bind") == 0;
    int low = 32768, high = 60999;
    FILE *r = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (r) { if (fscanf(r, "%d %d", &low, &high) != 2) { low = 32768; high = 60999; } fclose(r); }
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    if ((rlim_t)n + 16 > lim.rlim_cur) { fprintf(stderr, "open files limit %ld is below %d\n", (long)lim.rlim_cur, n + 16); return 2; }

    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 4096) < 0) { perror("listen"); return 1; }
    getsockname(l, (struct sockaddr *)&a, &al);

    int next = low, skipped = 0;
    double c0 = cpu_us();
    printf("{\"mode\":\"%s\",\"range\":[%d,%d],\"us_per_connect\":[", own ? "bind" : "kernel", low, high);
    for (int i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) { perror("socket"); return 1; }
        if (own) {
            int one = 1;
            setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            for (;;) {
                struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons(next)};
                b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                next = next >= high ? low : next + 1;
                if (bind(s, (struct sockaddr *)&b, sizeof b) == 0) break;
                skipped++;
            }
        }
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("connect"); return 1; }
        int c = accept(l, NULL, NULL);
        if (c < 0) { perror("accept"); return 1; }
        close(c);
        if ((i + 1) % 2000 == 0) {
            double c1 = cpu_us();
            printf("%s[%d,%.1f]", i + 1 > 2000 ? "," : "", i + 1, (c1 - c0) / 2000);
            c0 = c1;
        }
    }
    printf("],\"ports_skipped\":%d}\n", skipped);
    return 0;
}
