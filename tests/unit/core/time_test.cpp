#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "crashsift/core/time.hpp"

using namespace crashsift;

TEST_CASE("RFC 3339 UTC with microseconds and Z") {
  CHECK(format_rfc3339_utc(1795420661617199) == "2026-11-23T07:57:41.617199Z");
  CHECK(format_rfc3339_utc(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_rfc3339_utc(-1) == "1969-12-31T23:59:59.999999Z");
}

TEST_CASE("times written digit by digit equal printf's, including years beyond four digits") {
  auto printf_utc = [](UsecUtc t) {
    const CivilTime c = civil_from_usec(t);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month, c.day, c.hour, c.minute,
                  c.second, c.usec);
    return std::string(buf);
  };
  auto printf_zone = [](UsecUtc t, const Zone& z, bool usec) {
    const CivilTime c = civil_from_usec(t + static_cast<UsecUtc>(z.offset_at(t)) * usec_per_sec);
    char buf[64];
    if (usec)
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", c.year, c.month, c.day, c.hour, c.minute,
                    c.second, c.usec);
    else
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second);
    return std::string(buf);
  };
  const Zone zones[] = {Zone::utc(), Zone("Asia/Tokyo"), Zone("Pacific/Kiritimati"), Zone("America/St_Johns")};
  std::vector<UsecUtc> times = {0, -1, 1, 1795420661617199, -62167219200000000 /* year 0 */,
                                -62167219200000001 /* year -1 */, 253402300799999999 /* 9999-12-31 */,
                                253402300800000000 /* year 10000 */, 951782400000000 /* 2000-02-29 */};
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 2000; ++i) {  // spread over years 1900..2100
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    times.push_back(-2208988800000000 + static_cast<UsecUtc>(x % 6311390400000000ULL));
  }
  for (const UsecUtc t : times) {
    CAPTURE(t);
    CHECK(format_rfc3339_utc(t) == printf_utc(t));
    for (const Zone& z : zones)
      for (bool usec : {false, true}) CHECK(format_in_zone(t, z, usec) == printf_zone(t, z, usec));
  }
}

TEST_CASE("ISO 8601 with offsets, fractions and zones") {
  const Zone utc = Zone::utc();
  CHECK(parse_iso8601("2026-11-23T07:57:41.617199+0000", utc) == 1795420661617199);
  CHECK(parse_iso8601("2026-11-23T16:57:41.617199+09:00", utc) == 1795420661617199);
  CHECK(parse_iso8601("2026-11-23 07:57:41Z", utc) == 1795420661000000);
  CHECK(parse_iso8601("2026-11-23", utc) == 1795392000000000);
  CHECK_FALSE(parse_iso8601("2026-13-01", utc));
  CHECK_FALSE(parse_iso8601("yesterday", utc));
  const Zone tokyo("Asia/Tokyo");
  CHECK(parse_iso8601("2026-06-28 09:22:04", tokyo) == parse_iso8601("2026-06-28T00:22:04Z", utc));
  CHECK(format_in_zone(*parse_iso8601("2026-06-28T00:22:04Z", utc), tokyo) == "2026-06-28 09:22:04");
}

TEST_CASE("--since/--until specs: relative, time of day, words") {
  const Zone utc = Zone::utc();
  const UsecUtc now = 1795420661000000;  // 2026-11-23T07:57:41Z
  CHECK(parse_time_spec("-2h", utc, now) == now - 7200 * usec_per_sec);
  CHECK(parse_time_spec("30min ago", utc, now) == now - 1800 * usec_per_sec);
  CHECK(parse_time_spec("09:00", utc, now) == *parse_iso8601("2026-11-23T09:00:00Z", utc));
  CHECK(parse_time_spec("today", utc, now) == *parse_iso8601("2026-11-23T00:00:00Z", utc));
  CHECK(parse_time_spec("yesterday", utc, now) == *parse_iso8601("2026-11-22T00:00:00Z", utc));
  CHECK_FALSE(parse_time_spec("soon", utc, now));
}

TEST_CASE("--since/--until specs in a zone ahead of UTC by 14 h: 'today' is the zone's day") {
  const Zone kiritimati("Pacific/Kiritimati");       // UTC+14, no DST
  const UsecUtc now = 1795420661000000;             // 2026-11-23T07:57:41Z = 21:57:41 local
  const Zone utc = Zone::utc();
  CHECK(parse_time_spec("today", kiritimati, now) == *parse_iso8601("2026-11-22T10:00:00Z", utc));
  CHECK(parse_time_spec("09:00", kiritimati, now) == *parse_iso8601("2026-11-22T19:00:00Z", utc));
  const Zone st_johns("America/St_Johns");          // UTC-3:30 in November
  CHECK(parse_time_spec("yesterday", st_johns, now) == *parse_iso8601("2026-11-22T03:30:00Z", utc));
}

TEST_CASE("the one clock seam: CRASHSIFT_NOW pins now") {
  CHECK(pinned_now("2028-02-29T12:00:00Z") == *parse_iso8601("2028-02-29T12:00:00Z", Zone::utc()));
  CHECK(pinned_now("2026-12-31T23:59:59+09:00") == *parse_iso8601("2026-12-31T14:59:59Z", Zone::utc()));
  CHECK(pinned_now("@1795420661") == 1795420661000000);
  CHECK_FALSE(pinned_now(nullptr));
  CHECK_FALSE(pinned_now(""));
  CHECK_FALSE(pinned_now("someday"));
}
