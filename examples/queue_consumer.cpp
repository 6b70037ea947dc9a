// mmf example (g), the consumer: takes jobs from the message queue "DemoJobs" until the
// producer's "done", reading each in place (zero-copy) and checking its number and checksum.
#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <string_view>

#include <mmf/message_queue.hpp>

#include "example_support.hpp"
#include "queue_job.hpp"

int main() {
  try {
    auto jobs = mmf::message_queue::create_or_open("DemoJobs", 8, 64);
    std::uint32_t received = 0, in_order = 0, intact = 0;
    for (;;) {
      auto m = jobs.receive_in_place_for(example::partner_timeout);
      if (!m) {
        std::cerr << "timed out after 60 s: start queue_producer\n";
        return 1;
      }
      const auto bytes = m.bytes();
      if (std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()) == "done")
        break;
      example::job j{};
      if (bytes.size() != sizeof j) {
        std::cerr << "queue_consumer: a message of " << bytes.size() << " bytes\n";
        return 1;
      }
      std::memcpy(&j, bytes.data(), sizeof j);
      m.release();  // the slot is free for the producer again
      if (j.number == received) ++in_order;
      if (j.checksum == example::checksum_of(j)) ++intact;
      ++received;
    }
    std::cout << "consumer: received " << received << " jobs, " << in_order << " in order, "
              << intact << " intact, then \"done\"\n";
    return received == example::job_count && in_order == received && intact == received ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "queue_consumer: " << e.what() << '\n';
    return 1;
  }
}
