#pragma once
// A ByteSource over one HTTP(S) GET through libcurl: the bytes of the response body as they
// arrive, pulled by read() (libcurl's multi interface driven on the caller's thread, so a
// parser reads a remote stream exactly like a file). Used for systemd-journal-gatewayd's
// /entries. A response that is not 2xx, a connect that takes longer than connect_timeout_ms,
// and a server that sends nothing for read_timeout_ms all end the stream with error() set:
// a host that is down or hangs never hangs the run.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crashsift/input/byte_source.hpp"

namespace crashsift::input {

// TLS options named as systemd-journal-upload names them.
struct TlsOptions {
  std::string trust;  // --trust: CA bundle (PEM) to check the server with; "all": no check
  std::string cert;   // --cert: client certificate (PEM)
  std::string key;    // --key: its private key (PEM)
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  TlsOptions tls;
  long connect_timeout_ms = 10'000;
  long read_timeout_ms = 30'000;      // no byte for this long: give up (0 = never)
  // The response's headers must come within this (0 = no limit): a followed stream has no read
  // timeout, but a server that accepts and never answers must still be noticed.
  long response_timeout_ms = 0;
  // A followed stream (gatewayd's ?follow): on_idle runs while no byte came for after_ms, and
  // stop is checked between waits; stop() true ends the stream as if it had ended.
  IdleHook idle;
};

// The source; its error() after a short read says why the transfer ended early.
std::unique_ptr<ByteSource> open_http(const HttpRequest& request);

// Bytes received so far by a source open_http made (body only), for the input's accounting.
std::uint64_t http_bytes_received(const ByteSource& source);

// Percent-encodes a URL query value (RFC 3986 unreserved characters are kept).
std::string url_encode(const std::string& value);

}  // namespace crashsift::input
