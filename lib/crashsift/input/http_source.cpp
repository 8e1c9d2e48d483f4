#include "crashsift/input/http_source.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstring>
#include <mutex>

namespace crashsift::input {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class HttpSource final : public ByteSource {
 public:
  explicit HttpSource(const HttpRequest& r) : idle_(r.idle) {
    global_init_once();
    multi_ = curl_multi_init();
    easy_ = curl_easy_init();
    if (!multi_ || !easy_) {
      error_ = "cannot start an HTTP transfer (libcurl)";
      done_ = true;
      return;
    }
    error_buffer_[0] = 0;
    curl_easy_setopt(easy_, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpSource::on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for name lookups
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, r.connect_timeout_ms);
    if (r.read_timeout_ms > 0) {
      // libcurl counts whole seconds here; less than one byte a second for that long is a hang.
      curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, std::max(1L, (r.read_timeout_ms + 999) / 1000));
    }
    // A followed stream is quiet for hours: keepalive probes notice a peer that vanished (a
    // NAT that dropped the flow, a host that lost power) instead of waiting forever.
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPIDLE, 60L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPINTVL, 15L);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &HttpSource::on_header);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    response_timeout_ms_ = r.response_timeout_ms;
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "crashsift");
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    for (const auto& h : r.headers) headers_ = curl_slist_append(headers_, h.c_str());
    if (headers_) curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    if (r.tls.trust == "all") {
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!r.tls.trust.empty()) {
      curl_easy_setopt(easy_, CURLOPT_CAINFO, r.tls.trust.c_str());
    }
    if (!r.tls.cert.empty()) curl_easy_setopt(easy_, CURLOPT_SSLCERT, r.tls.cert.c_str());
    if (!r.tls.key.empty()) curl_easy_setopt(easy_, CURLOPT_SSLKEY, r.tls.key.c_str());
    curl_multi_add_handle(multi_, easy_);
  }

  ~HttpSource() override {
    if (multi_ && easy_) curl_multi_remove_handle(multi_, easy_);
    if (easy_) curl_easy_cleanup(easy_);
    if (multi_) curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }

  size_t read(char* buf, size_t n) override {
    while (pending_.size() == taken_ && !done_) pump();
    const size_t k = std::min(n, pending_.size() - taken_);
    std::memcpy(buf, pending_.data() + taken_, k);
    taken_ += k;
    position_ += k;
    if (taken_ == pending_.size()) {
      pending_.clear();
      taken_ = 0;
    }
    return k;
  }

  std::uint64_t position() const override { return position_; }
  std::uint64_t received() const { return received_; }

 private:
  static size_t on_header(char*, size_t size, size_t count, void* self) {
    static_cast<HttpSource*>(self)->answered_ = true;
    return size * count;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* self) {
    auto* s = static_cast<HttpSource*>(self);
    s->pending_.append(data, size * count);
    s->received_ += size * count;
    return size * count;
  }

  // Drives the transfer until it delivered bytes, ended, or a wait passed.
  void pump() {
    int running = 0;
    if (curl_multi_perform(multi_, &running) != CURLM_OK) return finish("libcurl failed");
    const auto now = std::chrono::steady_clock::now();
    if (pending_.size() > taken_) {
      quiet_since_ = now;
      return;
    }
    if (running == 0) return finish({});
    if (idle_.stop && idle_.stop()) return finish({});
    if (!answered_ && response_timeout_ms_ > 0 && now - started_ >= std::chrono::milliseconds(response_timeout_ms_))
      return finish("no answer within " + std::to_string(response_timeout_ms_ / 1000) +
                    " s (the server accepted the connection but sent nothing)");
    if (idle_.on_idle && idle_.after_ms > 0 && now - quiet_since_ >= std::chrono::milliseconds(idle_.after_ms)) {
      idle_.on_idle();
      quiet_since_ = now;
    }
    const int wait_ms = idle_.after_ms > 0 ? std::min(idle_.after_ms, 250) : 250;
    curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
  }

  void finish(std::string why) {
    done_ = true;
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(multi_, &left)) {
      if (m->msg != CURLMSG_DONE || m->data.result == CURLE_OK) continue;
      why = error_buffer_[0] ? error_buffer_ : curl_easy_strerror(m->data.result);
      if (m->data.result == CURLE_OPERATION_TIMEDOUT && received_ == 0 && why.find("onnect") == std::string::npos)
        why += " (the server accepted the connection but sent nothing)";
    }
    if (!why.empty()) error_ = why;
  }

  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE];
  IdleHook idle_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point quiet_since_ = started_;
  long response_timeout_ms_ = 0;
  bool answered_ = false;
  std::string pending_;
  size_t taken_ = 0;
  std::uint64_t position_ = 0, received_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> open_http(const HttpRequest& request) { return std::make_unique<HttpSource>(request); }

std::uint64_t http_bytes_received(const ByteSource& source) {
  const auto* http = dynamic_cast<const HttpSource*>(&source);
  return http ? http->received() : 0;
}

std::string url_encode(const std::string& value) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace crashsift::input
