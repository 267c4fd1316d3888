/*
 * Pod networking on one host: every sandbox pod owns one loopback address (127.0.0.N).
 * This preload library, listed in the /etc/ld.so.preload of each container, makes a
 * container's processes behave as if that address were their only interface:
 *  - bind() to the wildcard address binds the pod address instead, so two pods can both
 *    listen on the same port (RocketMQ's HA service always binds the wildcard);
 *  - connect() from an unbound TCP socket to a loopback peer leaves from the pod address,
 *    so peers see the pod IP as the source, as they would on a cluster network;
 *  - SIOCGIFCONF lists only loopback interfaces, so software that picks "the machine's
 *    address" from its interfaces (RocketMQ's brokerIP2 default) falls back to the pod
 *    hostname, which the pod's hosts file maps to the pod address.
 * The pod address is read once from /etc/pod-loopback-ip inside the container.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct in_addr pod_addr;
static int pod_addr_state = -1; /* -1 unknown, 0 absent, 1 present */

static int pod_address(struct in_addr *out) {
    if (pod_addr_state < 0) {
        char text[64] = {0};
        FILE *f = fopen("/etc/pod-loopback-ip", "re");
        pod_addr_state = 0;
        if (f) {
            if (fgets(text, sizeof text, f)) {
                text[strcspn(text, " \r\n")] = 0;
                if (inet_pton(AF_INET, text, &pod_addr) == 1) pod_addr_state = 1;
            }
            fclose(f);
        }
    }
    if (pod_addr_state == 1) *out = pod_addr;
    return pod_addr_state == 1;
}

static void mapped_v6(struct in6_addr *dst, struct in_addr v4) {
    memset(dst, 0, sizeof *dst);
    dst->s6_addr[10] = 0xff;
    dst->s6_addr[11] = 0xff;
    memcpy(&dst->s6_addr[12], &v4, 4);
}

static int is_loopback_v4(struct in_addr a) { return (ntohl(a.s_addr) >> 24) == 127; }

int bind(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_bind)(int, const struct sockaddr *, socklen_t);
    if (!real_bind) real_bind = dlsym(RTLD_NEXT, "bind");
    struct in_addr pod;
    if (addr && pod_address(&pod)) {
        if (addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
            struct sockaddr_in a;
            memcpy(&a, addr, sizeof a);
            if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
                a.sin_addr = pod;
                return real_bind(fd, (struct sockaddr *)&a, sizeof a);
            }
        } else if (addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
            struct sockaddr_in6 a;
            memcpy(&a, addr, sizeof a);
            if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr)) {
                mapped_v6(&a.sin6_addr, pod);
                return real_bind(fd, (struct sockaddr *)&a, sizeof a);
            }
        }
    }
    return real_bind(fd, addr, len);
}

/* Binds an unbound TCP socket to the pod address before it connects to a loopback peer. */
static void bind_source(int fd, const struct sockaddr *peer, socklen_t len) {
    struct in_addr pod;
    if (!peer || !pod_address(&pod)) return;
    int type = 0;
    socklen_t tl = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 || type != SOCK_STREAM) return;
    struct sockaddr_storage local;
    socklen_t ll = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0) return;
    if (peer->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *p = (const struct sockaddr_in *)peer;
        const struct sockaddr_in *l = (const struct sockaddr_in *)&local;
        if (local.ss_family != AF_INET || l->sin_port != 0 || !is_loopback_v4(p->sin_addr)) return;
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0, .sin_addr = pod};
        bind(fd, (struct sockaddr *)&src, sizeof src);
    } else if (peer->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *p = (const struct sockaddr_in6 *)peer;
        const struct sockaddr_in6 *l = (const struct sockaddr_in6 *)&local;
        if (local.ss_family != AF_INET6 || l->sin6_port != 0) return;
        if (!IN6_IS_ADDR_V4MAPPED(&p->sin6_addr)) return;
        struct in_addr peer4;
        memcpy(&peer4, &p->sin6_addr.s6_addr[12], 4);
        if (!is_loopback_v4(peer4)) return;
        struct sockaddr_in6 src;
        memset(&src, 0, sizeof src);
        src.sin6_family = AF_INET6;
        mapped_v6(&src.sin6_addr, pod);
        bind(fd, (struct sockaddr *)&src, sizeof src);
    }
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (!real_connect) real_connect = dlsym(RTLD_NEXT, "connect");
    bind_source(fd, addr, len);
    return real_connect(fd, addr, len);
}

/* Keeps only loopback entries in an SIOCGIFCONF answer. */
static void keep_loopback_interfaces(struct ifconf *ifc) {
    if (!ifc || !ifc->ifc_req) return;
    int n = ifc->ifc_len / (int)sizeof(struct ifreq), kept = 0;
    for (int i = 0; i < n; i++) {
        struct ifreq *r = &ifc->ifc_req[i];
        struct sockaddr_in *a = (struct sockaddr_in *)&r->ifr_addr;
        if (a->sin_family == AF_INET && is_loopback_v4(a->sin_addr)) {
            if (kept != i) ifc->ifc_req[kept] = *r;
            kept++;
        }
    }
    ifc->ifc_len = kept * (int)sizeof(struct ifreq);
}

int ioctl(int fd, unsigned long request, ...) {
    static int (*real_ioctl)(int, unsigned long, ...);
    if (!real_ioctl) real_ioctl = dlsym(RTLD_NEXT, "ioctl");
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int rc = real_ioctl(fd, request, arg);
    struct in_addr pod;
    if (rc == 0 && request == SIOCGIFCONF && pod_address(&pod)) keep_loopback_interfaces((struct ifconf *)arg);
    return rc;
}
