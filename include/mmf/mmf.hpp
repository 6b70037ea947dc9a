// mmf — memory-mapped files and shared-memory IPC for C++20. The umbrella header.
#pragma once

#include <mmf/access.hpp>
#include <mmf/error.hpp>
#include <mmf/managed_segment.hpp>
#include <mmf/memory_mapped_file.hpp>
#include <mmf/message_queue.hpp>
#include <mmf/named_event.hpp>
#include <mmf/named_mutex.hpp>
#include <mmf/named_semaphore.hpp>
#include <mmf/objects.hpp>
#include <mmf/offset_ptr.hpp>
#include <mmf/segment_allocator.hpp>
#include <mmf/shared_map.hpp>
#include <mmf/shared_unordered_map.hpp>
#include <mmf/system.hpp>
#include <mmf/version.hpp>
#include <mmf/view_accessor.hpp>
#include <mmf/view_stream.hpp>
#include <mmf/wait.hpp>
