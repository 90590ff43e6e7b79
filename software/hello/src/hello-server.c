/* hello-server: a tiny HTTP/1.0 server for Kiln's software/hello release.
 *
 *   hello-server --port N [--host ADDR] [--message TEXT | --message-file PATH]
 *   hello-server --version | --help
 *
 * Answers every GET (and HEAD) with 200 and a short text/plain body: the
 * message followed by a newline. Other methods get 405, unparsable requests
 * 400. One connection at a time, closed after each answer. Plain POSIX
 * sockets, no dependencies. SIGTERM or SIGINT stops it cleanly (exit 0).
 * `--port 0` lets the kernel choose; the actual address is printed on
 * stdout as "hello-server: listening on http://ADDR:PORT/".
 *
 * Exit status: 0 after a signal, 1 on a runtime error (cannot bind...),
 * 2 on a usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "1.0.0"
#endif

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_MESSAGE "Hello from Kiln!"
#define MAX_REQUEST 8192
#define MAX_MESSAGE 65536
#define CLIENT_TIMEOUT_S 5

static const char *progname = "hello-server";
static int signal_pipe[2] = {-1, -1};

static void usage(FILE *f) {
  fprintf(f,
          "usage: %s --port N [--host ADDR] [--message TEXT | --message-file PATH]\n"
          "       %s --version | --help\n"
          "Answers every HTTP GET with 200 and the message (default \"%s\").\n"
          "  --port N             TCP port, 0-65535 (0: any free port)\n"
          "  --host ADDR          numeric IPv4 or IPv6 address (default %s)\n"
          "  --message TEXT       the body of every answer\n"
          "  --message-file PATH  the body is this file's contents (trailing newlines trimmed)\n",
          progname, progname, DEFAULT_MESSAGE, DEFAULT_HOST);
}

static void usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", progname);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  fprintf(stderr, "Try '%s --help'.\n", progname);
  exit(2);
}

static void on_signal(int sig) {
  int saved = errno;
  unsigned char c = (unsigned char)sig;
  ssize_t n = write(signal_pipe[1], &c, 1);
  (void)n; /* the pipe is non-blocking; one byte is enough */
  errno = saved;
}

/* Writes all of buf; 0 on success, -1 on error. */
static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The message from a file, trailing newlines removed; exits 1 on error. */
static char *read_message_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "%s: cannot read '%s': %s\n", progname, path, strerror(errno));
    exit(1);
  }
  char *buf = malloc(MAX_MESSAGE + 1);
  if (buf == NULL) {
    fprintf(stderr, "%s: out of memory\n", progname);
    exit(1);
  }
  size_t n = fread(buf, 1, MAX_MESSAGE + 1, f);
  int failed = ferror(f);
  fclose(f);
  if (failed) {
    fprintf(stderr, "%s: cannot read '%s'\n", progname, path);
    exit(1);
  }
  if (n > MAX_MESSAGE) {
    fprintf(stderr, "%s: '%s' is larger than %d bytes\n", progname, path, MAX_MESSAGE);
    exit(1);
  }
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) --n;
  buf[n] = '\0';
  return buf;
}

static void respond(int fd, const char *status, const char *extra_headers, const char *body,
                    int head_only) {
  char header[512];
  size_t body_len = strlen(body);
  int n = snprintf(header, sizeof header,
                   "HTTP/1.0 %s\r\n"
                   "Server: hello-server/" HELLO_VERSION "\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\n"
                   "%s"
                   "Connection: close\r\n"
                   "\r\n",
                   status, body_len + 1, extra_headers);
  if (n < 0 || (size_t)n >= sizeof header) return;
  if (write_all(fd, header, (size_t)n) != 0) return;
  if (head_only) return;
  if (write_all(fd, body, body_len) != 0) return;
  write_all(fd, "\n", 1);
}

/* Reads the request head (up to the blank line) and answers it. */
static void serve_client(int fd, const char *message) {
  struct timeval tv = {CLIENT_TIMEOUT_S, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

  char req[MAX_REQUEST + 1];
  size_t len = 0;
  int complete = 0;
  while (len < MAX_REQUEST) {
    ssize_t n = read(fd, req + len, MAX_REQUEST - len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break; /* closed, timed out or failed */
    len += (size_t)n;
    req[len] = '\0';
    if (strstr(req, "\r\n\r\n") != NULL || strstr(req, "\n\n") != NULL) {
      complete = 1;
      break;
    }
  }
  req[len] = '\0';
  if (len == 0) return; /* nothing asked: nothing to answer */

  /* Request line: METHOD SP TARGET SP VERSION */
  char *line_end = strpbrk(req, "\r\n");
  if (line_end != NULL) *line_end = '\0';
  char *sp1 = strchr(req, ' ');
  char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
  if (!complete || sp1 == NULL || sp2 == NULL || sp1 == req || sp2 == sp1 + 1 ||
      strncmp(sp2 + 1, "HTTP/", 5) != 0) {
    respond(fd, "400 Bad Request", "", "bad request", 0);
    fprintf(stderr, "%s: 400 bad request\n", progname);
    return;
  }
  *sp1 = '\0';
  *sp2 = '\0';
  const char *method = req, *target = sp1 + 1;
  if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
    respond(fd, "200 OK", "", message, strcmp(method, "HEAD") == 0);
    fprintf(stderr, "%s: %s %s 200\n", progname, method, target);
  } else {
    respond(fd, "405 Method Not Allowed", "Allow: GET, HEAD\r\n", "method not allowed", 0);
    fprintf(stderr, "%s: %s %s 405\n", progname, method, target);
  }
}

static int parse_port(const char *s) {
  if (*s == '\0') return -1;
  long v = 0;
  for (const char *p = s; *p; ++p) {
    if (*p < '0' || *p > '9') return -1;
    v = v * 10 + (*p - '0');
    if (v > 65535) return -1;
  }
  return (int)v;
}

/* The value of option argv[*i] (either --opt=VALUE or --opt VALUE). */
static const char *option_value(int argc, char **argv, int *i, const char *name) {
  const char *arg = argv[*i];
  size_t len = strlen(name);
  if (arg[len] == '=') return arg + len + 1;
  if (*i + 1 >= argc) usage_error("option '%s' needs a value", name);
  return argv[++*i];
}

static int matches(const char *arg, const char *name) {
  size_t len = strlen(name);
  return strncmp(arg, name, len) == 0 && (arg[len] == '\0' || arg[len] == '=');
}

int main(int argc, char **argv) {
  const char *host = DEFAULT_HOST;
  const char *message = DEFAULT_MESSAGE;
  const char *message_file = NULL;
  int port = -1;

  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    } else if (strcmp(a, "--version") == 0) {
      printf("hello-server " HELLO_VERSION "\n");
      return 0;
    } else if (matches(a, "--port")) {
      const char *v = option_value(argc, argv, &i, "--port");
      port = parse_port(v);
      if (port < 0) usage_error("bad port '%s': expected a number from 0 to 65535", v);
    } else if (matches(a, "--host")) {
      host = option_value(argc, argv, &i, "--host");
    } else if (matches(a, "--message")) {
      message = option_value(argc, argv, &i, "--message");
      message_file = NULL;
    } else if (matches(a, "--message-file")) {
      message_file = option_value(argc, argv, &i, "--message-file");
    } else {
      usage_error("unknown argument '%s'", a);
    }
  }
  if (port < 0) usage_error("%s", "--port is required");
  if (message_file != NULL) message = read_message_file(message_file);

  struct addrinfo hints, *ai = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  char port_text[16];
  snprintf(port_text, sizeof port_text, "%d", port);
  int gai = getaddrinfo(host, port_text, &hints, &ai);
  if (gai != 0) usage_error("bad host '%s': expected a numeric IPv4 or IPv6 address", host);

  int lfd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (lfd < 0) {
    fprintf(stderr, "%s: socket: %s\n", progname, strerror(errno));
    return 1;
  }
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  fcntl(lfd, F_SETFD, FD_CLOEXEC);
  if (bind(lfd, ai->ai_addr, ai->ai_addrlen) != 0) {
    fprintf(stderr, "%s: cannot listen on %s port %d: %s\n", progname, host, port,
            strerror(errno));
    return 1;
  }
  if (listen(lfd, 16) != 0) {
    fprintf(stderr, "%s: listen: %s\n", progname, strerror(errno));
    return 1;
  }
  int family = ai->ai_family;
  freeaddrinfo(ai);

  struct sockaddr_storage bound;
  socklen_t bound_len = sizeof bound;
  if (getsockname(lfd, (struct sockaddr *)&bound, &bound_len) == 0) {
    port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                    : ((struct sockaddr_in *)&bound)->sin_port);
  }

  /* Signals are turned into bytes on a pipe, polled with the socket. */
  if (pipe(signal_pipe) != 0) {
    fprintf(stderr, "%s: pipe: %s\n", progname, strerror(errno));
    return 1;
  }
  for (int k = 0; k < 2; ++k) {
    fcntl(signal_pipe[k], F_SETFL, fcntl(signal_pipe[k], F_GETFL) | O_NONBLOCK);
    fcntl(signal_pipe[k], F_SETFD, FD_CLOEXEC);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("%s: listening on http://%s%s%s:%d/\n", progname, family == AF_INET6 ? "[" : "", host,
         family == AF_INET6 ? "]" : "", port);
  fflush(stdout);

  for (;;) {
    struct pollfd fds[2] = {{lfd, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "%s: poll: %s\n", progname, strerror(errno));
      return 1;
    }
    if (fds[1].revents != 0) {
      unsigned char sig = 0;
      if (read(signal_pipe[0], &sig, 1) != 1) sig = SIGTERM;
      close(lfd);
      printf("%s: stopped by signal %d\n", progname, (int)sig);
      fflush(stdout);
      return 0;
    }
    if (fds[0].revents != 0) {
      int cfd = accept(lfd, NULL, NULL);
      if (cfd < 0) continue; /* EINTR, ECONNABORTED, ...: try again */
      serve_client(cfd, message);
      close(cfd);
    }
  }
}
