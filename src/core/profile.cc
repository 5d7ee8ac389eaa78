// SPDX-License-Identifier: MIT
// Profiles: lexing lines into words of literal text and ${VAR} parts, then
// expanding them with the directives (core/profile.h has the format). [pure]
#include "core/profile.h"

#include <algorithm>
#include <span>

#include <fmt/format.h>

namespace cocoon {
namespace {

constexpr int kMaxIncludeDepth = 16;
constexpr std::size_t kMaxWords = 1 << 20;  // kMaxArgsCocoon: no more could be parsed
constexpr int kMaxNesting = 16;             // ${A:-${B:-...}} levels

// One part of a word: literal text, a variable (with or without a default), or
// "~" (HOME).
struct Part {
    enum class Kind { Text, Variable, Home } kind = Kind::Text;
    std::string text;  // the literal, or the variable's name
    bool has_default = false;
    std::vector<Part> fallback;
};
using Parts = std::vector<Part>;

struct Word {
    Parts parts;
    bool plain = true;  // no quotes, escapes or variables: may be a directive
};

struct Line {
    int number = 0;  // of the first physical line
    std::vector<Word> words;
};

bool name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool name_char(char c) {
    return name_start(c) || (c >= '0' && c <= '9');
}

void add_text(Parts& parts, char c) {
    if (parts.empty() || parts.back().kind != Part::Kind::Text)
        parts.push_back({});
    parts.back().text += c;
}

class Lexer {
public:
    Lexer(std::string_view origin, std::string_view text) : origin_(origin), text_(text) {}

    // The next logical line with at least one word, or nullopt at the end.
    Result<std::optional<Line>> next() {
        while (at_ < text_.size()) {
            Line line;
            line.number = line_;
            TRY(read_line(line));
            if (!line.words.empty())
                return std::optional<Line>(std::move(line));
        }
        return std::optional<Line>();
    }

private:
    Error error(int line, std::string what) const {
        return Error::usage(fmt::format("{}:{}: {}", origin_, line, what));
    }

    Status read_line(Line& line) {
        for (;;) {
            // Blanks between words; a backslash-newline joins the next line.
            while (at_ < text_.size()) {
                const char c = text_[at_];
                if (c == ' ' || c == '\t' || c == '\r') {
                    ++at_;
                } else if (c == '\\' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n') {
                    at_ += 2;
                    ++line_;
                } else {
                    break;
                }
            }
            if (at_ >= text_.size())
                return {};
            if (text_[at_] == '\n') {
                ++at_;
                ++line_;
                return {};
            }
            if (text_[at_] == '#') {  // a comment, to the end of the line
                while (at_ < text_.size() && text_[at_] != '\n') ++at_;
                continue;
            }
            line.words.push_back(TRY(read_word(line.number)));
        }
    }

    Result<Word> read_word(int number) {
        Word word;
        // "~" or "~/..." at the start of an unquoted word is HOME.
        if (text_[at_] == '~' &&
            (at_ + 1 == text_.size() || text_[at_ + 1] == '/' || blank_or_end(at_ + 1))) {
            word.parts.push_back({Part::Kind::Home, {}, false, {}});
            ++at_;
        }
        while (at_ < text_.size() && !blank_or_end(at_)) {
            const char c = text_[at_];
            if (c == '\'') {
                word.plain = false;
                const std::size_t end = text_.find_first_of("'\n", at_ + 1);
                if (end == std::string_view::npos || text_[end] != '\'')
                    return fail(error(number, "a quote (') is not closed on its line"));
                for (std::size_t k = at_ + 1; k < end; ++k) add_text(word.parts, text_[k]);
                if (word.parts.empty())
                    word.parts.push_back({});  // '' is an empty word
                at_ = end + 1;
            } else if (c == '"') {
                word.plain = false;
                ++at_;
                if (word.parts.empty())
                    word.parts.push_back({});  // "" is an empty word
                for (;;) {
                    if (at_ >= text_.size() || text_[at_] == '\n')
                        return fail(error(number, "a quote (\") is not closed on its line"));
                    const char d = text_[at_];
                    if (d == '"') {
                        ++at_;
                        break;
                    }
                    if (d == '\\' && at_ + 1 < text_.size() &&
                        std::string_view("\"\\$").find(text_[at_ + 1]) != std::string_view::npos) {
                        add_text(word.parts, text_[at_ + 1]);
                        at_ += 2;
                    } else if (d == '$') {
                        word.parts.push_back(TRY(read_variable(number, 0)));
                    } else {
                        add_text(word.parts, d);
                        ++at_;
                    }
                }
            } else if (c == '\\') {
                word.plain = false;
                if (at_ + 1 >= text_.size())
                    return fail(error(number, "a backslash ends the text: nothing to escape"));
                add_text(word.parts, text_[at_ + 1]);
                at_ += 2;
            } else if (c == '$') {
                word.plain = false;
                word.parts.push_back(TRY(read_variable(number, 0)));
            } else {
                add_text(word.parts, c);
                ++at_;
            }
        }
        return word;
    }

    bool blank_or_end(std::size_t k) const {
        return k >= text_.size() || text_[k] == ' ' || text_[k] == '\t' || text_[k] == '\n' ||
               text_[k] == '\r' || (text_[k] == '\\' && k + 1 < text_.size() && text_[k + 1] == '\n');
    }

    // At "$": "${NAME}" or "${NAME:-DEFAULT}", the default taken as written
    // (backslash escapes, nested ${...} and a leading ~ only).
    Result<Part> read_variable(int number, int depth) {
        if (depth > kMaxNesting)
            return fail(error(number, "defaults nest too deep"));
        if (at_ + 1 >= text_.size() || text_[at_ + 1] != '{') {
            std::size_t end = at_ + 1;
            while (end < text_.size() && name_char(text_[end])) ++end;
            const std::string_view name = text_.substr(at_ + 1, end - at_ - 1);
            return fail(
                error(number, name.empty()
                                  ? std::string("a '$' that starts no ${VAR}: write \\$ for a dollar")
                                  : fmt::format("write ${{{}}} for ${}: braces are required", name, name)));
        }
        at_ += 2;
        std::size_t end = at_;
        while (end < text_.size() && name_char(text_[end])) ++end;
        Part part{Part::Kind::Variable, std::string(text_.substr(at_, end - at_)), false, {}};
        if (part.text.empty() || !name_start(part.text[0]))
            return fail(error(number, "${ must be followed by a variable name (letters, digits, _)"));
        at_ = end;
        if (text_.substr(at_, 2) == ":-") {
            part.has_default = true;
            at_ += 2;
            // "~" opens a default as it opens a word: ${X:-~/dir}.
            if (at_ + 1 < text_.size() && text_[at_] == '~' &&
                (text_[at_ + 1] == '/' || text_[at_ + 1] == '}')) {
                part.fallback.push_back({Part::Kind::Home, {}, false, {}});
                ++at_;
            }
            while (at_ < text_.size() && text_[at_] != '}' && text_[at_] != '\n') {
                if (text_[at_] == '$') {
                    part.fallback.push_back(TRY(read_variable(number, depth + 1)));
                } else if (text_[at_] == '\\' && at_ + 1 < text_.size() && text_[at_ + 1] != '\n') {
                    add_text(part.fallback, text_[at_ + 1]);
                    at_ += 2;
                } else {
                    add_text(part.fallback, text_[at_++]);
                }
            }
        }
        if (at_ >= text_.size() || text_[at_] != '}')
            return fail(error(number, fmt::format("${{{} is not closed with '}}'", part.text)));
        ++at_;
        return part;
    }

    std::string_view origin_;
    std::string_view text_;
    std::size_t at_ = 0;
    int line_ = 1;
};

class Expander {
public:
    explicit Expander(const ProfileHost& host) : host_(host) {}

    Status expand_text(const std::string& origin, std::string_view text) {
        if (std::find(stack_.begin(), stack_.end(), origin) != stack_.end()) {
            std::string cycle;
            for (const std::string& s : stack_) cycle += s + " -> ";
            return fail(Error::usage(fmt::format("profiles include each other: {}{}", cycle, origin)));
        }
        if (stack_.size() >= kMaxIncludeDepth)
            return fail(
                Error::usage(fmt::format("{}: includes nest deeper than {}", origin, kMaxIncludeDepth)));
        stack_.push_back(origin);
        Lexer lexer(origin, text);
        for (;;) {
            std::optional<Line> line = TRY(lexer.next());
            if (!line)
                break;
            const std::string where = fmt::format("{}:{}", origin, line->number);
            TRY(expand_line(where, line->words, 0));
        }
        stack_.pop_back();
        return {};
    }

    Status include(const std::string& name, const std::string& where) {
        std::optional<ProfileText> found = TRY(find(name, where));
        return expand_text(found->origin, found->text);
    }

    Result<std::optional<ProfileText>> find(const std::string& name, const std::string& where) {
        Result<std::optional<ProfileText>> found = host_.find(name);
        if (!found) {
            Error e = std::move(found).error();
            e.context = where.empty() ? e.context : fmt::format("{}: {}", where, e.context);
            return fail(std::move(e));
        }
        if (!*found) {
            const bool path = name.find('/') != std::string::npos;
            return fail(
                Error{0, fmt::format("{}{}no such profile: '{}'", where, where.empty() ? "" : ": ", name),
                      path ? std::string()
                           : "profiles are looked up in $XDG_CONFIG_HOME/cocoon/profiles, "
                             "/etc/cocoon/profiles and the built-ins; cocoon --profile list shows them"});
        }
        return found;
    }

    std::vector<ProfileWord> words;

private:
    Result<std::string> value(const Parts& parts, const std::string& where) {
        std::string out;
        for (const Part& p : parts) {
            switch (p.kind) {
                case Part::Kind::Text:
                    out += p.text;
                    break;
                case Part::Kind::Home: {
                    const std::optional<std::string> home = host_.variable("HOME");
                    if (!home || home->empty())
                        return fail(Error::usage(fmt::format("{}: ~ needs HOME, which is not set", where)));
                    out += *home;
                    break;
                }
                case Part::Kind::Variable: {
                    const std::optional<std::string> v = host_.variable(p.text);
                    if (p.has_default && (!v || v->empty())) {
                        out += TRY(value(p.fallback, where));
                    } else if (!v) {
                        return fail(
                            Error{0, fmt::format("{}: ${{{}}} is not set", where, p.text),
                                  fmt::format("set it, or write ${{{}:-DEFAULT}} in the profile", p.text)});
                    } else {
                        out += *v;
                    }
                    break;
                }
            }
        }
        return out;
    }

    static std::string_view directive(const Word& w) {
        if (!w.plain || w.parts.size() != 1 || w.parts[0].kind != Part::Kind::Text)
            return {};
        return w.parts[0].text;
    }

    Status expand_line(const std::string& where, std::span<const Word> line, int depth) {
        const std::string_view first = directive(line[0]);
        const std::span<const Word> rest = line.subspan(1);
        if (first == "include") {
            if (rest.size() != 1)
                return fail(Error::usage(fmt::format("{}: include takes one profile name or path", where)));
            return include(TRY(value(rest[0].parts, where)), where);
        }
        if (first == "if-set" || first == "if-exists" || first == "if-symlink" || first == "if-dir") {
            if (rest.size() < 2)
                return fail(
                    Error::usage(fmt::format("{}: {} takes {} and the words to use if so", where, first,
                                             first == "if-set" ? "a variable name" : "a path")));
            bool holds = false;
            if (first == "if-set") {
                const std::string_view name = directive(rest[0]);
                if (name.empty() || !name_start(name[0]) ||
                    !std::all_of(name.begin(), name.end(), [](char c) { return name_char(c); }))
                    return fail(Error::usage(fmt::format(
                        "{}: if-set takes a variable name (letters, digits, _), without $", where)));
                const std::optional<std::string> v = host_.variable(name);
                holds = v && !v->empty();
            } else {
                const std::string path = TRY(value(rest[0].parts, where));
                if (path.empty() || path[0] != '/')
                    return fail(Error::usage(
                        fmt::format("{}: {} takes an absolute path, not '{}'", where, first, path)));
                const char type = host_.file_type(path);
                holds = first == "if-exists" ? type != 0 : first == "if-symlink" ? type == 'l' : type == 'd';
            }
            if (depth >= kMaxNesting)
                return fail(Error::usage(fmt::format("{}: conditions nest too deep", where)));
            return holds ? expand_line(where, rest.subspan(1), depth + 1) : Status{};
        }
        for (const Word& w : line) {
            if (words.size() >= kMaxWords)
                return fail(Error::usage(fmt::format("{}: more than {} words", where, kMaxWords)));
            words.push_back({TRY(value(w.parts, where)), where});
        }
        return {};
    }

    const ProfileHost& host_;
    std::vector<std::string> stack_;
};

}  // namespace

Result<std::vector<ProfileWord>> expand_profile(const std::string& name, const ProfileHost& host) {
    Expander expander(host);
    std::optional<ProfileText> found = TRY(expander.find(name, ""));
    TRY(expander.expand_text(found->origin, found->text));
    return std::move(expander.words);
}

Result<std::vector<ProfileWord>> expand_profile_text(const std::string& origin, std::string_view text,
                                                     const ProfileHost& host) {
    Expander expander(host);
    TRY(expander.expand_text(origin, text));
    return std::move(expander.words);
}

std::string profile_summary(std::string_view text) {
    const std::size_t end = text.find('\n');
    const std::string_view first = text.substr(0, end);
    if (!first.starts_with("# "))
        return {};
    return std::string(first.substr(2));
}

}  // namespace cocoon
