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
 *   afpacket_ref sink-ring IF SECONDS V           as sink, through a PACKET_RX_RING of TPACKET_VV (2 or 3)
 *   afpacket_ref pong-ring IF SECONDS V           as pong, through a PACKET_RX_RING of TPACKET_VV (2 or 3)
 *   afpacket_ref blast-ring IF DSTMAC SIZE SECONDS  as blast, through a TPACKET_V2 PACKET_TX_RING, 64 frames a send()
 *
 * The ring modes (PACKET_MMAP, Documentation/networking/packet_mmap.rst) answer whether jtipc's Ethernet bearer should
 * use the kernel's shared rings instead of recvmmsg/sendmmsg (bench/run.sh rings, bench/RESULTS.md). Each ring is
 * RING_BYTES; frames of SIZE above RING_FRAME - 80 bytes do not fit a TPACKET_V2 slot (counted as truncated).
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
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETH_P_REF 0x88B5
#define BATCH 64
#define MAXFRAME 9216
#define RING_BYTES (16 << 20) /* as large as the socket buffers open_if asks for */
#define RING_FRAME 2048       /* one slot: the tpacket header, sockaddr_ll and a 1 500-byte MTU frame */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) this process used so far; softirq work done on its system calls is charged to it
 * (without CONFIG_IRQ_TIME_ACCOUNTING, and unless the kernel defers it to ksoftirqd) */
static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* times this process went to sleep (voluntary context switches): a receiver's real waits, each one a wakeup to pay */
static long vcsw(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_nvcsw;
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
    long frames = 0, bytes = 0, missing = 0, polls = 0;
    uint32_t next = 0;
    double start = 0, last = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        double t = now_s();
        if (start != 0 && t - start >= seconds) break;
        int ms = start == 0 ? 30000 : (int)((seconds - (t - start)) * 1000) + 1;
        int r = poll(&p, 1, ms);
        polls++;
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
    printf("frames=%ld bytes=%ld seconds=%.3f frames_per_s=%.0f mb_per_s=%.1f missing=%ld polls=%ld vcsw=%ld cpu_s=%.3f\n",
           frames, bytes, el, el > 0 ? frames / el : 0.0, el > 0 ? bytes / el / 1e6 : 0.0, missing, polls, vcsw(), cpu_s());
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
    printf("sent=%ld seconds=%.3f frames_per_s=%.0f vcsw=%ld cpu_s=%.3f\n", sent, t - start, sent / (t - start), vcsw(),
           cpu_s());
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

/*
 * A PACKET_RX_RING (af_packet.c tpacket_rcv copies each frame into the ring in the sender's softirq; reading needs no
 * system call, poll(2) only when the ring is empty). TPACKET_V2: one RING_FRAME slot per frame, each handed over at
 * once (tpacket_rcv calls sk_data_ready per frame). TPACKET_V3: frames packed into 1 MiB blocks, a block handed over
 * when full or when its retire timer fires (tp_retire_blk_tov, 1 ms here, the least): sk_data_ready only then
 * (prb_close_block), so a lone frame waits up to that long.
 */
struct rxring {
    int version;
    unsigned char *ring;
    unsigned block, slots, slot;
    int held;       /* the slot (V2 frame, V3 block) at `slot` is ours until rxring_next moves past it */
    uint32_t left;  /* frames of the held slot not handed out yet */
    unsigned char *pkt;
};

static void rxring_open(struct rxring *r, int fd, int version) {
    int v = version == 3 ? TPACKET_V3 : TPACKET_V2;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0) die("setsockopt(PACKET_VERSION)");
    memset(r, 0, sizeof *r);
    r->version = version;
    r->block = version == 3 ? 1u << 20 : 1u << 16;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = r->block;
    req.tp_block_nr = RING_BYTES / r->block;
    req.tp_frame_size = RING_FRAME;
    req.tp_frame_nr = RING_BYTES / RING_FRAME;
    req.tp_retire_blk_tov = 1;
    /* TPACKET_V2 takes struct tpacket_req, the first four fields of tpacket_req3 */
    socklen_t len = version == 3 ? sizeof(struct tpacket_req3) : sizeof(struct tpacket_req);
    if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, len) < 0) die("setsockopt(PACKET_RX_RING)");
    r->ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (r->ring == MAP_FAILED) die("mmap");
    r->slots = version == 3 ? req.tp_block_nr : req.tp_frame_nr;
}

/* The next frame, read in place (its Ethernet header first), or NULL when the ring holds none now; *snap its bytes in
 * the ring, *flen its length on the wire. The slot of the frame returned before is given back to the kernel first. */
static unsigned char *rxring_next(struct rxring *r, uint32_t *snap, uint32_t *flen) {
    for (;;) {
        unsigned char *base = r->ring + (size_t)r->slot * (r->version == 3 ? r->block : RING_FRAME);
        uint32_t *status = r->version == 3 ? &((struct tpacket_block_desc *)(void *)base)->hdr.bh1.block_status
                                           : &((struct tpacket2_hdr *)(void *)base)->tp_status;
        if (r->held && r->left == 0) {
            __atomic_store_n(status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
            r->held = 0;
            r->slot = (r->slot + 1) % r->slots;
            continue;
        }
        if (!r->held) {
            if (!(__atomic_load_n(status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) return NULL;
            r->held = 1;
            if (r->version == 3) {
                struct tpacket_block_desc *bd = (void *)base;
                r->left = bd->hdr.bh1.num_pkts;
                r->pkt = base + bd->hdr.bh1.offset_to_first_pkt;
            } else {
                r->left = 1;
                r->pkt = base;
            }
            continue;
        }
        unsigned char *h = r->pkt;
        r->left--;
        if (r->version == 3) {
            struct tpacket3_hdr *p3 = (void *)h;
            *snap = p3->tp_snaplen, *flen = p3->tp_len;
            r->pkt = h + p3->tp_next_offset;
            return h + p3->tp_mac;
        }
        struct tpacket2_hdr *p2 = (void *)h;
        *snap = p2->tp_snaplen, *flen = p2->tp_len;
        return h + p2->tp_mac;
    }
}

/* sink-ring: sink's count through an RX ring of TPACKET_V2 or V3. Reports polls= (calls to poll, made only when the
 * ring is empty), vcsw= (the sleeps among them, each a wakeup the sending side paid for) and truncated= (frames larger
 * than a V2 slot). */
static int sink_ring(const char *ifname, double seconds, int version) {
    int ifindex;
    unsigned char mac[6];
    int fd = open_if(ifname, &ifindex, mac);
    struct rxring rr;
    rxring_open(&rr, fd, version);
    printf("ready\n");
    fflush(stdout);
    long frames = 0, bytes = 0, missing = 0, truncated = 0, polls = 0;
    uint32_t next = 0;
    double start = 0, last = 0;
    for (;;) {
        uint32_t snap, flen;
        unsigned char *f = rxring_next(&rr, &snap, &flen);
        if (f == NULL) {
            double t = now_s(); /* the clock is read when the ring runs empty, as sink reads it once per batch */
            if (start != 0) last = t;
            if (start != 0 && t - start >= seconds) break;
            struct pollfd p = {fd, POLLIN, 0};
            int ms = start == 0 ? 30000 : (int)((seconds - (t - start)) * 1000) + 1;
            int r = poll(&p, 1, ms);
            polls++;
            if (r < 0) die("poll");
            if (r == 0) break;
            continue;
        }
        if (snap < flen) truncated++;
        if (snap >= 18) {
            uint32_t seq;
            memcpy(&seq, f + 14, 4);
            seq = ntohl(seq);
            if (seq > next) missing += seq - next;
            if (seq >= next) next = seq + 1;
            frames++;
            bytes += flen - 14;
        }
        if (start == 0) start = now_s();
    }
    double el = last - start;
    printf("frames=%ld bytes=%ld seconds=%.3f frames_per_s=%.0f mb_per_s=%.1f missing=%ld truncated=%ld polls=%ld"
           " vcsw=%ld cpu_s=%.3f ring=tpacket_v%d\n", frames, bytes, el, el > 0 ? frames / el : 0.0,
           el > 0 ? bytes / el / 1e6 : 0.0, missing, truncated, polls, vcsw(), cpu_s(), version);
    return 0;
}

/* Sends frame buf[0..n) back to where it came from (its source MAC becomes the destination) */
static void echo(int fd, unsigned char *buf, size_t n, const unsigned char mac[6]) {
    unsigned char src[6];
    memcpy(src, buf + 6, 6);
    fill_header(buf, src, mac);
    if (send(fd, buf, n, 0) < 0) die("send");
}

/* pong: every frame received on IF for SECONDS sent back to its source; ring 0 receives with recv, 2 or 3 through an
 * RX ring of that TPACKET version (pong-ring: what the ring costs a round trip) */
static int pong(const char *ifname, double seconds, int ring) {
    int ifindex;
    unsigned char mac[6];
    int fd = open_if(ifname, &ifindex, mac);
    struct rxring rr;
    if (ring) rxring_open(&rr, fd, ring);
    static unsigned char buf[MAXFRAME];
    printf("ready\n");
    fflush(stdout);
    long echoed = 0;
    double start = now_s();
    for (;;) {
        double left = seconds - (now_s() - start);
        if (left <= 0) break;
        if (ring) {
            uint32_t snap, flen;
            unsigned char *f = rxring_next(&rr, &snap, &flen);
            if (f != NULL) {
                if (snap < 14 || snap > sizeof buf) continue;
                memcpy(buf, f, snap);
                echo(fd, buf, snap, mac);
                echoed++;
                continue;
            }
        }
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0) die("poll");
        if (r == 0) break;
        if (ring) continue;
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 14) continue;
        echo(fd, buf, (size_t)n, mac);
        echoed++;
    }
    printf("echoed=%ld\n", echoed);
    return 0;
}

/*
 * blast-ring: blast's frames written into a TPACKET_V2 PACKET_TX_RING, marked TP_STATUS_SEND_REQUEST, and sent 64 at a
 * time by one send(fd, NULL, 0) (af_packet.c tpacket_snd builds an skb per frame from the ring's pages); when no slot
 * is free (the kernel still holds their skbs), poll(2) for POLLOUT.
 */
static int blast_ring(const char *ifname, const char *dst, long size, double seconds) {
    int ifindex;
    unsigned char mac[6], dmac[6];
    if (parse_mac(dst, dmac)) { fprintf(stderr, "afpacket_ref: bad MAC '%s'\n", dst); return 2; }
    /* a TX slot's frame starts where a received one's sockaddr_ll would: TPACKET2_HDRLEN - sizeof(sockaddr_ll) */
    size_t data = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
    if (size + 14 > (long)(RING_FRAME - data)) {
        fprintf(stderr, "afpacket_ref: blast-ring SIZE must be at most %ld (and the interface's MTU)\n",
                (long)(RING_FRAME - data - 14));
        return 2;
    }
    int fd = open_if(ifname, &ifindex, mac);
    int v = TPACKET_V2;
    if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0) die("setsockopt(PACKET_VERSION)");
    unsigned nframes = RING_BYTES / RING_FRAME;
    struct tpacket_req req = {1u << 16, RING_BYTES >> 16, RING_FRAME, nframes};
    if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof req) < 0) die("setsockopt(PACKET_TX_RING)");
    unsigned char *ring = mmap(NULL, RING_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ring == MAP_FAILED) die("mmap");
    /* every slot filled once, as blast fills its buffers once: per frame only the sequence number and length */
    for (unsigned i = 0; i < nframes; i++) {
        unsigned char *f = ring + (size_t)i * RING_FRAME + data;
        fill_header(f, dmac, mac);
        memset(f + 14, 0x5a, (size_t)size);
    }
    long sent = 0;
    uint32_t seq = 0;
    unsigned cur = 0;
    double start = now_s(), t = start;
    while (t - start < seconds) {
        int q = 0;
        for (; q < BATCH; q++) {
            struct tpacket2_hdr *h = (void *)(ring + (size_t)cur * RING_FRAME);
            if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) != TP_STATUS_AVAILABLE) break;
            unsigned char *f = (unsigned char *)h + data;
            uint32_t s = htonl(seq++);
            memcpy(f + 14, &s, 4);
            h->tp_len = (uint32_t)size + 14;
            __atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
            cur = (cur + 1) % nframes;
        }
        if (q == 0) {
            struct pollfd p = {fd, POLLOUT, 0};
            if (poll(&p, 1, 10) < 0) die("poll");
            t = now_s();
            continue;
        }
        if (send(fd, NULL, 0, 0) < 0 && errno != ENOBUFS && errno != EAGAIN) die("send");
        sent += q;
        t = now_s();
    }
    printf("sent=%ld seconds=%.3f frames_per_s=%.0f vcsw=%ld cpu_s=%.3f ring=tpacket_v2\n", sent, t - start,
           sent / (t - start), vcsw(), cpu_s());
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "sink")) return sink(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"));
    if (argc >= 6 && !strcmp(argv[1], "blast"))
        return blast(argv[2], argv[3], parse_long(argv[4], 18, MAXFRAME - 14, "SIZE"),
                     (double)parse_long(argv[5], 1, 600, "SECONDS"));
    if (argc >= 4 && !strcmp(argv[1], "pong")) return pong(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"), 0);
    if (argc >= 6 && !strcmp(argv[1], "ping"))
        return ping(argv[2], argv[3], parse_long(argv[4], 18, MAXFRAME - 14, "SIZE"),
                    parse_long(argv[5], 1, 10000000, "COUNT"));
    if (argc >= 5 && !strcmp(argv[1], "sink-ring"))
        return sink_ring(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"), (int)parse_long(argv[4], 2, 3, "V"));
    if (argc >= 5 && !strcmp(argv[1], "pong-ring"))
        return pong(argv[2], (double)parse_long(argv[3], 1, 600, "SECONDS"), (int)parse_long(argv[4], 2, 3, "V"));
    if (argc >= 6 && !strcmp(argv[1], "blast-ring"))
        return blast_ring(argv[2], argv[3], parse_long(argv[4], 18, MAXFRAME - 14, "SIZE"),
                          (double)parse_long(argv[5], 1, 600, "SECONDS"));
    fprintf(stderr, "usage: afpacket_ref sink IF SECONDS | blast IF DSTMAC SIZE SECONDS | pong IF SECONDS |"
                    " ping IF DSTMAC SIZE COUNT | sink-ring IF SECONDS 2|3 | pong-ring IF SECONDS 2|3 |"
                    " blast-ring IF DSTMAC SIZE SECONDS\n");
    return 2;
}
