// mmf tests — the Windows side of the support library: child processes (CreateProcessW with
// anonymous pipes for stdin and stdout, TerminateProcess for kill(); support/child_process_os.hpp),
// native files, the probes of what the file system enforces. Also runs under Wine.
#include <windows.h>

#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "support/child_process_os.hpp"
#include "support/test_support.hpp"
#include "win32_process.hpp"

namespace mmf_test {

namespace detail {
std::int64_t current_process_id() noexcept {
  return static_cast<std::int64_t>(::GetCurrentProcessId());
}
}  // namespace detail

// On Windows a read-only file (what std::filesystem::permissions without write bits makes) cannot
// be opened for writing, even by an administrator. Wine run as root opens it anyway (Wine maps the
// read-only attribute to the Unix mode bits, which root ignores). So this asks the file system
// once: a read-only scratch file that opens for writing means permissions are bypassed.
bool os_bounds_openers_by_creator_access() {
  static const bool bounded = [] {
    const std::string name = unique_name("probe_ro");
    const std::wstring wide(name.begin(), name.end());
    HANDLE section =
        ::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READONLY, 0, 4096, wide.c_str());
    if (section == nullptr) return true;
    bool refused = true;
    if (HANDLE opened = ::OpenFileMappingW(FILE_MAP_WRITE, FALSE, wide.c_str())) {
      void* view = ::MapViewOfFile(opened, FILE_MAP_WRITE, 0, 0, 0);
      if (view != nullptr) ::UnmapViewOfFile(view);
      refused = view == nullptr;
      ::CloseHandle(opened);
    }
    ::CloseHandle(section);
    return refused;
  }();
  return bounded;
}

bool bypasses_file_permissions() {
  static const bool bypass = [] {
    wchar_t dir[MAX_PATH + 1];
    wchar_t file[MAX_PATH + 1];
    if (::GetTempPathW(MAX_PATH, dir) == 0 || ::GetTempFileNameW(dir, L"mmf", 0, file) == 0)
      return false;
    ::SetFileAttributesW(file, FILE_ATTRIBUTE_READONLY);
    HANDLE h = ::CreateFileW(file, GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    const bool opened = h != INVALID_HANDLE_VALUE;
    if (opened) ::CloseHandle(h);
    ::SetFileAttributesW(file, FILE_ATTRIBUTE_NORMAL);
    ::DeleteFileW(file);
    return opened;
  }();
  return bypass;
}

namespace {

[[noreturn]] void throw_last_error(const std::string& what) {
  throw std::system_error(static_cast<int>(::GetLastError()), std::system_category(), what);
}

std::wstring widen(const std::string& s) {
  if (s.empty()) return {};
  const int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

// Pipe ends meant for one child are inheritable from their creation until CreateProcessW returns;
// a child started meanwhile by another thread would inherit them too (and keep our pipes open).
// Spawning one child at a time closes that window for children started by this library.
std::mutex spawn_mutex;

}  // namespace

// ---- Child processes: the OS side of child_process ----------------------------------------------

namespace detail {

struct os_child {
  HANDLE process = nullptr;
  DWORD pid = 0;
  HANDLE stdin_w = nullptr;   // our end of the child's stdin
  HANDLE stdout_r = nullptr;  // our end of the child's stdout

  static void close(HANDLE& h) noexcept {
    if (h != nullptr && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
    h = nullptr;
  }
};

void os_child_deleter::operator()(os_child* child) const noexcept {
  os_child::close(child->stdin_w);
  os_child::close(child->stdout_r);
  os_child::close(child->process);
  delete child;
}

std::int64_t child_id(const os_child& child) noexcept {
  return static_cast<std::int64_t>(child.pid);
}

// Anonymous pipes cannot be waited on with a timeout, so the pipe is polled with PeekNamedPipe.
std::ptrdiff_t read_some(os_child& child, char* buffer, std::size_t size,
                         std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    if (child.stdout_r == nullptr) return 0;
    DWORD available = 0;
    if (!::PeekNamedPipe(child.stdout_r, nullptr, 0, nullptr, &available, nullptr)) {
      // ERROR_BROKEN_PIPE: the child closed stdout or ended.
      os_child::close(child.stdout_r);
      return 0;
    }
    if (available == 0) {
      if (std::chrono::steady_clock::now() >= deadline) return -1;
      ::Sleep(1);
      continue;
    }
    const DWORD want = available < size ? available : static_cast<DWORD>(size);
    DWORD n = 0;
    if (!::ReadFile(child.stdout_r, buffer, want, &n, nullptr) || n == 0) {
      os_child::close(child.stdout_r);
      return 0;
    }
    return static_cast<std::ptrdiff_t>(n);
  }
}

bool write_all(os_child& child, std::string_view data) {
  if (child.stdin_w == nullptr) return false;
  std::size_t done = 0;
  while (done < data.size()) {
    DWORD n = 0;
    if (!::WriteFile(child.stdin_w, data.data() + done, static_cast<DWORD>(data.size() - done), &n,
                     nullptr))
      return false;  // ERROR_NO_DATA / ERROR_BROKEN_PIPE: the child is gone
    done += n;
  }
  return true;
}

void close_stdin(os_child& child) noexcept {
  os_child::close(child.stdin_w);
}

// A blocking wait ends only with the child (a failed wait of a handle that is not a process
// cannot happen here), so with `block` there is always a status.
std::optional<int> reap(os_child& child, bool block) noexcept {
  if (::WaitForSingleObject(child.process, block ? INFINITE : 0) != WAIT_OBJECT_0 && !block)
    return std::nullopt;
  DWORD code = 0;
  ::GetExitCodeProcess(child.process, &code);
  return static_cast<int>(code);
}

// TerminateProcess is Windows' SIGKILL: the process ends at once, its handles are closed by the
// kernel and a mutex it owned is abandoned.
int kill_and_reap(os_child& child) noexcept {
  ::TerminateProcess(child.process, 1);
  ::WaitForSingleObject(child.process, INFINITE);
  return child_process::killed_status;
}

os_child_ptr start_child(const std::filesystem::path& program_path, std::vector<std::string> args) {
  const std::wstring program = mmf::win32::program_path(program_path);
  std::vector<std::wstring> wide_args;
  for (const auto& a : args)
    wide_args.push_back(widen(a));

  std::lock_guard<std::mutex> lock(spawn_mutex);
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE stdin_r = nullptr;
  HANDLE stdin_w = nullptr;
  HANDLE stdout_r = nullptr;
  HANDLE stdout_w = nullptr;
  if (!::CreatePipe(&stdin_r, &stdin_w, &inheritable, 0)) throw_last_error("spawn_helper: pipe");
  if (!::CreatePipe(&stdout_r, &stdout_w, &inheritable, 0)) {
    ::CloseHandle(stdin_r);
    ::CloseHandle(stdin_w);
    throw_last_error("spawn_helper: pipe");
  }
  // Our ends stay in this process only.
  ::SetHandleInformation(stdin_w, HANDLE_FLAG_INHERIT, 0);
  ::SetHandleInformation(stdout_r, HANDLE_FLAG_INHERIT, 0);
  // The child's stderr is ours (so its diagnostics reach the test log), as an inheritable copy.
  HANDLE stderr_copy = nullptr;
  HANDLE our_stderr = ::GetStdHandle(STD_ERROR_HANDLE);
  if (our_stderr != nullptr && our_stderr != INVALID_HANDLE_VALUE)
    ::DuplicateHandle(::GetCurrentProcess(), our_stderr, ::GetCurrentProcess(), &stderr_copy, 0,
                      TRUE, DUPLICATE_SAME_ACCESS);

  // Handles a test made inheritable (inheritability::inheritable) reach the child, the others do
  // not (win32::start_process). Under Wine, CreateProcessW fails now and then with
  // ERROR_INTERNAL_ERROR when many processes are started and killed in a row (1 in a few
  // hundred); a missing or forbidden program fails for good. Transient failures are retried a few
  // times.
  const mmf::win32::standard_handles io{stdin_r, stdout_w, stderr_copy};
  mmf::win32::started_process started;
  DWORD error = ERROR_SUCCESS;
  for (int attempt = 0; attempt < 5; ++attempt) {
    error = mmf::win32::start_process(program, wide_args, &io, {}, started);
    if (error == ERROR_SUCCESS || error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
        error == ERROR_ACCESS_DENIED || error == ERROR_BAD_EXE_FORMAT)
      break;
    ::Sleep(50);
  }
  ::CloseHandle(stdin_r);
  ::CloseHandle(stdout_w);
  if (stderr_copy != nullptr) ::CloseHandle(stderr_copy);
  if (error != ERROR_SUCCESS) {
    ::CloseHandle(stdin_w);
    ::CloseHandle(stdout_r);
    throw std::system_error(static_cast<int>(error), std::system_category(),
                            "spawn_helper: CreateProcessW " + program_path.string());
  }

  os_child_ptr child(new os_child);
  child->process = started.process;
  child->pid = started.id;
  child->stdin_w = stdin_w;
  child->stdout_r = stdout_r;
  return child;
}

}  // namespace detail

// ---- Native handles -----------------------------------------------------------------------------

native_handle open_native_file(const std::filesystem::path& file, bool writable) {
  const DWORD want = GENERIC_READ | (writable ? GENERIC_WRITE : 0);
  HANDLE h =
      ::CreateFileW(file.c_str(), want, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                    nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) throw_last_error("open_native_file " + file.string());
  return h;
}

bool native_handle_is_open(native_handle handle) noexcept {
  DWORD flags = 0;
  return handle != nullptr && handle != INVALID_HANDLE_VALUE &&
         ::GetHandleInformation(handle, &flags) != 0;
}

void close_native_handle(native_handle handle) noexcept {
  if (handle != nullptr && handle != INVALID_HANDLE_VALUE) ::CloseHandle(handle);
}

std::uint64_t native_file_size(native_handle handle) {
  LARGE_INTEGER size{};
  if (!::GetFileSizeEx(handle, &size)) throw_last_error("native_file_size");
  return static_cast<std::uint64_t>(size.QuadPart);
}

// ReadFile with an OVERLAPPED offset on a synchronous handle moves the file pointer: it is put
// back.
std::string native_read_at(native_handle handle, std::uint64_t offset, std::size_t length) {
  LARGE_INTEGER zero{};
  LARGE_INTEGER saved{};
  if (!::SetFilePointerEx(handle, zero, &saved, FILE_CURRENT)) throw_last_error("native_read_at");
  std::string out(length, '\0');
  std::size_t done = 0;
  while (done < length) {
    OVERLAPPED at{};
    const std::uint64_t pos = offset + done;
    at.Offset = static_cast<DWORD>(pos & 0xFFFFFFFFu);
    at.OffsetHigh = static_cast<DWORD>(pos >> 32);
    const std::size_t left = length - done;
    const DWORD chunk = left > 0x10000000u ? 0x10000000u : static_cast<DWORD>(left);
    DWORD n = 0;
    if (!::ReadFile(handle, out.data() + done, chunk, &n, &at)) {
      if (::GetLastError() == ERROR_HANDLE_EOF) break;
      throw_last_error("native_read_at");
    }
    if (n == 0) break;
    done += n;
  }
  ::SetFilePointerEx(handle, saved, nullptr, FILE_BEGIN);
  out.resize(done);
  return out;
}

}  // namespace mmf_test
