// SPDX-License-Identifier: MIT
// Error and Result<T>: the only way fallible code reports failure. [pure]
#pragma once
#include <cerrno>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cocoon {

// A failure in parent-side or pure code. `context` says what we were doing.
// Where bwrap has a message for the same failure, `context` is that message word
// for word, because callers of bwrap match on it. strerror
// is appended by format_error(), never by the code that creates the error.
struct Error {
    int errnum = 0;       // errno value, 0 for usage and logic errors
    std::string context;  // "Can't find source path /x"
    std::string hint;     // a second line main prints under it: "did you mean --ro-bind?"

    static Error from_errno(std::string context) { return Error{errno, std::move(context)}; }
    static Error usage(std::string context) { return Error{0, std::move(context)}; }
};

template <class E>
struct Unexpected {
    E error;
};
template <class E>
Unexpected(E) -> Unexpected<E>;

// A subset of std::expected's interface: it becomes an alias once the toolchain
// floor has <expected> under -std=c++20 (g++ 12 only has it under c++2b).
template <class T, class E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    T& value() & noexcept { return std::get<0>(v_); }
    const T& value() const& noexcept { return std::get<0>(v_); }
    T&& value() && noexcept { return std::move(std::get<0>(v_)); }
    const E& error() const& noexcept { return std::get<1>(v_); }
    E&& error() && noexcept { return std::move(std::get<1>(v_)); }
    T& operator*() & noexcept { return value(); }
    const T& operator*() const& noexcept { return value(); }
    T* operator->() noexcept { return &value(); }
    const T* operator->() const noexcept { return &value(); }

private:
    std::variant<T, E> v_;
};

template <class E>
class [[nodiscard]] Result<void, E> {
public:
    Result() noexcept = default;
    Result(Unexpected<E> u) : error_(std::move(u.error)) {}
    bool has_value() const noexcept { return !error_; }
    explicit operator bool() const noexcept { return has_value(); }
    void value() const noexcept {}
    E&& error() && noexcept { return std::move(*error_); }
    const E& error() const& noexcept { return *error_; }

private:
    std::optional<E> error_;
};

using Status = Result<void>;
inline Unexpected<Error> fail(Error e) {
    return {std::move(e)};
}

}  // namespace cocoon

// Return the error of `expr` from the enclosing function, else yield its value.
// __extension__ keeps -Wpedantic quiet about the GNU statement expression.
#define TRY(expr)                                                        \
    __extension__({                                                      \
        auto&& cocoon_try_ = (expr);                                     \
        if (!cocoon_try_)                                                \
            return ::cocoon::Unexpected{std::move(cocoon_try_).error()}; \
        std::move(cocoon_try_).value();                                  \
    })
