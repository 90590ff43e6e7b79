// The UNIX stream socket the supervisor listens on, and the client side of
// one request/reply exchange.
#pragma once

#include <chrono>
#include <string>

#include "kiln/error.h"

namespace kiln::supervisor {

// Binds and listens on `path` (an existing socket file is replaced: the
// caller holds the pid file's lock). Non-blocking, close-on-exec.
Expected<int> listen_unix(const std::string& path);

// Connects to `path`, sends `request` and returns the reply line (without
// the '\n'). k_not_found when nothing listens there (no file, refused),
// k_io on a timeout or a broken connection.
Expected<std::string> exchange(const std::string& path, const std::string& request,
                               std::chrono::milliseconds timeout);

}  // namespace kiln::supervisor
