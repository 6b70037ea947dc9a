// mmf example — a managed_segment shared by two processes (the reader half).
//
// Waits for "Inventory.ready", opens the segment "Inventory" (mapped at its own address: the
// containers inside link their elements with offset_ptr), and under the named_mutex
// "Inventory.lock" reads the records, sells 3 pears and adds a record for cherries (its memory
// comes from the segment's heap, through the containers' segment_allocator). Then it signals
// "Inventory.updated" for the writer (segment_inventory_writer).
#include <exception>
#include <iostream>
#include <mutex>

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
    example::wait_for_partner(ready, "start segment_inventory_writer");
    auto seg = mmf::managed_segment::open_existing(segment_name);
    {
      std::lock_guard guard(lock);
      auto* items = seg.find<records>("records");
      auto* index = seg.find<by_name>("by_name");
      if (items == nullptr || index == nullptr) {
        std::cerr << "segment_inventory_reader: the writer's containers are missing\n";
        return 1;
      }
      std::cout << "reader: " << items->size() << " records, " << index->size() << " names"
                << std::endl;
      (*items)[index->find(std::string_view("pears"))->second].quantity -= 3;
      items->push_back(record{4, 5, 4.25});
      index->insert(shm_string("cherries", seg.get_allocator<char>()), items->size() - 1);
      std::cout << "reader: sold 3 pears, added cherries" << std::endl;
    }
    updated.set();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "segment_inventory_reader: " << e.what() << '\n';
    return 1;
  }
}
