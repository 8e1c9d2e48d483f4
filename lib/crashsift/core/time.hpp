#pragma once
// Time vocabulary: every timestamp inside crashsift is microseconds since the Unix epoch, UTC.
// Zones only matter at the edges: reading text timestamps that carry no offset, and writing
// text/Markdown for a person.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crashsift {

using UsecUtc = std::int64_t;
inline constexpr std::int64_t usec_per_sec = 1'000'000;

// Broken-down civil time (no zone attached).
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int usec = 0;
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_usec(UsecUtc t);
UsecUtc usec_from_civil_utc(const CivilTime& c);

// A time zone by IANA name ("Asia/Tokyo", "UTC") or POSIX TZ string. Conversions go through
// the C library (GCC 12 has no std::chrono::tzdb); the process TZ is switched on demand.
class Zone {
 public:
  Zone();                                 // the local zone (TZ env or /etc/localtime)
  explicit Zone(std::string name);        // "" = local
  static Zone utc() { return Zone("UTC"); }
  const std::string& name() const { return name_; }
  bool is_utc() const;
  // Offset from UTC in seconds at instant t.
  long offset_at(UsecUtc t) const;
  // Interpret a civil time as local time in this zone.
  UsecUtc to_utc(const CivilTime& local) const;
  // Zone abbreviation at t ("JST", "UTC").
  std::string abbreviation_at(UsecUtc t) const;

 private:
  void activate() const;
  std::string name_;
};

// Seconds east of UTC for a zone as systemd's "%Z" and pasted logs print it: a common
// abbreviation ("CEST", "JST", "PDT") or a numeric "+03" / "+0530" / "+05:30". Ambiguous
// abbreviations (IST) are not guessed: nullopt.
std::optional<long> zone_abbreviation_offset(std::string_view zone);

// "2026-11-23T07:57:41.617199Z" (always UTC, microseconds, Z): the JSON contract's form.
std::string format_rfc3339_utc(UsecUtc t);
// "2026-11-23 16:57:41" (+ ".617199" when with_usec) in the given zone.
std::string format_in_zone(UsecUtc t, const Zone& zone, bool with_usec = false);

// ISO-8601 / RFC 3339 parse: "2026-06-28T09:22:04Z", "2026-06-28 09:22:04.123+09:00",
// "2026-06-28T09:22:04+0900", "2026-06-28" (midnight). No offset: read in `zone`.
std::optional<UsecUtc> parse_iso8601(std::string_view s, const Zone& zone);

// A --since/--until value: ISO forms above, "09:00" (today in zone), "today", "yesterday",
// "now", relative "-2h", "-30min", "-1d", "+5m". `now` is injected for testability.
std::optional<UsecUtc> parse_time_spec(std::string_view s, const Zone& zone, UsecUtc now);

// The current time: the clock, or CRASHSIFT_NOW when set (RFC 3339 with offset, or "@EPOCH").
// Every "now" in crashsift goes through here, so a run can be pinned to a date.
UsecUtc now_usec();
// Parses a CRASHSIFT_NOW value; nullopt when unset or unreadable (then the clock is used).
std::optional<UsecUtc> pinned_now(const char* value);

// "2h", "30min", "1.5s", "10" (seconds) -> seconds.
std::optional<double> parse_duration_seconds(std::string_view s);

// "1h 2min", "2.5s", "12 s" style short duration for people.
std::string format_duration(double seconds);

}  // namespace crashsift
