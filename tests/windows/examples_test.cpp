// mmf tests (Windows) — the seed examples, run as separate processes the way mmf_demo runs them on
// POSIX (mmf_demo itself spawns with posix_spawn and is not built for Windows). The groups, and
// what each program must print, are mmf_demo's: examples/expected_output.hpp. Each group starts its
// programs together; every program must exit with 0 within two minutes, having printed its
// expected lines and nothing else.
//
// The examples are found next to the test helper: <build>/examples/<name>.exe. They are built by
// the default build target; a missing one fails the test (it is never skipped).
#include <windows.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "expected_output.hpp"
#include "support/test_support.hpp"
#include "win32_process.hpp"

namespace {

std::filesystem::path examples_dir() {
  return mmf_test::helper_path().parent_path().parent_path() / "examples";
}

struct running {
  std::string program;
  std::filesystem::path log;
  HANDLE process = nullptr;
};

// Starts `program` with its stdout and stderr in `log`, in the directory `cwd`.
running start(const std::string& program, const std::filesystem::path& cwd,
              const std::filesystem::path& log) {
  running r{program, log, nullptr};
  const std::filesystem::path exe = examples_dir() / (program + ".exe");
  if (!std::filesystem::exists(exe)) {
    ADD_FAILURE() << exe.string() << " is missing (build the examples)";
    return r;
  }
  SECURITY_ATTRIBUTES inheritable{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE out = ::CreateFileW(log.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             &inheritable, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (out == INVALID_HANDLE_VALUE) {
    ADD_FAILURE() << "cannot create " << log.string();
    return r;
  }
  const mmf::win32::standard_handles io{nullptr, out, out};
  mmf::win32::started_process child;
  if (const DWORD error =
          mmf::win32::start_process(mmf::win32::program_path(exe), {}, &io, cwd.wstring(), child);
      error != ERROR_SUCCESS)
    ADD_FAILURE() << "cannot start " << exe.string() << ": error " << error;
  else
    r.process = child.process;
  ::CloseHandle(out);
  return r;
}

void run_group(const example::example_group& g) {
  mmf_test::temp_dir dir;
  std::vector<running> group;
  for (const auto& p : g.programs) {
    const std::string program(p.program);
    group.push_back(start(program, dir.path(), dir / (program + ".log")));
  }
  const ULONGLONG deadline = ::GetTickCount64() + 120000;
  for (auto& r : group) {
    if (r.process == nullptr) continue;
    const ULONGLONG now = ::GetTickCount64();
    const DWORD left = now < deadline ? static_cast<DWORD>(deadline - now) : 0;
    if (::WaitForSingleObject(r.process, left) != WAIT_OBJECT_0) {
      ::TerminateProcess(r.process, 124);
      ::WaitForSingleObject(r.process, INFINITE);
      ADD_FAILURE() << r.program << " did not finish within 120 s";
    }
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    auto& r = group[i];
    if (r.process == nullptr) continue;
    DWORD code = 0;
    ::GetExitCodeProcess(r.process, &code);
    ::CloseHandle(r.process);
    std::string output;
    try {
      output = mmf_test::read_file(r.log);
    } catch (const std::exception&) {
    }
    EXPECT_EQ(code, 0u) << "$ " << r.program << "\n" << output;
    const std::string wrong = example::check_output(g.programs[i], output);
    EXPECT_TRUE(wrong.empty()) << wrong << "\n$ " << r.program << "\n" << output;
  }
}

// One test per group, named after its first program (Seeds/Examples.Run/ipc_process_a, ...).
class Examples : public ::testing::TestWithParam<std::size_t> {};

TEST_P(Examples, Run) {
  run_group(example::example_groups().at(GetParam()));
}

std::vector<std::size_t> group_indices() {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < example::example_groups().size(); ++i)
    indices.push_back(i);
  return indices;
}

INSTANTIATE_TEST_SUITE_P(Seeds, Examples, ::testing::ValuesIn(group_indices()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           return std::string(
                               example::example_groups().at(info.param).programs.front().program);
                         });

}  // namespace
