// mmf tool and tests — starting a program on Windows, written once for the tool's run_program
// (tools/mmf/platform_windows.cpp), the tests' child processes (tests/support/process_windows.cpp)
// and the examples test (tests/windows/examples_test.cpp): the command line quoted the way the C
// runtime parses it back, a program path CreateProcessW accepts (also for a Unix path under Wine),
// and CreateProcessW with the child's standard handles.
//
// Header-only and Windows-only. Not part of the library and never installed: the targets that use
// it link mmf_tools_common (tools/common/CMakeLists.txt), which also gives them the build's
// WIN32_LEAN_AND_MEAN and NOMINMAX (cmake/MmfWindows.cmake).
#pragma once

#include <windows.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mmf::win32 {

// Appends `arg` to `line` as one argument that CommandLineToArgvW and the C runtime parse back to
// `arg`: as it is when it has no blank and no quote, otherwise in quotes, with its backslashes
// literal except before a quote (there they are doubled, and the quote escaped).
inline void append_argument(std::wstring& line, std::wstring_view arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring_view::npos) {
    line += arg;
    return;
  }
  line += L'"';
  std::size_t backslashes = 0;
  for (const wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"')
      line.append(backslashes * 2 + 1, L'\\');
    else
      line.append(backslashes, L'\\');
    backslashes = 0;
    line += c;
  }
  line.append(backslashes * 2, L'\\');
  line += L'"';
}

// `program` and then each of `args`, each one quoted by append_argument, separated by spaces.
inline std::wstring command_line(std::wstring_view program, const std::vector<std::wstring>& args) {
  std::wstring line;
  append_argument(line, program);
  for (const std::wstring& arg : args) {
    line += L' ';
    append_argument(line, arg);
  }
  return line;
}

// `p` as CreateProcessW takes it. A path compiled in by CMake is a Unix path
// (/home/me/mmf/build/...) in a cross build run under Wine: Wine's own wine_get_dos_file_name
// turns it into a DOS path (Z:\home\me\mmf\build\...). On Windows that export does not exist and
// the path is used as it is.
inline std::wstring program_path(const std::filesystem::path& p) {
  const std::string s = p.string();
  if (!s.empty() && s.front() == '/') {
    using convert_fn = WCHAR*(CDECL*)(LPCSTR);
    const auto convert = reinterpret_cast<convert_fn>(reinterpret_cast<void*>(
        ::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name")));
    if (convert != nullptr) {
      if (WCHAR* dos = convert(s.c_str())) {
        std::wstring result(dos);
        ::HeapFree(::GetProcessHeap(), 0, dos);
        return result;
      }
    }
  }
  return p.wstring();
}

// The standard handles a child is given; each must be inheritable (or nullptr: none).
struct standard_handles {
  HANDLE input = nullptr;
  HANDLE output = nullptr;
  HANDLE error = nullptr;
};

// A started child: its process handle (the caller's to close) and id.
struct started_process {
  HANDLE process = nullptr;
  DWORD id = 0;
};

// Starts `program` (a path as program_path gives it) with `args` (argv[1..]) in `directory` (empty:
// ours). With `io`, the child's standard handles are those; without, it shares ours. Handles are
// inherited (bInheritHandles: TRUE), as exec() keeps descriptors without FD_CLOEXEC: the handles
// made inheritable reach the child, the others do not. Returns ERROR_SUCCESS and the child in
// `started` (the handle of its first thread is closed already), or CreateProcessW's error, with
// `started` untouched.
inline DWORD start_process(const std::wstring& program, const std::vector<std::wstring>& args,
                           const standard_handles* io, const std::wstring& directory,
                           started_process& started) {
  std::wstring line = command_line(program, args);
  STARTUPINFOW si{};
  si.cb = sizeof si;
  if (io != nullptr) {
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = io->input;
    si.hStdOutput = io->output;
    si.hStdError = io->error;
  }
  PROCESS_INFORMATION pi{};
  if (!::CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, TRUE, 0, nullptr,
                        directory.empty() ? nullptr : directory.c_str(), &si, &pi))
    return ::GetLastError();
  ::CloseHandle(pi.hThread);
  started.process = pi.hProcess;
  started.id = pi.dwProcessId;
  return ERROR_SUCCESS;
}

}  // namespace mmf::win32
