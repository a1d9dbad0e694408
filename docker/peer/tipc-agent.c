/*
 * tipc-agent: the jtipc lab's driver of kernel AF_TIPC sockets, and the guest's control server.
 *
 * Built static (gcc -static) into the lab initramfs and into the Docker peer image. Every output
 * line is machine-parsable, one record per line, fields separated by single spaces:
 *   READY ...                      the socket is bound/joined/subscribed: the peer may start
 *   OK <n> bytes <rtt_us> us       one echoed message came back intact (pings)
 *   ECHO <n> bytes                 the echo side returned one message / chunk
 *   DONE sent <n> ok <m>           a ping finished (exit 0 only if m == n)
 *   MCAST sent <n>                 mcast-send finished
 *   EVENT <published|withdrawn|timeout> <type> <lower> <upper> <port> <node>
 *   MEMBER <up|down> <group> <member> <port> <node>
 *   RECV <n> bytes from <port> <node> [member <m>] [text <payload>]
 *   SENT <ucast|acast|mcast|bcast> <count>      one group-member action finished
 *   ERROR <operation> <ERRNO_NAME> <text>   (exit status 2)
 * Node and port are printed in hex (0x...) as `tipc` prints them.
 *
 * Subcommands (TYPE, INST, ... are decimal or 0x hex; scope is always cluster):
 *   rdm-echo TYPE INST [quiet]                  (quiet: no ECHO line per message)
 *   rdm-ping TYPE INST COUNT SIZE [TIMEOUT_MS]
 *   rdm-stream TYPE INST COUNT SIZE WINDOW [TIMEOUT_MS]
 *                                               (COUNT numbered messages to an echo, at most WINDOW
 *                                               unanswered; message i is i as a big-endian u32 then
 *                                               the fill pattern of i; checks every echo and prints
 *                                               STREAM sent <n> echoed <e> lost <l> duplicated <d>
 *                                               reordered <r> bad <b> us <elapsed>; exit 0 only if
 *                                               e = n and l = d = r = b = 0. TIMEOUT_MS (default
 *                                               5000): longest wait for one echo)
 *   conn-echo seqpacket|stream TYPE INST
 *   conn-ping seqpacket|stream TYPE INST COUNT SIZE [TIMEOUT_MS]
 *   publish TYPE LOWER UPPER [SECONDS]          (0 or absent: until killed)
 *   subscribe TYPE LOWER UPPER [ports|service] [SECONDS]
 *   wait-service TYPE INST [TIMEOUT_MS]
 *   group-join GROUP MEMBER [BCASTS [SIZE]]     (BCASTS > 0: wait for a peer member, broadcast)
 *   group-member GROUP MEMBER PEERS [ACTION...]
 *                                               (joins with member events; prints MEMBER up/down
 *                                               and, per message, RECV ... member <m> text <payload,
 *                                               bytes outside printable ASCII as '?'>; once PEERS
 *                                               other members are up, runs the ACTIONs in order:
 *                                                 ucast:INST:COUNT:TEXT[:SIZE]  to each member INST
 *                                                                               by its socket address
 *                                                 acast:INST:COUNT:TEXT[:SIZE]  anycast to INST
 *                                                 mcast:INST:COUNT:TEXT[:SIZE]  multicast to INST
 *                                                 bcast:COUNT:TEXT[:SIZE]       broadcast
 *                                                 exit                          leave and exit 0
 *                                               message i of an action is "TEXT i" padded with '.'
 *                                               to SIZE bytes; sends block while flow-controlled)
 *   mcast-send TYPE LOWER UPPER COUNT SIZE [TIMEOUT_MS]
 *                                               (waits for LOWER to be bound, then sends COUNT
 *                                               multicasts to the range; message i carries i as a
 *                                               big-endian u32 then the fill pattern of i)
 *   serve DEVICE                                (the lab control server, see serve() below)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/tipc.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MSG 66000		/* largest RDM / SEQPACKET message */
#define MAX_STREAM (1 << 20)	/* largest STREAM ping chunk */

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "EUNKNOWN";
}

static void die_errno(const char *op)
{
	int e = errno;
	printf("ERROR %s %s %s\n", op, ename(e), strerror(e));
	fflush(stdout);
	exit(2);
}

static void die_usage(const char *msg)
{
	printf("ERROR usage EINVAL %s\n", msg);
	fflush(stdout);
	exit(2);
}

static uint32_t num(const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > 0xffffffffUL)
		die_usage("bad number");
	return (uint32_t)v;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void set_rcv_timeout(int sd, uint32_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	if (setsockopt(sd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die_errno("setsockopt-rcvtimeo");
}

static void fill_pattern(char *buf, uint32_t size, uint32_t seq)
{
	for (uint32_t i = 0; i < size; i++)
		buf[i] = (char)((seq * 31 + i * 7) & 0xff);
}

static struct sockaddr_tipc service_addr(uint32_t type, uint32_t inst)
{
	struct sockaddr_tipc a;
	memset(&a, 0, sizeof(a));
	a.family = AF_TIPC;
	a.addrtype = TIPC_SERVICE_ADDR;
	a.scope = TIPC_CLUSTER_SCOPE;
	a.addr.name.name.type = type;
	a.addr.name.name.instance = inst;
	a.addr.name.domain = 0;
	return a;
}

/* A cluster-scope service range address (TIPC_SERVICE_RANGE, alias TIPC_ADDR_MCAST). */
static struct sockaddr_tipc range_addr(uint32_t type, uint32_t lower, uint32_t upper)
{
	struct sockaddr_tipc a;
	memset(&a, 0, sizeof(a));
	a.family = AF_TIPC;
	a.addrtype = TIPC_SERVICE_RANGE;
	a.scope = TIPC_CLUSTER_SCOPE;
	a.addr.nameseq.type = type;
	a.addr.nameseq.lower = lower;
	a.addr.nameseq.upper = upper;
	return a;
}

static void bind_range(int sd, uint32_t type, uint32_t lower, uint32_t upper)
{
	struct sockaddr_tipc a = range_addr(type, lower, upper);
	if (bind(sd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die_errno("bind");
}

static int topsrv_connect(void)
{
	int sd = socket(AF_TIPC, SOCK_SEQPACKET, 0);
	if (sd < 0)
		die_errno("socket");
	struct sockaddr_tipc a = service_addr(TIPC_TOP_SRV, TIPC_TOP_SRV);
	a.scope = TIPC_NODE_SCOPE;
	if (connect(sd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die_errno("connect-topsrv");
	return sd;
}

static void topsrv_subscribe(int sd, uint32_t type, uint32_t lower, uint32_t upper,
			     uint32_t filter, uint32_t timeout_ms)
{
	struct tipc_subscr s;
	memset(&s, 0, sizeof(s));
	s.seq.type = type;
	s.seq.lower = lower;
	s.seq.upper = upper;
	s.timeout = timeout_ms;
	s.filter = filter;
	if (send(sd, &s, sizeof(s), 0) != sizeof(s))
		die_errno("send-subscription");
}

/* Waits until (type, inst) is published somewhere in the cluster; exits 3 on timeout. */
static void wait_service(uint32_t type, uint32_t inst, uint32_t timeout_ms)
{
	int sd = topsrv_connect();
	topsrv_subscribe(sd, type, inst, inst, TIPC_SUB_SERVICE, timeout_ms);
	for (;;) {
		struct tipc_event ev;
		ssize_t n = recv(sd, &ev, sizeof(ev), 0);
		if (n < 0)
			die_errno("recv-event");
		if (n != sizeof(ev)) {
			printf("ERROR recv-event EPROTO short event %zd bytes\n", n);
			exit(2);
		}
		if (ev.event == TIPC_PUBLISHED)
			break;
		if (ev.event == TIPC_SUBSCR_TIMEOUT) {
			printf("ERROR wait-service ETIMEDOUT service %u %u not published within %u ms\n",
			       type, inst, timeout_ms);
			exit(3);
		}
	}
	close(sd);
}

static int cmd_rdm_echo(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "quiet")))
		die_usage("rdm-echo TYPE INST [quiet]");
	uint32_t type = num(argv[0]), inst = num(argv[1]);
	int quiet = argc == 3;
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	bind_range(sd, type, inst, inst);
	printf("READY rdm-echo %u %u\n", type, inst);
	fflush(stdout);
	static char buf[MAX_MSG];
	for (;;) {
		struct sockaddr_tipc peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(sd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_errno("recvfrom");
		}
		if (sendto(sd, buf, n, 0, (struct sockaddr *)&peer, plen) < 0)
			die_errno("sendto");
		if (!quiet) {
			printf("ECHO %zd bytes\n", n);
			fflush(stdout);
		}
	}
	return 0;
}

/* Message i of rdm-stream: i big-endian, then the fill pattern of i. */
static void stream_msg(char *buf, uint32_t size, uint32_t i)
{
	fill_pattern(buf, size, i);
	buf[0] = (char)(i >> 24);
	buf[1] = (char)(i >> 16);
	buf[2] = (char)(i >> 8);
	buf[3] = (char)i;
}

#define MAX_STREAM_COUNT 10000000u

static int cmd_rdm_stream(int argc, char **argv)
{
	if (argc < 5 || argc > 6)
		die_usage("rdm-stream TYPE INST COUNT SIZE WINDOW [TIMEOUT_MS]");
	uint32_t type = num(argv[0]), inst = num(argv[1]), count = num(argv[2]), size = num(argv[3]);
	uint32_t window = num(argv[4]);
	uint32_t tmo = argc > 5 ? num(argv[5]) : 5000;
	if (size < 4 || size > MAX_MSG || count > MAX_STREAM_COUNT || window < 1)
		die_usage("SIZE must be 4..66000, COUNT at most 10000000, WINDOW at least 1");
	wait_service(type, inst, tmo);
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	set_rcv_timeout(sd, tmo);
	unsigned char *seen = calloc(count ? count : 1, 1);
	if (!seen)
		die_errno("calloc");
	static char out[MAX_MSG], in[MAX_MSG], want[MAX_MSG];
	struct sockaddr_tipc dst = service_addr(type, inst);
	uint32_t sent = 0, echoed = 0, distinct = 0, dup = 0, reord = 0, bad = 0, next = 0;
	int64_t t0 = now_us();
	while (distinct < count) {
		while (sent < count && sent - echoed < window) {
			stream_msg(out, size, sent);
			if (sendto(sd, out, size, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
				if (errno == EINTR)
					continue;
				die_errno("sendto");
			}
			sent++;
		}
		ssize_t n = recv(sd, in, sizeof(in), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				printf("ERROR recv ETIMEDOUT no echo within %u ms (sent %u, echoed %u)\n", tmo, sent, echoed);
				break;
			}
			die_errno("recv");
		}
		echoed++;
		uint32_t seq = n >= 4 ? ((uint32_t)(unsigned char)in[0] << 24 | (uint32_t)(unsigned char)in[1] << 16
					 | (uint32_t)(unsigned char)in[2] << 8 | (unsigned char)in[3]) : UINT32_MAX;
		if (seq >= sent || (uint32_t)n != size) {
			bad++;
			continue;
		}
		stream_msg(want, size, seq);
		if (memcmp(in, want, size)) {
			bad++;
			continue;
		}
		if (seen[seq]) {
			dup++;
			continue;
		}
		seen[seq] = 1;
		distinct++;
		if (seq != next)
			reord++;
		next = seq + 1;
	}
	/* a duplicate may still be on its way: look for one more echo briefly */
	set_rcv_timeout(sd, 300);
	while (recv(sd, in, sizeof(in), 0) >= 0) {
		echoed++;
		dup++;
	}
	printf("STREAM sent %u echoed %u lost %u duplicated %u reordered %u bad %u us %lld\n", sent, echoed,
	       count - distinct, dup, reord, bad, (long long)(now_us() - t0));
	free(seen);
	close(sd);
	return distinct == count && dup == 0 && reord == 0 && bad == 0 ? 0 : 1;
}

static int cmd_rdm_ping(int argc, char **argv)
{
	if (argc < 4 || argc > 5)
		die_usage("rdm-ping TYPE INST COUNT SIZE [TIMEOUT_MS]");
	uint32_t type = num(argv[0]), inst = num(argv[1]), count = num(argv[2]), size = num(argv[3]);
	uint32_t tmo = argc > 4 ? num(argv[4]) : 5000;
	if (size > MAX_MSG)
		die_usage("SIZE too large");
	wait_service(type, inst, tmo);
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	set_rcv_timeout(sd, tmo);
	static char out[MAX_MSG], in[MAX_MSG];
	struct sockaddr_tipc dst = service_addr(type, inst);
	uint32_t ok = 0;
	for (uint32_t i = 0; i < count; i++) {
		fill_pattern(out, size, i);
		int64_t t0 = now_us();
		if (sendto(sd, out, size, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die_errno("sendto");
		ssize_t n = recv(sd, in, sizeof(in), 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				printf("ERROR recv ETIMEDOUT no echo of message %u within %u ms\n", i, tmo);
				break;
			}
			die_errno("recv");
		}
		if ((uint32_t)n != size || memcmp(in, out, size) != 0) {
			printf("ERROR compare EBADMSG message %u came back as %zd bytes, differing\n", i, n);
			continue;
		}
		ok++;
		printf("OK %zd bytes %lld us\n", n, (long long)(now_us() - t0));
	}
	printf("DONE sent %u ok %u\n", count, ok);
	return ok == count ? 0 : 1;
}

/* Multicast to a service range: sendto with a TIPC_SERVICE_RANGE (TIPC_ADDR_MCAST) address. */
static int cmd_mcast_send(int argc, char **argv)
{
	if (argc < 5 || argc > 6)
		die_usage("mcast-send TYPE LOWER UPPER COUNT SIZE [TIMEOUT_MS]");
	uint32_t type = num(argv[0]), lower = num(argv[1]), upper = num(argv[2]);
	uint32_t count = num(argv[3]), size = num(argv[4]);
	uint32_t tmo = argc > 5 ? num(argv[5]) : 5000;
	if (size > MAX_MSG || size < 4)
		die_usage("SIZE must be 4..66000");
	wait_service(type, lower, tmo);
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	struct sockaddr_tipc dst = range_addr(type, lower, upper);
	static char out[MAX_MSG];
	for (uint32_t i = 0; i < count; i++) {
		fill_pattern(out, size, i);
		out[0] = (char)(i >> 24);
		out[1] = (char)(i >> 16);
		out[2] = (char)(i >> 8);
		out[3] = (char)i;
		while (sendto(sd, out, size, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("sendto-mcast");
		}
	}
	printf("MCAST sent %u\n", count);
	return 0;
}

static int conn_type(const char *s)
{
	if (!strcmp(s, "seqpacket"))
		return SOCK_SEQPACKET;
	if (!strcmp(s, "stream"))
		return SOCK_STREAM;
	die_usage("socket kind must be seqpacket or stream");
	return -1;
}

static void echo_connection(int cd, int kind)
{
	static char buf[MAX_MSG];
	for (;;) {
		ssize_t n = recv(cd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("ERROR recv %s %s\n", ename(errno), strerror(errno));
			break;
		}
		if (n == 0)
			break;
		ssize_t off = 0;
		while (off < n) {
			ssize_t w = send(cd, buf + off, n - off, 0);
			if (w < 0) {
				printf("ERROR send %s %s\n", ename(errno), strerror(errno));
				fflush(stdout);
				close(cd);
				return;
			}
			off += w;
		}
		printf("ECHO %zd bytes\n", n);
		fflush(stdout);
	}
	(void)kind;
	printf("CLOSED\n");
	fflush(stdout);
	close(cd);
}

static int cmd_conn_echo(int argc, char **argv)
{
	if (argc != 3)
		die_usage("conn-echo seqpacket|stream TYPE INST");
	int kind = conn_type(argv[0]);
	uint32_t type = num(argv[1]), inst = num(argv[2]);
	int sd = socket(AF_TIPC, kind, 0);
	if (sd < 0)
		die_errno("socket");
	bind_range(sd, type, inst, inst);
	if (listen(sd, 16) < 0)
		die_errno("listen");
	signal(SIGCHLD, SIG_IGN);
	printf("READY conn-echo %s %u %u\n", argv[0], type, inst);
	fflush(stdout);
	for (;;) {
		struct sockaddr_tipc peer;
		socklen_t plen = sizeof(peer);
		int cd = accept(sd, (struct sockaddr *)&peer, &plen);
		if (cd < 0) {
			if (errno == EINTR)
				continue;
			die_errno("accept");
		}
		printf("ACCEPTED 0x%x 0x%x\n", peer.addr.id.ref, peer.addr.id.node);
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			close(sd);
			echo_connection(cd, kind);
			_exit(0);
		}
		close(cd);
	}
}

static int cmd_conn_ping(int argc, char **argv)
{
	if (argc < 5 || argc > 6)
		die_usage("conn-ping seqpacket|stream TYPE INST COUNT SIZE [TIMEOUT_MS]");
	int kind = conn_type(argv[0]);
	uint32_t type = num(argv[1]), inst = num(argv[2]), count = num(argv[3]), size = num(argv[4]);
	uint32_t tmo = argc > 5 ? num(argv[5]) : 5000;
	if (size > (kind == SOCK_STREAM ? MAX_STREAM : MAX_MSG))
		die_usage("SIZE too large");
	wait_service(type, inst, tmo);
	int sd = socket(AF_TIPC, kind, 0);
	if (sd < 0)
		die_errno("socket");
	struct sockaddr_tipc dst = service_addr(type, inst);
	if (connect(sd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		die_errno("connect");
	set_rcv_timeout(sd, tmo);
	printf("CONNECTED %s %u %u\n", argv[0], type, inst);
	static char out[MAX_STREAM], in[MAX_STREAM];
	uint32_t ok = 0;
	for (uint32_t i = 0; i < count; i++) {
		fill_pattern(out, size, i);
		int64_t t0 = now_us();
		ssize_t off = 0;
		while (off < (ssize_t)size) {
			ssize_t w = send(sd, out + off, size - off, 0);
			if (w < 0)
				die_errno("send");
			off += w;
		}
		ssize_t got = 0;
		int failed = 0;
		while (got < (ssize_t)size) {
			ssize_t n = recv(sd, in + got, sizeof(in) - got, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					printf("ERROR recv ETIMEDOUT no echo of message %u within %u ms\n", i, tmo);
				else
					printf("ERROR recv %s %s\n", ename(errno), strerror(errno));
				failed = 1;
				break;
			}
			if (n == 0) {
				printf("ERROR recv ECONNRESET peer closed the connection\n");
				failed = 1;
				break;
			}
			got += n;
			if (kind == SOCK_SEQPACKET)
				break;
		}
		if (failed)
			break;
		if (got != (ssize_t)size || memcmp(in, out, size) != 0) {
			printf("ERROR compare EBADMSG message %u came back as %zd bytes, differing\n", i, got);
			continue;
		}
		ok++;
		printf("OK %zd bytes %lld us\n", got, (long long)(now_us() - t0));
	}
	close(sd);
	printf("DONE sent %u ok %u\n", count, ok);
	return ok == count ? 0 : 1;
}

static volatile sig_atomic_t stop_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }

static int cmd_publish(int argc, char **argv)
{
	if (argc < 3 || argc > 4)
		die_usage("publish TYPE LOWER UPPER [SECONDS]");
	uint32_t type = num(argv[0]), lower = num(argv[1]), upper = num(argv[2]);
	uint32_t secs = argc > 3 ? num(argv[3]) : 0;
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	bind_range(sd, type, lower, upper);
	printf("READY publish %u %u %u\n", type, lower, upper);
	fflush(stdout);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	int64_t end = now_us() + (int64_t)secs * 1000000;
	while (!stop_flag && (secs == 0 || now_us() < end))
		usleep(50000);
	close(sd);
	printf("WITHDRAWN %u %u %u\n", type, lower, upper);
	return 0;
}

static int cmd_subscribe(int argc, char **argv)
{
	if (argc < 3 || argc > 5)
		die_usage("subscribe TYPE LOWER UPPER [ports|service] [SECONDS]");
	uint32_t type = num(argv[0]), lower = num(argv[1]), upper = num(argv[2]);
	uint32_t filter = TIPC_SUB_PORTS;
	if (argc > 3) {
		if (!strcmp(argv[3], "service"))
			filter = TIPC_SUB_SERVICE;
		else if (strcmp(argv[3], "ports"))
			die_usage("filter must be ports or service");
	}
	uint32_t secs = argc > 4 ? num(argv[4]) : 0;
	int sd = topsrv_connect();
	topsrv_subscribe(sd, type, lower, upper, filter, secs ? secs * 1000 : TIPC_WAIT_FOREVER);
	printf("READY subscribe %u %u %u\n", type, lower, upper);
	fflush(stdout);
	for (;;) {
		struct tipc_event ev;
		ssize_t n = recv(sd, &ev, sizeof(ev), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_errno("recv-event");
		}
		if (n == 0)
			break;
		if (n != sizeof(ev)) {
			printf("ERROR recv-event EPROTO short event %zd bytes\n", n);
			return 2;
		}
		const char *what = ev.event == TIPC_PUBLISHED ? "published" :
				   ev.event == TIPC_WITHDRAWN ? "withdrawn" :
				   ev.event == TIPC_SUBSCR_TIMEOUT ? "timeout" : "unknown";
		printf("EVENT %s %u %u %u 0x%x 0x%x\n", what, ev.s.seq.type, ev.found_lower,
		       ev.found_upper, ev.port.ref, ev.port.node);
		fflush(stdout);
		if (ev.event == TIPC_SUBSCR_TIMEOUT)
			break;
	}
	return 0;
}

static int cmd_wait_service(int argc, char **argv)
{
	if (argc < 2 || argc > 3)
		die_usage("wait-service TYPE INST [TIMEOUT_MS]");
	wait_service(num(argv[0]), num(argv[1]), argc > 2 ? num(argv[2]) : 5000);
	printf("FOUND %s %s\n", argv[0], argv[1]);
	return 0;
}

/* Opens an RDM socket and joins GROUP as MEMBER with member events (TIPC_GROUP_JOIN, cluster scope);
 * prints "READY <what> GROUP MEMBER". */
static int group_join(uint32_t group, uint32_t member, const char *what)
{
	int sd = socket(AF_TIPC, SOCK_RDM, 0);
	if (sd < 0)
		die_errno("socket");
	struct tipc_group_req req = { .type = group, .instance = member,
				      .scope = TIPC_CLUSTER_SCOPE, .flags = TIPC_GROUP_MEMBER_EVTS };
	if (setsockopt(sd, SOL_TIPC, TIPC_GROUP_JOIN, &req, sizeof(req)) < 0)
		die_errno("group-join");
	printf("READY %s %u %u\n", what, group, member);
	fflush(stdout);
	return sd;
}

/* One received group message or member event: the sender's port, node and member instance
 * (socket.c: the source socket address, then the member's service address); event +1 up, -1 down,
 * 0 for a message. */
struct group_rx { uint32_t port, node, inst; int event; };

/* recvmsg on a group socket (EINTR retried, any other error fatal); a member event
 * (MSG_OOB, MSG_EOR when down) is printed as "MEMBER up|down TYPE INST PORT NODE". */
static ssize_t group_recv(int sd, char *buf, size_t size, struct group_rx *rx)
{
	for (;;) {
		struct sockaddr_tipc addr[2];
		struct iovec iov = { .iov_base = buf, .iov_len = size };
		struct msghdr m = { .msg_name = addr, .msg_namelen = sizeof(addr),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		memset(addr, 0, sizeof(addr));
		ssize_t n = recvmsg(sd, &m, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_errno("recvmsg");
		}
		rx->port = addr[0].addr.id.ref;
		rx->node = addr[0].addr.id.node;
		rx->inst = addr[1].addr.name.name.instance;
		rx->event = 0;
		if (m.msg_flags & MSG_OOB) {
			rx->event = (m.msg_flags & MSG_EOR) ? -1 : 1;
			printf("MEMBER %s %u %u 0x%x 0x%x\n", rx->event < 0 ? "down" : "up",
			       addr[1].addr.name.name.type, rx->inst, rx->port, rx->node);
			fflush(stdout);
		}
		return n;
	}
}

static int cmd_group_join(int argc, char **argv)
{
	if (argc < 2 || argc > 4)
		die_usage("group-join GROUP MEMBER [BCASTS [SIZE]]");
	uint32_t group = num(argv[0]), member = num(argv[1]);
	uint32_t bcasts = argc > 2 ? num(argv[2]) : 0, size = argc > 3 ? num(argv[3]) : 64;
	if (size > MAX_MSG)
		die_usage("SIZE too large");
	int sd = group_join(group, member, "group-join");
	static char buf[MAX_MSG];
	uint32_t peers = 0, sent = 0;
	for (;;) {
		struct group_rx rx;
		ssize_t n = group_recv(sd, buf, sizeof(buf), &rx);
		if (rx.event) {
			int down = rx.event < 0;
			peers += down ? -1 : 1;
			if (!down && peers > 0 && sent < bcasts) {
				for (; sent < bcasts; sent++) {
					fill_pattern(buf, size, sent);
					if (send(sd, buf, size, 0) < 0)
						die_errno("group-broadcast");
				}
				printf("BCAST sent %u\n", sent);
				fflush(stdout);
			}
			continue;
		}
		printf("RECV %zd bytes from 0x%x 0x%x member %u\n", n, rx.port, rx.node, rx.inst);
		fflush(stdout);
	}
	return 0;
}

/* group-member: a kernel group member driven by its command line (see the header). */
#define MAX_MEMBERS 64
struct member { uint32_t inst, port, node; int up; };
static struct member members[MAX_MEMBERS];

static void member_event(uint32_t inst, uint32_t port, uint32_t node, int up)
{
	struct member *free_slot = NULL;
	for (int i = 0; i < MAX_MEMBERS; i++) {
		struct member *m = &members[i];
		if (m->up && m->port == port && m->node == node) {
			m->up = up;
			return;
		}
		if (!m->up && !free_slot)
			free_slot = m;
	}
	if (up && free_slot)
		*free_slot = (struct member){ .inst = inst, .port = port, .node = node, .up = 1 };
}

static void group_send(int sd, struct sockaddr_tipc *dst, const char *buf, size_t len, const char *op)
{
	for (;;) {
		ssize_t r = dst ? sendto(sd, buf, len, 0, (struct sockaddr *)dst, sizeof(*dst))
				: send(sd, buf, len, 0);
		if (r >= 0)
			return;
		if (errno == EINTR)
			continue;
		die_errno(op);
	}
}

static void group_action(int sd, uint32_t group, char *spec)
{
	if (!strcmp(spec, "exit")) {
		close(sd);
		printf("LEFT\n");
		fflush(stdout);
		exit(0);
	}
	char *f[6];
	int nf = 0;
	char *save = NULL;
	for (char *t = strtok_r(spec, ":", &save); t && nf < 6; t = strtok_r(NULL, ":", &save))
		f[nf++] = t;
	int bc = nf > 0 && !strcmp(f[0], "bcast");
	int base = bc ? 1 : 2;
	if (nf < base + 2 || nf > base + 3)
		die_usage("group action must be ucast|acast|mcast:INST:COUNT:TEXT[:SIZE], bcast:COUNT:TEXT[:SIZE] or exit");
	uint32_t inst = bc ? 0 : num(f[1]), count = num(f[base]);
	const char *text = f[base + 1];
	uint32_t size = nf > base + 2 ? num(f[base + 2]) : 0;
	if (size > MAX_MSG)
		die_usage("SIZE too large");
	static char buf[MAX_MSG];
	for (uint32_t i = 0; i < count; i++) {
		int len = snprintf(buf, sizeof(buf), "%s %u", text, i);
		if ((uint32_t)len < size) {
			memset(buf + len, '.', size - len);
			len = size;
		}
		if (bc) {
			group_send(sd, NULL, buf, len, "group-bcast");
		} else if (!strcmp(f[0], "ucast")) {
			int sent = 0;
			for (int k = 0; k < MAX_MEMBERS; k++) {
				struct member *m = &members[k];
				if (!m->up || m->inst != inst)
					continue;
				struct sockaddr_tipc a;
				memset(&a, 0, sizeof(a));
				a.family = AF_TIPC;
				a.addrtype = TIPC_SOCKET_ADDR;
				a.addr.id.ref = m->port;
				a.addr.id.node = m->node;
				group_send(sd, &a, buf, len, "group-ucast");
				sent++;
			}
			if (!sent) {
				printf("ERROR group-ucast EHOSTUNREACH no member %u is up\n", inst);
				exit(2);
			}
		} else if (!strcmp(f[0], "acast")) {
			struct sockaddr_tipc a = service_addr(group, inst);
			group_send(sd, &a, buf, len, "group-acast");
		} else if (!strcmp(f[0], "mcast")) {
			struct sockaddr_tipc a = range_addr(group, inst, inst);
			group_send(sd, &a, buf, len, "group-mcast");
		} else {
			die_usage("unknown group action");
		}
	}
	printf("SENT %s %u\n", f[0], count);
	fflush(stdout);
}

static int cmd_group_member(int argc, char **argv)
{
	if (argc < 3)
		die_usage("group-member GROUP MEMBER PEERS [ACTION...]");
	uint32_t group = num(argv[0]), member = num(argv[1]), want = num(argv[2]);
	int sd = group_join(group, member, "group-member");
	static char buf[MAX_MSG];
	static char text[256];
	uint32_t peers = 0;
	int acted = 0;
	for (;;) {
		if (!acted && peers >= want) {
			acted = 1;
			for (int i = 3; i < argc; i++)
				group_action(sd, group, argv[i]);
		}
		struct group_rx rx;
		ssize_t n = group_recv(sd, buf, sizeof(buf), &rx);
		if (rx.event) {
			member_event(rx.inst, rx.port, rx.node, rx.event > 0);
			peers += rx.event < 0 ? -1 : 1;
			continue;
		}
		size_t t = (size_t)n < sizeof(text) - 1 ? (size_t)n : sizeof(text) - 1;
		for (size_t i = 0; i < t; i++)
			text[i] = buf[i] >= 0x20 && buf[i] <= 0x7e ? buf[i] : '?';
		text[t] = 0;
		printf("RECV %zd bytes from 0x%x 0x%x member %u text %s\n", n, rx.port, rx.node, rx.inst, text);
		fflush(stdout);
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * serve DEVICE: the lab control server (PID 1 of the guest after /init).
 *
 * Requests, one line each:  RUN <id> <timeout_ms> <shell command>   (timeout 0: none)
 *                           KILL <id> <signal number>
 *                           PING <id>
 * Replies:  @@HELLO <kernel release>      when the server starts (and after each PING 0)
 *           @@O <id> <line>               one output line (stdout and stderr merged)
 *           @@TIMEOUT <id>                the job ran past its timeout and was killed
 *           @@END <id> <rc>               the job ended: exit code, or 128 + signal
 *           @@PONG <id>
 *           @@ERR <id> <message>          the request was not understood / not started
 * A job runs as `/bin/sh -c` in its own session, stdin /dev/null. The server reaps every orphan.
 * ------------------------------------------------------------------------------------------- */
#define MAX_JOBS 64
struct job {
	char id[32];
	pid_t pid;
	int fd;			/* output pipe, -1 when drained */
	int exited;
	int status;
	int64_t deadline;	/* us, 0 = none */
	int64_t exited_at;
	char line[4096];
	size_t len;
};
static struct job jobs[MAX_JOBS];
static int ctl = -1;
static char kernel_release[128] = "unknown";

static void ctl_write(const char *fmt, ...)
{
	char out[4400];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, sizeof(out) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(out) - 2)
		n = sizeof(out) - 2;
	out[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = write(ctl, out + off, n - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;	/* host not connected: the line is lost, the host re-syncs by PING */
		}
		off += w;
	}
}

static void job_flush_line(struct job *j)
{
	j->line[j->len] = 0;
	ctl_write("@@O %s %s", j->id, j->line);
	j->len = 0;
}

static void job_read(struct job *j)
{
	char buf[2048];
	ssize_t n = read(j->fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (j->len)
			job_flush_line(j);
		close(j->fd);
		j->fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			job_flush_line(j);
		} else if (buf[i] != '\r') {
			j->line[j->len++] = buf[i] ? buf[i] : ' ';
			if (j->len >= sizeof(j->line) - 1)
				job_flush_line(j);
		}
	}
}

static void job_finish_if_done(struct job *j)
{
	if (!j->pid || !j->exited)
		return;
	/* a grandchild may keep the pipe open: give it 300 ms after the job itself exited */
	if (j->fd >= 0 && now_us() - j->exited_at < 300000)
		return;
	if (j->fd >= 0) {
		fcntl(j->fd, F_SETFL, O_NONBLOCK);
		job_read(j);
		if (j->fd >= 0) {
			if (j->len)
				job_flush_line(j);
			close(j->fd);
			j->fd = -1;
		}
	}
	int rc = WIFEXITED(j->status) ? WEXITSTATUS(j->status) : 128 + WTERMSIG(j->status);
	ctl_write("@@END %s %d", j->id, rc);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}

static struct job *job_by_id(const char *id)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].pid && !strcmp(jobs[i].id, id))
			return &jobs[i];
	return NULL;
}

static void start_job(const char *id, uint32_t timeout_ms, const char *cmd)
{
	struct job *j = NULL;
	if (job_by_id(id)) {
		ctl_write("@@ERR %s duplicate job id", id);
		return;
	}
	for (int i = 0; i < MAX_JOBS && !j; i++)
		if (!jobs[i].pid)
			j = &jobs[i];
	if (!j) {
		ctl_write("@@ERR %s too many jobs", id);
		return;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		ctl_write("@@ERR %s pipe %s", id, ename(errno));
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		ctl_write("@@ERR %s fork %s", id, ename(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		setsid();
		int nul = open("/dev/null", O_RDONLY);
		dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->pid = pid;
	j->fd = p[0];
	j->exited = 0;
	j->len = 0;
	j->deadline = timeout_ms ? now_us() + (int64_t)timeout_ms * 1000 : 0;
}

static void handle_request(char *line)
{
	char *save = NULL;
	char *verb = strtok_r(line, " ", &save);
	char *id = strtok_r(NULL, " ", &save);
	if (!verb || !id) {
		if (verb)
			ctl_write("@@ERR - malformed request");
		return;
	}
	if (!strcmp(verb, "PING")) {
		if (!strcmp(id, "0"))
			ctl_write("@@HELLO %s", kernel_release);
		ctl_write("@@PONG %s", id);
	} else if (!strcmp(verb, "RUN")) {
		char *tmo = strtok_r(NULL, " ", &save);
		if (!tmo || !save || !*save) {
			ctl_write("@@ERR %s malformed RUN", id);
			return;
		}
		start_job(id, (uint32_t)strtoul(tmo, NULL, 10), save);
	} else if (!strcmp(verb, "KILL")) {
		char *sig = strtok_r(NULL, " ", &save);
		struct job *j = job_by_id(id);
		if (!j) {
			ctl_write("@@ERR %s no such job", id);
			return;
		}
		if (!j->exited)
			kill(-j->pid, sig ? atoi(sig) : SIGTERM);
	} else {
		ctl_write("@@ERR %s unknown verb %s", id, verb);
	}
}

static int serve(const char *device)
{
	signal(SIGPIPE, SIG_IGN);
	FILE *kr = fopen("/etc/jtipc/kernel-release", "r");
	if (kr) {
		if (fgets(kernel_release, sizeof(kernel_release), kr))
			kernel_release[strcspn(kernel_release, "\n")] = 0;
		fclose(kr);
	}
	ctl = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "tipc-agent serve: open %s: %s\n", device, strerror(errno));
		return 2;
	}
	for (int i = 0; i < MAX_JOBS; i++)
		jobs[i].fd = -1;
	ctl_write("@@HELLO %s", kernel_release);
	char req[8192];
	size_t rlen = 0;
	for (;;) {
		struct pollfd pf[MAX_JOBS + 1];
		struct job *pj[MAX_JOBS + 1];
		int n = 0;
		pf[n].fd = ctl;
		pf[n].events = POLLIN;
		pj[n++] = NULL;
		for (int i = 0; i < MAX_JOBS; i++) {
			if (jobs[i].pid && jobs[i].fd >= 0) {
				pf[n].fd = jobs[i].fd;
				pf[n].events = POLLIN;
				pj[n++] = &jobs[i];
			}
		}
		int r = poll(pf, n, 100);
		if (r < 0 && errno != EINTR)
			return 2;
		if (r > 0 && (pf[0].revents & POLLIN)) {
			ssize_t got = read(ctl, req + rlen, sizeof(req) - 1 - rlen);
			if (got > 0) {
				rlen += got;
				char *nl;
				while ((nl = memchr(req, '\n', rlen)) != NULL) {
					*nl = 0;
					if (nl > req && nl[-1] == '\r')
						nl[-1] = 0;
					handle_request(req);
					size_t used = nl + 1 - req;
					memmove(req, nl + 1, rlen - used);
					rlen -= used;
				}
				if (rlen == sizeof(req) - 1)
					rlen = 0;	/* an over-long line: drop it */
			} else {
				usleep(50000);	/* host not connected */
			}
		} else if (r > 0 && (pf[0].revents & (POLLHUP | POLLERR))) {
			usleep(50000);
		}
		for (int k = 1; k < n; k++)
			if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
				job_read(pj[k]);
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < MAX_JOBS; i++) {
				if (jobs[i].pid == pid) {
					jobs[i].exited = 1;
					jobs[i].status = status;
					jobs[i].exited_at = now_us();
				}
			}
		}
		int64_t t = now_us();
		for (int i = 0; i < MAX_JOBS; i++) {
			struct job *j = &jobs[i];
			if (j->pid && !j->exited && j->deadline && t > j->deadline) {
				ctl_write("@@TIMEOUT %s", j->id);
				kill(-j->pid, SIGKILL);
				j->deadline = 0;
			}
			job_finish_if_done(j);
		}
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		die_usage("tipc-agent SUBCOMMAND ARGS... (see the source header)");
	const char *c = argv[1];
	int n = argc - 2;
	char **a = argv + 2;
	if (!strcmp(c, "rdm-echo"))
		return cmd_rdm_echo(n, a);
	if (!strcmp(c, "rdm-ping"))
		return cmd_rdm_ping(n, a);
	if (!strcmp(c, "rdm-stream"))
		return cmd_rdm_stream(n, a);
	if (!strcmp(c, "conn-echo"))
		return cmd_conn_echo(n, a);
	if (!strcmp(c, "conn-ping"))
		return cmd_conn_ping(n, a);
	if (!strcmp(c, "publish"))
		return cmd_publish(n, a);
	if (!strcmp(c, "subscribe"))
		return cmd_subscribe(n, a);
	if (!strcmp(c, "wait-service"))
		return cmd_wait_service(n, a);
	if (!strcmp(c, "group-join"))
		return cmd_group_join(n, a);
	if (!strcmp(c, "group-member"))
		return cmd_group_member(n, a);
	if (!strcmp(c, "mcast-send"))
		return cmd_mcast_send(n, a);
	if (!strcmp(c, "serve") && n == 1)
		return serve(a[0]);
	die_usage("unknown subcommand");
	return 2;
}
