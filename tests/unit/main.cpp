// The unit tests' main: the zone the suite runs in is TZ=CRASHSIFT_TEST_TZ (default UTC), so the
// suite can be run in any zone (`CRASHSIFT_TEST_TZ=Pacific/Kiritimati ctest`); tests whose
// expectation depends on the local zone compute it for the zone in force.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

int main(int argc, char** argv) {
  const char* zone = std::getenv("CRASHSIFT_TEST_TZ");
  setenv("TZ", zone && *zone ? zone : "UTC", 1);
  tzset();
  doctest::Context context(argc, argv);
  return context.run();
}
