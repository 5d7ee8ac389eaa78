// SPDX-License-Identifier: MIT
// Parser of the text policy format. [pure]
#include "core/seccomp_text.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "core/seccomp_names.h"

namespace cocoon::seccomp {
namespace {

struct Token {
    std::string_view text;
    std::size_t column;  // 1-based
};

std::vector<Token> tokenize(std::string_view line) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < line.size()) {
        if (line[i] == '#')
            break;
        if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') ++i;
        out.push_back({line.substr(start, i - start), start + 1});
    }
    return out;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X")) {
        text.remove_prefix(2);
        if (text.empty() || text.size() > 16)
            return std::nullopt;
        std::uint64_t v = 0;
        for (char c : text) {
            int d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            else
                return std::nullopt;
            v = v << 4 | static_cast<std::uint64_t>(d);
        }
        return v;
    }
    if (text.starts_with("-")) {  // -1 is all bits set, as a C int converted to an argument
        const auto v = parse_decimal(text.substr(1), 1ULL << 63);
        return v ? std::optional<std::uint64_t>(~*v + 1) : std::nullopt;
    }
    if (text.size() > 1 && text[0] == '0') {  // 0755: octal, as in C and chmod(1)
        std::uint64_t v = 0;
        for (char c : text.substr(1)) {
            if (c < '0' || c > '7' || v >> 61 != 0)
                return std::nullopt;
            v = v << 3 | static_cast<std::uint64_t>(c - '0');
        }
        return v;
    }
    return parse_decimal(text, ~0ULL);
}

class Parser {
public:
    Parser(std::string_view origin, const KnownSyscall& known, bool skip_unknown)
        : origin_(origin), known_(known), skip_unknown_(skip_unknown) {}

    Result<Policy> parse(std::string_view text) {
        bool have_default = false;
        for (std::string_view line : split(text, '\n')) {
            ++line_no_;
            const std::vector<Token> t = tokenize(line);
            if (t.empty())
                continue;
            if (t[0].text == "default") {
                if (have_default)
                    return fail(error(t[0], "a second 'default' line"));
                if (t.size() < 2)
                    return fail(
                        error(t[0], "'default' needs an action: allow, log, deny [ERRNO], trap, kill"));
                std::size_t next = 1;
                policy_.default_action = TRY(parse_action(t, next));
                if (next != t.size())
                    return fail(error(t[next],
                                      fmt::format("unexpected '{}' after the default action", t[next].text)));
                have_default = true;
                continue;
            }
            std::size_t next = 0;
            const Action action = TRY(parse_action(t, next));
            if (next == t.size())
                return fail(error(t[0], fmt::format("'{}' names no syscall", t[0].text)));
            if (next + 1 < t.size() && t[next + 1].text.starts_with("arg"))
                TRY(parse_conditional(t, next, action));
            else
                for (; next < t.size(); ++next) TRY(add_target(t[next], action));
        }
        if (!have_default)
            return fail(Error::usage(fmt::format(
                "{}: no 'default' line: say what calls no rule names get, e.g. 'default deny ENOSYS'",
                origin_)));
        return std::move(policy_);
    }

private:
    Error error(const Token& at, std::string_view what) const {
        return Error::usage(fmt::format("{}:{}:{}: {}", origin_, line_no_, at.column, what));
    }

    std::string where() const { return fmt::format("{}:{}", origin_, line_no_); }

    Result<Action> parse_action(const std::vector<Token>& t, std::size_t& i) {
        const Token& word = t[i++];
        if (word.text == "allow")
            return Action{ActionKind::Allow, 0};
        if (word.text == "log")
            return Action{ActionKind::Log, 0};
        if (word.text == "trap")
            return Action{ActionKind::Trap, 0};
        if (word.text == "kill")
            return Action{ActionKind::KillProcess, 0};
        if (word.text == "kill-thread")
            return Action{ActionKind::KillThread, 0};
        if (word.text == "deny") {
            // An errno is a name in capitals or a number; syscall names are neither.
            if (i < t.size() && !t[i].text.empty() &&
                ((t[i].text[0] >= 'A' && t[i].text[0] <= 'Z') ||
                 (t[i].text[0] >= '0' && t[i].text[0] <= '9'))) {
                const auto e = parse_errno(t[i].text);
                if (!e)
                    return fail(error(t[i], fmt::format("unknown errno '{}'", t[i].text)));
                ++i;
                return Action{ActionKind::Errno, static_cast<std::uint16_t>(*e)};
            }
            return Action{ActionKind::Errno, 1};
        }
        return fail(error(word, fmt::format("unknown action '{}': expected allow, log, deny, trap, kill or "
                                            "kill-thread",
                                            word.text)));
    }

    Status add_target(const Token& target, const Action& action) {
        if (target.text.starts_with("@")) {
            const Group* group = find_group(target.text);
            if (group == nullptr)
                return fail(error(target, fmt::format("unknown group '{}'", target.text)));
            for (std::string_view name : split(group->members, ' '))
                if (known_(name))
                    policy_.rules.push_back({std::string(name), action, {}, where()});
            return {};
        }
        if (!TRY(check_name(target)))
            return {};
        policy_.rules.push_back({std::string(target.text), action, {}, where()});
        return {};
    }

    Result<bool> check_name(const Token& name) {
        if (known_(name.text))
            return true;
        if (skip_unknown_)
            return false;
        return fail(error(name, fmt::format("unknown syscall '{}'", name.text)));
    }

    // SYSCALL argN OP VALUE [&& argN OP VALUE]...
    Status parse_conditional(const std::vector<Token>& t, std::size_t i, const Action& action) {
        const Token& name = t[i++];
        if (name.text.starts_with("@"))
            return fail(error(name, "argument conditions need one syscall, not a group"));
        Rule rule{std::string(name.text), action, {}, where()};
        while (true) {
            rule.conditions.push_back(TRY(parse_condition(t, i)));
            if (i == t.size())
                break;
            if (t[i].text != "&&")
                return fail(error(t[i], fmt::format("expected '&&' before '{}'", t[i].text)));
            if (++i == t.size())
                return fail(error(t[i - 1], "a condition must follow '&&'"));
        }
        if (TRY(check_name(name)))
            policy_.rules.push_back(std::move(rule));
        return {};
    }

    Result<Condition> parse_condition(const std::vector<Token>& t, std::size_t& i) {
        Condition c;
        const Token& arg = t[i];
        const auto index = arg.text.starts_with("arg") ? parse_decimal(arg.text.substr(3), 5) : std::nullopt;
        if (!index || arg.text.size() != 4)
            return fail(error(arg, fmt::format("expected an argument arg0 to arg5, not '{}'", arg.text)));
        c.arg = static_cast<unsigned>(*index);
        ++i;
        bool masked = false;
        if (i < t.size() && t[i].text == "&") {
            if (++i == t.size())
                return fail(error(t[i - 1], "a mask must follow '&'"));
            c.mask = TRY(parse_value(t[i++]));
            masked = true;
        }
        if (i == t.size())
            return fail(error(t[i - 1], "expected an operator: == != < <= > >="));
        const Token& op = t[i++];
        if (op.text == "==")
            c.op = masked ? Op::MaskedEq : Op::Eq;
        else if (op.text == "!=")
            c.op = masked ? Op::MaskedNe : Op::Ne;
        else if (masked)
            return fail(
                error(op, fmt::format("'{}' after a mask: only == and != compare masked bits", op.text)));
        else if (op.text == "<")
            c.op = Op::Lt;
        else if (op.text == "<=")
            c.op = Op::Le;
        else if (op.text == ">")
            c.op = Op::Gt;
        else if (op.text == ">=")
            c.op = Op::Ge;
        else
            return fail(error(op, fmt::format("unknown operator '{}': expected == != < <= > >=", op.text)));
        if (i == t.size())
            return fail(error(op, fmt::format("a value must follow '{}'", op.text)));
        c.value = TRY(parse_value(t[i++]));
        return c;
    }

    // 0x5412, 21522, -1, TIOCSTI, CLONE_NEWUSER|CLONE_NEWNS
    Result<std::uint64_t> parse_value(const Token& token) {
        std::uint64_t value = 0;
        std::size_t column = token.column;
        for (std::string_view part : split(token.text, '|')) {
            auto v = parse_number(part);
            if (!v)
                v = constant_value(part);
            if (!v)
                return fail(error(Token{part, column},
                                  fmt::format("'{}' is neither a number nor a known constant", part)));
            value |= *v;
            column += part.size() + 1;
        }
        return value;
    }

    std::string_view origin_;
    const KnownSyscall& known_;
    bool skip_unknown_;
    std::size_t line_no_ = 0;
    Policy policy_;
};

}  // namespace

std::optional<int> parse_errno(std::string_view word) {
    if (const auto named = errno_value(word))
        return named;
    const auto n = parse_decimal(word, 4095);
    if (n && *n > 0)
        return static_cast<int>(*n);
    return std::nullopt;
}

Result<Policy> parse_policy_text(std::string_view text, std::string_view origin, const KnownSyscall& known,
                                 bool skip_unknown) {
    return Parser(origin, known, skip_unknown).parse(text);
}

}  // namespace cocoon::seccomp
