/*
 * afpacket_ref: the C reference for jtipc's Ethernet benchmark (bench/run.sh veth, issue 14).
 *
 * What a plain C program reaches with AF_PACKET on the same veth pair jtipc uses, so that jtipc's figures can be
 * given as a ratio of what the kernel's packet socket allows on this machine:
 *
 *   afpacket_ref sink  IF SECONDS                 count frames received on IF for SECONDS after the first one
 *   afpacket_ref blast IF DSTMAC SIZE SECONDS     send SIZE-byte frames (Ethernet payload) to DSTMAC as fast as
 *                                                 sendmmsg allows (batches of 64) for SECONDS
 *   afpacket_ref pong  IF SECONDS                 send every frame received on IF back to its source for SECONDS
 *   afpacket_ref ping  IF DSTMAC SIZE COUNT       COUNT round trips of SIZE bytes, one at a time (1 s timeout)
 *
 * Frames use ethertype 0x88B5 (IEEE 802 local experimental), never TIPC's 0x88CA, so a jtipc or kernel TIPC node on
 * the same link ignores them. Every frame carries a 32-bit sequence number; sink reports frames, bytes, rate and how
 * many numbers were missing (the blaster outruns the receiver: that loss is the point, the received rate is the
 * reference). Results go to stdout as one "key=value ..." line. Needs CAP_NET_RAW (the benchmark runs as root inside a
 * network namespace it created).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETH_P_REF 0x88B5
#define BATCH 64
#define MAXFRAME 9216

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "afpacket_ref: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int open_if(const char *ifname, int *ifindex, unsigned char mac[6]) {
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_REF));
    if (fd < 0) die("socket(AF_PACKET)");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (strlen(ifname) >= IFNAMSIZ) { fprintf(stderr, "afpacket_ref: interface name too long\n"); exit(2); }
    strcpy(ifr.ifr_name, ifname);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) die("SIOCGIFINDEX");
    *ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) die("SIOCGIFHWADDR");
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_REF);
    sll.sll_ifindex = *ifindex;
    if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) die("bind");
    int buf = 16 << 20; /* as large as jtipc's Ethernet bearer asks for */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf);
    return fd;
}

static int parse_mac(const char *s, unsigned char mac[6]) {
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255) return -1;
        mac[i] = (unsigned char)v[i];
    }
    return 0;
}

static long parse_long(const char *s, long lo, long hi, const char *what) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "afpacket_ref: %s must be %ld..%ld, got '%s'\n", what, lo, hi, s);
        exit(2);
    }
    return v;
}

static void fill_header(unsigned char *f, const unsigned char dst[6], const unsigned char src[6]) {
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = ETH_P_REF >> 8;
    f[13] = ETH_P_REF & 0xff;
}

static int sink(const char *ifname, double seconds) {
    int ifindex;
    unsigned char mac[6];
    int fd = open_if(ifname, &ifindex, mac);
    static unsigned char bufs[BATCH][MAXFRAME];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = MAXFRAME;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    printf("ready\n");
    fflush(stdout);
    long frames = 0, bytes = 0, missing = 0;
    uint32_t next = 0;
    double start = 0, last = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        double t = now_s();
        if (start != 0 && t - start >= seconds) break;
        int ms = start == 0 ? 30000 : (int)((seconds - (t - start)) * 1000) + 1;
        int r = poll(&p, 1, ms);
        if (r < 0) die("poll");
        if (r == 0) break;
        int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EAGAIN) continue;
            die("recvmmsg");
        }
        last = now_s();
        if (start == 0) start = last;
        for (int i = 0; i < n; i++) {
            if (msgs[i].msg_len < 18) continue;
            uint32_t seq;
            memcpy(&seq, bufs[i] + 14, 4);
            seq = ntohl(seq);
            if (seq > next) missing += seq - next;
            if (seq >= next) next = seq + 1;
            frames++;
            bytes += msgs[i].msg_len - 14;
        }
    }
    double el = last - start;
    printf("frames=%ld bytes=%ld seconds=%.3f frames_per_s=%.0f mb_per_s=%.1f missing=%ld\n", frames, bytes, el,
           el > 0 ? frames / el : 0.0, el > 0 ? bytes / el / 1e6 : 0.0, missing);
    return 0;
}

static int blast(const char *ifname, const char *dst, long size, double seconds) {
    int ifindex;
    unsigned char mac[6], dmac[6];
    if (parse_mac(dst, dmac)) { fprintf(stderr, "afpacket_ref: bad MAC '%s'\n", dst); return 2; }
    int fd = open_if(ifname, &ifindex, mac);
    static unsigned char bufs[BATCH][MAXFRAME];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (int i = 0; i < BATCH; i++) {
        fill_header(bufs[i], dmac, mac);
        memset(bufs[i] + 14, 0x5a, (size_t)size);
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = (size_t)size + 14;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    long sent = 0;
    uint32_t seq = 0;
    double start = now_s(), t = start;
    while (t - start < seconds) {
        for (int i = 0; i < BATCH; i++) {
            uint32_t s = htonl(seq + i);
            memcpy(bufs[i] + 14, &s, 4);
        }
        int n = sendmmsg(fd, msgs, BATCH, 0);
        if (n < 0) {
            if (errno == ENOBUFS || errno == EAGAIN) { t = now_s(); continue; }
            die("sendmmsg");
        }
        seq += n;
        sent += n;
        t = now_s();
    }
    printf("sent=%ld seconds=%.3f frames_per_s=%.0f\n", sent, t - start, sent / (t - start));
    return 0;
}

static int pong(const char *ifname, double seconds) {
    int ifindex;
    unsigned char mac[6];
    int fd = open_if(ifname, &ifindex, mac);
    static unsigned char buf[MAXFRAME];
    printf("ready\n");
    fflush(stdout);
    long echoed = 0;
    double start = now_s();
    for (;;) {
        double left = seconds - (now_s() - start);
        if (left <= 0) break;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0) die("poll");
        if (r == 0) break;
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 14) continue;
        unsigned char src[6];
        memcpy(src, buf + 6, 6);
        fill_header(buf, src, mac);
        if (send(fd, buf, (size_t)n, 0) < 0) die("send");
        echoed++;
    }
    printf("echoed=%ld\n", echoed);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int ping(const char *ifname, const char *dst, long size, long count) {
    int ifindex;
    unsigned char mac[6], dmac[6];
    if (parse_mac(dst, dmac)) { fprintf(stderr, "afpacket_ref: bad MAC '%s'\n", dst); return 2; }
    int fd = open_if(ifname, &ifindex, mac);
    static unsigned char out[MAXFRAME], in[MAXFRAME];
    fill_header(out, dmac, mac);
    memset(out + 14, 0x5a, (size_t)size);
    double *rtt = calloc((size_t)count, sizeof(double));
    if (!rtt) die("calloc");
    long done = 0, lost = 0;
    for (uint32_t seq = 0; seq < (uint32_t)count; seq++) {
        uint32_t s = htonl(seq);
        memcpy(out + 14, &s, 4);
        double t0 = now_s();
        if (send(fd, out, (size_t)size + 14, 0) < 0) die("send");
        for (;;) {
            struct pollfd p = {fd, POLLIN, 0};
            int r = poll(&p, 1, 1000);
            if (r < 0) die("poll");
            if (r == 0) { lost++; break; }
            ssize_t n = recv(fd, in, sizeof in, MSG_DONTWAIT);
            if (n < 18) continue;
            uint32_t got;
            memcpy(&got, in + 14, 4);
            if (ntohl(got) != seq) continue;
            rtt[done++] = (now_s() - t0) * 1e6;
            break;
        }
    }
    /* the first tenth is warm-up (page faults, caches) */
    long skip = done / 10;
    qsort(rtt + skip, (size_t)(done - skip), sizeof(double), cmp_double);
    long m = done - skip;
    printf("round_trips=%ld lost=%ld median_us=%.1f p99_us=%.1f\n", m, lost, m ? rtt[skip + m / 2] : 0.0,
           m ? rtt[skip + (long)(m * 0.99)] : 0.0);
    free(rtt);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "sink")) return sink(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"));
    if (argc >= 6 && !strcmp(argv[1], "blast"))
        return blast(argv[2], argv[3], parse_long(argv[4], 18, MAXFRAME - 14, "SIZE"),
                     (double)parse_long(argv[5], 1, 600, "SECONDS"));
    if (argc >= 4 && !strcmp(argv[1], "pong")) return pong(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"));
    if (argc >= 6 && !strcmp(argv[1], "ping"))
        return ping(argv[2], argv[3], parse_long(argv[4], 18, MAXFRAME - 14, "SIZE"),
                    parse_long(argv[5], 1, 10000000, "COUNT"));
    fprintf(stderr, "usage: afpacket_ref sink IF SECONDS | blast IF DSTMAC SIZE SECONDS | pong IF SECONDS |"
                    " ping IF DSTMAC SIZE COUNT\n");
    return 2;
}
