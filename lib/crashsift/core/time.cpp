#include "crashsift/core/time.hpp"

#include <cctype>
#include <cstdio>
#include <utility>
#include <cstdlib>
#include <ctime>
#include <sys/time.h>

#include "crashsift/core/text.hpp"

namespace crashsift {

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = static_cast<unsigned>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

static CivilTime civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  CivilTime c;
  c.year = static_cast<int>(y + (m <= 2));
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  return c;
}

static std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

CivilTime civil_from_usec(UsecUtc t) {
  const std::int64_t secs = floor_div(t, usec_per_sec);
  const std::int64_t days = floor_div(secs, 86400);
  const std::int64_t sod = secs - days * 86400;
  CivilTime c = civil_from_days(days);
  c.hour = static_cast<int>(sod / 3600);
  c.minute = static_cast<int>(sod % 3600 / 60);
  c.second = static_cast<int>(sod % 60);
  c.usec = static_cast<int>(t - secs * usec_per_sec);
  return c;
}

UsecUtc usec_from_civil_utc(const CivilTime& c) {
  const std::int64_t days = days_from_civil(c.year, c.month, c.day);
  return ((days * 86400 + c.hour * 3600 + c.minute * 60 + c.second) * usec_per_sec) + c.usec;
}

// ---- Zone -------------------------------------------------------------------------------

Zone::Zone() = default;
Zone::Zone(std::string name) : name_(std::move(name)) {}

bool Zone::is_utc() const {
  return name_ == "UTC" || name_ == "Etc/UTC" || name_ == "UTC0" || name_ == "GMT" || name_ == "Z";
}

// The C library knows only one zone at a time (TZ). Remember which one is active so that
// repeated conversions in the same zone cost a compare, not a tzset().
static std::string g_active_tz = "\x01unset";

void Zone::activate() const {
  if (g_active_tz == name_) return;
  if (name_.empty()) {
    // Restore whatever the process started with.
    static const std::string original = [] {
      const char* tz = std::getenv("TZ");
      return tz ? std::string(tz) : std::string("\x01none");
    }();
    if (original == "\x01none")
      unsetenv("TZ");
    else
      setenv("TZ", original.c_str(), 1);
  } else {
    setenv("TZ", name_.c_str(), 1);
  }
  tzset();
  g_active_tz = name_;
}

long Zone::offset_at(UsecUtc t) const {
  if (is_utc()) return 0;
  activate();
  std::time_t secs = static_cast<std::time_t>(floor_div(t, usec_per_sec));
  std::tm tm{};
  localtime_r(&secs, &tm);
  return tm.tm_gmtoff;
}

std::string Zone::abbreviation_at(UsecUtc t) const {
  if (is_utc()) return "UTC";
  activate();
  std::time_t secs = static_cast<std::time_t>(floor_div(t, usec_per_sec));
  std::tm tm{};
  localtime_r(&secs, &tm);
  return tm.tm_zone ? tm.tm_zone : "";
}

UsecUtc Zone::to_utc(const CivilTime& local) const {
  const UsecUtc as_if_utc = usec_from_civil_utc(local);
  if (is_utc()) return as_if_utc;
  // Two passes settle the offset across DST boundaries (first guess, then correct).
  long off = offset_at(as_if_utc);
  UsecUtc guess = as_if_utc - static_cast<UsecUtc>(off) * usec_per_sec;
  long off2 = offset_at(guess);
  if (off2 != off) guess = as_if_utc - static_cast<UsecUtc>(off2) * usec_per_sec;
  return guess;
}

// ---- formatting -------------------------------------------------------------------------

namespace {

// Every exit and evidence line carries times, so they are written digit by digit: snprintf was
// 5 % of a 500 000-exit run. Years outside 0..9999 (a hostile input's) take snprintf's way.
bool four_digit_year(const CivilTime& c) { return c.year >= 0 && c.year <= 9999; }

void put_digits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DD?HH:MM:SS" into at (19 bytes).
void put_date_time(char* at, const CivilTime& c, char between) {
  put_digits(at, c.year, 4);
  at[4] = '-';
  put_digits(at + 5, c.month, 2);
  at[7] = '-';
  put_digits(at + 8, c.day, 2);
  at[10] = between;
  put_digits(at + 11, c.hour, 2);
  at[13] = ':';
  put_digits(at + 14, c.minute, 2);
  at[16] = ':';
  put_digits(at + 17, c.second, 2);
}

}  // namespace

std::string format_rfc3339_utc(UsecUtc t) {
  const CivilTime c = civil_from_usec(t);
  if (four_digit_year(c)) {
    std::string s(27, 'Z');
    put_date_time(s.data(), c, 'T');
    s[19] = '.';
    put_digits(s.data() + 20, c.usec, 6);
    return s;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month, c.day,
                c.hour, c.minute, c.second, c.usec);
  return buf;
}

std::string format_in_zone(UsecUtc t, const Zone& zone, bool with_usec) {
  const CivilTime c = civil_from_usec(t + static_cast<UsecUtc>(zone.offset_at(t)) * usec_per_sec);
  if (four_digit_year(c)) {
    std::string s(with_usec ? 26 : 19, '.');
    put_date_time(s.data(), c, ' ');
    if (with_usec) put_digits(s.data() + 20, c.usec, 6);
    return s;
  }
  char buf[48];
  if (with_usec)
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.usec);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour,
                  c.minute, c.second);
  return buf;
}

// ---- parsing ----------------------------------------------------------------------------

namespace {

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  bool digits(int n, int& out) {
    if (i + static_cast<size_t>(n) > s.size()) return false;
    int v = 0;
    for (int k = 0; k < n; ++k) {
      const char ch = s[i + static_cast<size_t>(k)];
      if (ch < '0' || ch > '9') return false;
      v = v * 10 + (ch - '0');
    }
    i += static_cast<size_t>(n);
    out = v;
    return true;
  }
};

bool parse_fraction(Cursor& cur, int& usec) {
  if (!(cur.peek() == '.' || cur.peek() == ',')) return true;
  ++cur.i;
  int scale = 100000, v = 0, n = 0;
  while (!cur.done() && cur.peek() >= '0' && cur.peek() <= '9') {
    if (n < 6) v += (cur.peek() - '0') * scale, scale /= 10;
    ++n, ++cur.i;
  }
  usec = v;
  return n > 0;
}

// "Z", "+09:00", "+0900", "+09", "UTC". Returns false when no offset is present.
bool parse_offset(Cursor& cur, long& offset_s, bool& ok) {
  ok = true;
  if (cur.done()) return false;
  if (cur.eat('Z') || cur.eat('z')) return offset_s = 0, true;
  std::string_view rest = cur.s.substr(cur.i);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1), ++cur.i;
  if (rest == "UTC" || rest == "GMT") return cur.i += 3, offset_s = 0, true;
  const char sign = cur.peek();
  if (sign != '+' && sign != '-') return false;
  ++cur.i;
  int hh = 0, mm = 0;
  if (!cur.digits(2, hh)) return ok = false, false;
  cur.eat(':');
  if (!cur.done()) cur.digits(2, mm);
  offset_s = (hh * 3600L + mm * 60L) * (sign == '-' ? -1 : 1);
  return true;
}

}  // namespace

std::optional<UsecUtc> parse_iso8601(std::string_view s, const Zone& zone) {
  s = trim(s);
  Cursor cur{s};
  CivilTime c;
  if (!cur.digits(4, c.year) || !cur.eat('-') || !cur.digits(2, c.month) || !cur.eat('-') ||
      !cur.digits(2, c.day))
    return std::nullopt;
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31) return std::nullopt;
  if (cur.eat('T') || cur.eat('t') || cur.eat(' ')) {
    if (!cur.digits(2, c.hour) || !cur.eat(':') || !cur.digits(2, c.minute)) return std::nullopt;
    if (cur.eat(':') && !cur.digits(2, c.second)) return std::nullopt;
    if (!parse_fraction(cur, c.usec)) return std::nullopt;
    if (c.hour > 23 || c.minute > 59 || c.second > 60) return std::nullopt;
  }
  long offset = 0;
  bool ok = true;
  const bool has_offset = parse_offset(cur, offset, ok);
  if (!ok) return std::nullopt;
  while (!cur.done() && cur.peek() == ' ') ++cur.i;
  if (!cur.done()) return std::nullopt;
  if (has_offset) return usec_from_civil_utc(c) - static_cast<UsecUtc>(offset) * usec_per_sec;
  return zone.to_utc(c);
}

static std::optional<double> unit_seconds(std::string_view u) {
  if (u == "s" || u == "sec" || u == "secs" || u == "second" || u == "seconds") return 1;
  if (u == "m" || u == "min" || u == "mins" || u == "minute" || u == "minutes") return 60;
  if (u == "h" || u == "hour" || u == "hours") return 3600;
  if (u == "d" || u == "day" || u == "days") return 86400;
  if (u == "w" || u == "week" || u == "weeks") return 7 * 86400;
  if (u == "ms" || u == "msec") return 1e-3;
  if (u == "us" || u == "usec") return 1e-6;
  return std::nullopt;
}

std::optional<double> parse_duration_seconds(std::string_view s) {
  s = trim(s);
  size_t i = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
  if (i == 0) return std::nullopt;
  double v = 0;
  if (!parse_double(s.substr(0, i), v)) return std::nullopt;
  std::string_view unit = trim(s.substr(i));
  if (unit.empty()) return v;
  auto mul = unit_seconds(unit);
  if (!mul) return std::nullopt;
  return v * *mul;
}

std::optional<UsecUtc> parse_time_spec(std::string_view s, const Zone& zone, UsecUtc now) {
  s = trim(s);
  if (s.empty()) return std::nullopt;
  if (s == "now") return now;
  const CivilTime local_now =
      civil_from_usec(now + static_cast<UsecUtc>(zone.offset_at(now)) * usec_per_sec);
  auto midnight = [&](int day_delta) {
    CivilTime c = local_now;
    c.hour = c.minute = c.second = c.usec = 0;
    const auto days = days_from_civil(c.year, c.month, c.day) + day_delta;
    CivilTime d = civil_from_usec(days * 86400 * usec_per_sec);
    return zone.to_utc(d);
  };
  if (s == "today") return midnight(0);
  if (s == "yesterday") return midnight(-1);
  if (s == "tomorrow") return midnight(1);
  if (s.front() == '-' || s.front() == '+') {
    auto secs = parse_duration_seconds(s.substr(1));
    if (!secs) return std::nullopt;
    const auto delta = static_cast<UsecUtc>(*secs * usec_per_sec);
    return s.front() == '-' ? now - delta : now + delta;
  }
  if (s.size() > 4 && ends_with(s, " ago")) {
    auto secs = parse_duration_seconds(s.substr(0, s.size() - 4));
    if (!secs) return std::nullopt;
    return now - static_cast<UsecUtc>(*secs * usec_per_sec);
  }
  if (auto t = parse_iso8601(s, zone)) return t;
  // Time of day only: "09:00", "09:22:04".
  Cursor cur{s};
  CivilTime c = local_now;
  c.second = c.usec = 0;
  if (cur.digits(2, c.hour) && cur.eat(':') && cur.digits(2, c.minute)) {
    if (cur.eat(':') && !cur.digits(2, c.second)) return std::nullopt;
    if (cur.done() && c.hour < 24 && c.minute < 60) return zone.to_utc(c);
  }
  return std::nullopt;
}

// The one place crashsift reads the clock. CRASHSIFT_NOW pins it (tests, reproducible runs):
// an RFC 3339 time with its offset, or seconds since the epoch as "@1700000000".
std::optional<UsecUtc> pinned_now(const char* value) {
  if (!value || !*value) return std::nullopt;
  std::string_view v = trim(std::string_view(value));
  if (!v.empty() && v.front() == '@') {
    double secs = 0;
    if (!parse_double(v.substr(1), secs)) return std::nullopt;
    return static_cast<UsecUtc>(secs * usec_per_sec);
  }
  return parse_iso8601(v, Zone::utc());
}

UsecUtc now_usec() {
  static const std::optional<UsecUtc> pinned = pinned_now(std::getenv("CRASHSIFT_NOW"));
  if (pinned) return *pinned;
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return static_cast<UsecUtc>(tv.tv_sec) * usec_per_sec + tv.tv_usec;
}

std::string format_duration(double seconds) {
  char buf[48];
  const double a = seconds < 0 ? -seconds : seconds;
  const char* sign = seconds < 0 ? "-" : "";
  if (a < 1) {
    std::snprintf(buf, sizeof buf, "%s%.0f ms", sign, a * 1000);
  } else if (a < 60) {
    std::snprintf(buf, sizeof buf, "%s%.1f s", sign, a);
  } else if (a < 3600) {
    std::snprintf(buf, sizeof buf, "%s%d min %d s", sign, static_cast<int>(a) / 60,
                  static_cast<int>(a) % 60);
  } else if (a < 86400) {
    std::snprintf(buf, sizeof buf, "%s%d h %d min", sign, static_cast<int>(a) / 3600,
                  static_cast<int>(a) % 3600 / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%s%d d %d h", sign, static_cast<int>(a) / 86400,
                  static_cast<int>(a) % 86400 / 3600);
  }
  return buf;
}

std::optional<long> zone_abbreviation_offset(std::string_view z) {
  if (!z.empty() && (z[0] == '+' || z[0] == '-')) {
    std::string_view d = z.substr(1);
    std::string digits;
    for (char c : d) {
      if (c == ':') continue;
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      digits.push_back(c);
    }
    if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
    const long h = std::stol(digits.substr(0, 2)), m = digits.size() == 4 ? std::stol(digits.substr(2)) : 0;
    if (h > 14 || m > 59) return std::nullopt;
    const long off = h * 3600 + m * 60;
    return z[0] == '-' ? -off : off;
  }
  static constexpr std::pair<std::string_view, long> known[] = {
      {"UTC", 0},          {"GMT", 0},          {"Z", 0},            {"WET", 0},
      {"WEST", 3600},      {"BST", 3600},       {"CET", 3600},       {"CEST", 7200},
      {"MET", 3600},       {"MEST", 7200},      {"EET", 7200},       {"EEST", 10800},
      {"MSK", 10800},      {"JST", 9 * 3600},   {"KST", 9 * 3600},   {"HKT", 8 * 3600},
      {"SGT", 8 * 3600},   {"AWST", 8 * 3600},  {"AEST", 10 * 3600}, {"AEDT", 11 * 3600},
      {"ACST", 34200},     {"ACDT", 37800},     {"NZST", 12 * 3600}, {"NZDT", 13 * 3600},
      {"EST", -5 * 3600},  {"EDT", -4 * 3600},  {"CST", -6 * 3600},  {"CDT", -5 * 3600},
      {"MST", -7 * 3600},  {"MDT", -6 * 3600},  {"PST", -8 * 3600},  {"PDT", -7 * 3600},
      {"AKST", -9 * 3600}, {"AKDT", -8 * 3600}, {"HST", -10 * 3600}, {"NST", -12600},
      {"NDT", -9000},      {"AST", -4 * 3600},  {"ADT", -3 * 3600}};
  for (const auto& [name, off] : known)
    if (z == name) return off;
  return std::nullopt;
}

}  // namespace crashsift
