// mmf tests — assertions on mmf::error.
//
//   EXPECT_MMF_ERROR(map.create_view_accessor(5, 0), std::errc::result_out_of_range);
//   std::string what = MMF_ERROR_WHAT(statement, std::errc::file_exists);  // for what() checks
//
// The assertion fails (with the statement, the expected and actual codes and what()) unless the
// statement throws mmf::error whose code() == the std::errc condition.
#pragma once

#include <string>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>
#include <mmf/error.hpp>

namespace mmf_test {

// A readable name for a std::errc value, e.g. "invalid_argument (22)".
std::string errc_name(std::errc e);
// The same for an error code: its message and value.
std::string describe(const std::error_code& ec);

// Runs `f` and checks that it throws mmf::error with code() == expected. On success `what` (if
// given) receives what().
template <class F>
::testing::AssertionResult throws_mmf_error(F&& f, std::errc expected,
                                            std::string* what = nullptr) {
  try {
    std::forward<F>(f)();
  } catch (const mmf::error& e) {
    if (e.code() == expected) {
      if (what) *what = e.what();
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "threw mmf::error with code " << describe(e.code()) << ", expected "
           << errc_name(expected) << "; what(): " << e.what();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw a non-mmf exception, expected mmf::error "
                                         << errc_name(expected) << "; what(): " << e.what();
  } catch (...) {
    return ::testing::AssertionFailure() << "threw an unknown exception";
  }
  return ::testing::AssertionFailure()
         << "did not throw, expected mmf::error " << errc_name(expected);
}

}  // namespace mmf_test

#define EXPECT_MMF_ERROR(statement, errc)                                                  \
  EXPECT_TRUE(::mmf_test::throws_mmf_error([&] { static_cast<void>(statement); }, (errc))) \
      << "statement: " #statement
#define ASSERT_MMF_ERROR(statement, errc)                                                  \
  ASSERT_TRUE(::mmf_test::throws_mmf_error([&] { static_cast<void>(statement); }, (errc))) \
      << "statement: " #statement

// Evaluates to what() of the expected mmf::error (empty, with a failed expectation, otherwise).
#define MMF_ERROR_WHAT(statement, errc)                                                      \
  [&] {                                                                                      \
    std::string what_;                                                                       \
    EXPECT_TRUE(                                                                             \
        ::mmf_test::throws_mmf_error([&] { static_cast<void>(statement); }, (errc), &what_)) \
        << "statement: " #statement;                                                         \
    return what_;                                                                            \
  }()
