// mmf example — a managed_segment shared by two processes (the writer half).
//
// Creates the segment "Inventory" (1 MiB), builds in it a vector of records and a string-keyed
// hash map (item name → record index), then signals "Inventory.ready" and waits until the reader
// (segment_inventory_reader) has updated them ("Inventory.updated"), and prints what it finds.
// Both processes take the named_mutex "Inventory.lock" around every use of the containers: the
// segment keeps its own heap safe, the containers are the program's to synchronise.
#include <exception>
#include <iostream>
#include <mutex>
#include <string_view>

#include <mmf/managed_segment.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>

#include "example_support.hpp"
#include "segment_inventory.hpp"

int main() {
  try {
    using namespace inventory;
    auto lock = mmf::named_mutex::create_or_open(lock_name);
    auto ready = mmf::named_event::create_or_open(ready_name, mmf::event_reset::manual);
    auto updated = mmf::named_event::create_or_open(updated_name, mmf::event_reset::manual);
    auto seg = mmf::managed_segment::create_new(segment_name, 1 << 20);
    {
      std::lock_guard guard(lock);
      auto* items = seg.construct<records>("records", seg.get_allocator<record>());
      auto* index = seg.construct<by_name>("by_name", seg.get_allocator<char>());
      const char* names[] = {"apples", "pears", "plums"};
      for (std::uint32_t i = 0; i < 3; ++i) {
        items->push_back(record{i + 1, 10 * (i + 1), 0.5 + i});
        index->insert(shm_string(names[i], seg.get_allocator<char>()), i);
      }
      std::cout << "writer: built " << items->size() << " records" << std::endl;
    }
    ready.set();
    example::wait_for_partner(updated, "start segment_inventory_reader");
    std::lock_guard guard(lock);
    auto* items = seg.find<records>("records");
    auto* index = seg.find<by_name>("by_name");
    for (std::string_view name : {"apples", "pears", "plums", "cherries"}) {
      auto it = index->find(name);
      if (it == index->end()) continue;
      const record& r = (*items)[it->second];
      std::cout << "writer: " << name << " id " << r.id << " quantity " << r.quantity << std::endl;
    }
    const auto check = seg.check();
    std::cout << "writer: heap " << (check.ok ? "consistent" : check.problem) << std::endl;
    return check.ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "segment_inventory_writer: " << e.what() << '\n';
    return 1;
  }
}
