// mmf — facts about the system's virtual memory.
#pragma once

#include <cstddef>

#include <mmf/export.hpp>

namespace mmf {

// The size of a virtual-memory page (4096 on x86-64 Linux and Windows).
MMF_API std::size_t page_size() noexcept;

// The granularity at which views may start in the backing object: the page size on POSIX,
// 64 KiB on Windows. view_accessor::pointer_offset() is a view's offset modulo this value.
MMF_API std::size_t allocation_granularity() noexcept;

}  // namespace mmf
