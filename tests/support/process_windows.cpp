// mmf tests — child processes and native files on Windows: CreateProcessW with anonymous pipes for
// stdin and stdout, TerminateProcess for kill(). Also runs under Wine.
#include <windows.h>

#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

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

struct child_process::impl {
  HANDLE process = nullptr;
  DWORD pid = 0;
  HANDLE stdin_w = nullptr;   // our end of the child's stdin
  HANDLE stdout_r = nullptr;  // our end of the child's stdout
  std::string buffer;         // bytes read from stdout but not yet returned as a line
  bool reaped = false;
  int status = 0;

  ~impl() {
    if (!reaped && process != nullptr) {
      ::TerminateProcess(process, 1);
      reap(true);
    }
    close(stdin_w);
    close(stdout_r);
    close(process);
  }

  static void close(HANDLE& h) noexcept {
    if (h != nullptr && h != INVALID_HANDLE_VALUE) ::CloseHandle(h);
    h = nullptr;
  }

  bool reap(bool block) noexcept {
    if (reaped) return true;
    if (::WaitForSingleObject(process, block ? INFINITE : 0) != WAIT_OBJECT_0) return false;
    DWORD code = 0;
    ::GetExitCodeProcess(process, &code);
    reaped = true;
    status = static_cast<int>(code);
    return true;
  }
};

child_process::child_process() noexcept = default;
child_process::child_process(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
child_process::child_process(child_process&&) noexcept = default;
child_process& child_process::operator=(child_process&&) noexcept = default;
child_process::~child_process() = default;

std::int64_t child_process::id() const noexcept {
  return impl_ ? static_cast<std::int64_t>(impl_->pid) : -1;
}

// Anonymous pipes cannot be waited on with a timeout, so the pipe is polled with PeekNamedPipe.
std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
  if (!impl_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (const auto nl = impl_->buffer.find('\n'); nl != std::string::npos) {
      std::string line = impl_->buffer.substr(0, nl);
      impl_->buffer.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();  // the child's text-mode stdout
      return line;
    }
    if (impl_->stdout_r == nullptr) return std::nullopt;
    DWORD available = 0;
    if (!::PeekNamedPipe(impl_->stdout_r, nullptr, 0, nullptr, &available, nullptr)) {
      // ERROR_BROKEN_PIPE: the child closed stdout or ended. A last line without '\n' is
      // still returned.
      impl::close(impl_->stdout_r);
      if (impl_->buffer.empty()) return std::nullopt;
      std::string line = std::move(impl_->buffer);
      impl_->buffer.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (available == 0) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      ::Sleep(1);
      continue;
    }
    char chunk[4096];
    DWORD n = 0;
    const DWORD want = available < sizeof chunk ? available : static_cast<DWORD>(sizeof chunk);
    if (!::ReadFile(impl_->stdout_r, chunk, want, &n, nullptr) || n == 0) {
      impl::close(impl_->stdout_r);
      continue;
    }
    impl_->buffer.append(chunk, n);
  }
}

bool child_process::write_line(std::string_view line) {
  if (!impl_ || impl_->stdin_w == nullptr) return false;
  std::string data(line);
  data.push_back('\n');
  std::size_t done = 0;
  while (done < data.size()) {
    DWORD n = 0;
    if (!::WriteFile(impl_->stdin_w, data.data() + done, static_cast<DWORD>(data.size() - done), &n,
                     nullptr))
      return false;  // ERROR_NO_DATA / ERROR_BROKEN_PIPE: the child is gone
    done += n;
  }
  return true;
}

void child_process::close_stdin() noexcept {
  if (impl_) impl::close(impl_->stdin_w);
}

int child_process::wait() {
  if (!impl_) throw std::logic_error("child_process::wait on an empty object");
  impl_->reap(true);
  return impl_->status;
}

std::optional<int> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (!impl_) throw std::logic_error("child_process::wait_for on an empty object");
  if (wait_until([this] { return impl_->reap(false); }, timeout)) return impl_->status;
  return std::nullopt;
}

// TerminateProcess is Windows' SIGKILL: the process ends at once, its handles are closed by the
// kernel and a mutex it owned is abandoned.
void child_process::kill() noexcept {
  if (!impl_ || impl_->reaped) return;
  ::TerminateProcess(impl_->process, 1);
  ::WaitForSingleObject(impl_->process, INFINITE);
  impl_->reaped = true;
  impl_->status = killed_status;
}

child_process spawn_helper(std::vector<std::string> args) {
  const std::wstring program = mmf::win32::program_path(helper_path());
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
                            "spawn_helper: CreateProcessW " + helper_path().string());
  }

  auto p = std::make_unique<child_process::impl>();
  p->process = started.process;
  p->pid = started.id;
  p->stdin_w = stdin_w;
  p->stdout_r = stdout_r;
  return child_process(std::move(p));
}

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
