// Figure (a benchmark, not a test): the cost of one synchronous C ABI call from C++, the floor
// under every binding. Two calls: etrid_version (no handle, returns a static string) and
// etrid_client_pending (checks the handle against the live registry, locks the client's state).
// Built with -O2 and run by plugins/unity/tools/figures.sh; prints ns per call, best of 5 runs.
#include <etrid.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace {

constexpr int kCalls = 5'000'000;
constexpr int kRuns = 5;

template <typename Call>
double NanosPerCall(Call call) {
  double best = 1e18;
  for (int run = 0; run < kRuns; run++) {
    auto start = std::chrono::steady_clock::now();
    uint64_t sink = 0;
    for (int i = 0; i < kCalls; i++) sink += call();
    auto elapsed = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    if (sink == 42) std::puts("");  // keeps the calls from being optimised away
    best = std::min(best, elapsed / kCalls);
  }
  return best;
}

}  // namespace

int main() {
  EtridClient* client = nullptr;
  const char* config = "{\"base_url\":\"http://127.0.0.1:9\",\"api_key\":\"etrid_inv_figures\",\"network\":\"regtest\"}";
  if (etrid_client_new(config, &client) != ETRID_STATUS_OK) {
    std::fprintf(stderr, "etrid_client_new: %s\n", etrid_last_error_message());
    return 1;
  }
  std::printf("C ABI call from C++, etrid_version:        %.1f ns\n",
              NanosPerCall([] { return reinterpret_cast<uintptr_t>(etrid_version()); }));
  std::printf("C ABI call from C++, etrid_client_pending: %.1f ns\n",
              NanosPerCall([client] { return static_cast<uint64_t>(etrid_client_pending(client)); }));
  etrid_client_free(client);
  return 0;
}
