// mmf example (g), the producer: sends 1000 jobs through the message queue "DemoJobs" (8 slots of
// 64 bytes, so it waits for the consumer, queue_consumer, whenever the queue is full), then a
// "done" message filled in place (a zero-copy loan). Start the two in either order: whichever
// comes first creates the queue.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <span>
#include <string>

#include <mmf/message_queue.hpp>

#include "example_support.hpp"
#include "queue_job.hpp"

int main() {
  try {
    auto jobs = mmf::message_queue::create_or_open("DemoJobs", 8, 64);
    for (std::uint32_t i = 0; i < example::job_count; ++i) {
      const example::job j = example::make_job(i);
      // Waits while the queue is full; the partner gets 60 s to show up.
      if (!jobs.send_for(std::as_bytes(std::span(&j, 1)), example::partner_timeout)) {
        std::cerr << "timed out after 60 s: start queue_consumer\n";
        return 1;
      }
    }
    auto last = jobs.loan_for(example::partner_timeout);
    if (!last) {
      std::cerr << "timed out after 60 s: queue_consumer stopped taking jobs\n";
      return 1;
    }
    std::memcpy(last.buffer().data(), "done", 4);
    last.publish(4);
    std::cout << "producer: sent " << example::job_count
              << " jobs through \"DemoJobs\" (8 slots of 64 bytes), then \"done\"\n";
    // The queue lives while someone holds it: the consumer does until it has read "done".
  } catch (const std::exception& e) {
    std::cerr << "queue_producer: " << e.what() << '\n';
    return 1;
  }
}
