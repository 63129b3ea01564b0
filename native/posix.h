/* jextract input for the libc constants cfnet's CF glue uses, generated once per OS (see posix.args).
   Regenerate with `make bindings`: Linux's from this machine's glibc headers, macOS's from the SDK. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
