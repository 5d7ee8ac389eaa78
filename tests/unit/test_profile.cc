// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/cli.h"
#include "core/profile.h"

namespace cocoon {
namespace {

// A host of profiles, file types and variables in memory.
struct FakeHost {
    std::map<std::string, std::string> profiles;
    std::map<std::string, char> files;
    std::map<std::string, std::string> vars{{"HOME", "/home/u"}, {"UID", "1000"}, {"CWD", "/src/p"}};

    ProfileHost host() const {
        return ProfileHost{
            .find = [this](const std::string& name) -> Result<std::optional<ProfileText>> {
                if (name == "unreadable")
                    return fail(Error{EACCES, "Can't read profile unreadable"});
                if (const auto it = profiles.find(name); it != profiles.end())
                    return std::optional<ProfileText>(ProfileText{name, it->second});
                if (const BuiltinProfile* b = find_builtin_profile(name))
                    return std::optional<ProfileText>(ProfileText{"built-in " + name, std::string(b->text)});
                return std::optional<ProfileText>();
            },
            .file_type = [this](const std::string& path) -> char {
                const auto it = files.find(path);
                return it == files.end() ? 0 : it->second;
            },
            .variable = [this](std::string_view name) -> std::optional<std::string> {
                const auto it = vars.find(std::string(name));
                return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
            }};
    }
};

std::vector<std::string> words(const FakeHost& h, const std::string& text) {
    Result<std::vector<ProfileWord>> r = expand_profile_text("p", text, h.host());
    REQUIRE_MESSAGE(r, (r ? "" : r.error().context));
    std::vector<std::string> out;
    for (const ProfileWord& w : *r) out.push_back(w.word);
    return out;
}

std::string error(const FakeHost& h, const std::string& text) {
    Result<std::vector<ProfileWord>> r = expand_profile_text("p", text, h.host());
    REQUIRE_FALSE(r);
    return r.error().context + (r.error().hint.empty() ? "" : " | " + r.error().hint);
}

using W = std::vector<std::string>;

TEST_CASE("profile lines: words, quotes, escapes, comments, continuations") {
    FakeHost h;
    CHECK(words(h, "--ro-bind /usr /usr\n\n  # a comment\n--tmpfs /tmp # trailing\n") ==
          W{"--ro-bind", "/usr", "/usr", "--tmpfs", "/tmp"});
    CHECK(words(h, "--setenv A 'x y'\n--setenv B \"a \\\"q\\\" \\$ \\\\\"\n") ==
          W{"--setenv", "A", "x y", "--setenv", "B", "a \"q\" $ \\"});
    CHECK(words(h, "--setenv E ''\n--setenv F \"\"") == W{"--setenv", "E", "", "--setenv", "F", ""});
    CHECK(words(h, "--bind a\\ b c\n") == W{"--bind", "a b", "c"});
    CHECK(words(h, "--bind \\\n  /a /b\n") == W{"--bind", "/a", "/b"});
    CHECK(words(h, "--setenv X 'a#b' --setenv Y c#d") == W{"--setenv", "X", "a#b", "--setenv", "Y", "c#d"});
    CHECK(words(h, "\r\n--unshare-pid\r\n") == W{"--unshare-pid"});
}

TEST_CASE("profile variables: ${VAR}, defaults, ~, never split again") {
    FakeHost h;
    h.vars["SPACED"] = "a b";
    h.vars["EMPTY"] = "";
    CHECK(words(h, "--bind ~/x ${CWD}/y ~ \"${SPACED}\" ${SPACED}") ==
          W{"--bind", "/home/u/x", "/src/p/y", "/home/u", "a b", "a b"});
    CHECK(words(h, "${UNSET:-d} ${EMPTY:-e} ${UID:-f} ${UNSET:-${UID}} ${UNSET:-~/h} ${UNSET:-a\\}b}") ==
          W{"d", "e", "1000", "1000", "/home/u/h", "a}b"});
    CHECK(words(h, "'${UID}' \\${UID} a~ \"~\"") == W{"${UID}", "${UID}", "a~", "~"});
    CHECK(error(h, "--bind ${NOPE} /x") ==
          "p:1: ${NOPE} is not set | set it, or write ${NOPE:-DEFAULT} in the profile");
    CHECK(error(h, "\n--bind $HOME /x") == "p:2: write ${HOME} for $HOME: braces are required");
    CHECK(error(h, "--setenv A $") == "p:1: a '$' that starts no ${VAR}: write \\$ for a dollar");
    CHECK(error(h, "--setenv A ${1X}") == "p:1: ${ must be followed by a variable name (letters, digits, _)");
    CHECK(error(h, "--setenv A ${UID") == "p:1: ${UID is not closed with '}'");
    CHECK(error(h, "--setenv A ${UID:-x\n}") == "p:1: ${UID is not closed with '}'");
    h.vars.erase("HOME");
    CHECK(error(h, "--tmpfs ~") == "p:1: ~ needs HOME, which is not set");
}

TEST_CASE("profile quoting errors name the line") {
    FakeHost h;
    CHECK(error(h, "--a\n--setenv A 'open\n") == "p:2: a quote (') is not closed on its line");
    CHECK(error(h, "--setenv A \"open\nclose\"") == "p:1: a quote (\") is not closed on its line");
    CHECK(error(h, "--setenv A \\") == "p:1: a backslash ends the text: nothing to escape");
}

TEST_CASE("profile directives: include and conditions") {
    FakeHost h;
    h.profiles["base"] = "--unshare-pid\n";
    h.profiles["loop-a"] = "include loop-b\n";
    h.profiles["loop-b"] = "include loop-a\n";
    h.files = {{"/bin", 'l'}, {"/lib", 'd'}, {"/etc/x", 'f'}};
    h.vars["WAYLAND_DISPLAY"] = "wl-0";
    h.vars["EMPTY"] = "";
    CHECK(words(h, "include base\n--tmpfs /tmp") == W{"--unshare-pid", "--tmpfs", "/tmp"});
    CHECK(words(h,
                "if-symlink /bin --symlink usr/bin /bin\nif-dir /bin --ro-bind /bin /bin\n"
                "if-dir /lib --ro-bind /lib /lib\nif-exists /etc/x --a\nif-exists /etc/y --b\n") ==
          W{"--symlink", "usr/bin", "/bin", "--ro-bind", "/lib", "/lib", "--a"});
    CHECK(words(h,
                "if-set WAYLAND_DISPLAY --x ${WAYLAND_DISPLAY}\nif-set EMPTY --y\nif-set NOPE --z ${NOPE}") ==
          W{"--x", "wl-0"});
    CHECK(
        words(h,
              "if-set WAYLAND_DISPLAY if-exists /etc/x --both\nif-set WAYLAND_DISPLAY if-exists /no --not") ==
        W{"--both"});
    CHECK(words(h, "'include' base") == W{"include", "base"});  // quoted: a word, not a directive
    CHECK(error(h, "include") == "p:1: include takes one profile name or path");
    CHECK(error(h, "include a b") == "p:1: include takes one profile name or path");
    CHECK(error(h, "include nope") ==
          "p:1: no such profile: 'nope' | profiles are looked up in $XDG_CONFIG_HOME/cocoon/profiles, "
          "/etc/cocoon/profiles and the built-ins; cocoon --profile list shows them");
    CHECK(error(h, "include unreadable") == "p:1: Can't read profile unreadable");
    CHECK(error(h, "include loop-a") == "profiles include each other: p -> loop-a -> loop-b -> loop-a");
    CHECK(error(h, "if-set --x") == "p:1: if-set takes a variable name and the words to use if so");
    CHECK(error(h, "if-set 'X' --x") == "p:1: if-set takes a variable name (letters, digits, _), without $");
    CHECK(error(h, "if-exists relative --x") == "p:1: if-exists takes an absolute path, not 'relative'");
    h.profiles["deep"] = "include deep2\n";
    for (int i = 2; i < 20; ++i)
        h.profiles["deep" + std::to_string(i)] = "include deep" + std::to_string(i + 1) + "\n";
    CHECK(error(h, "include deep").find("includes nest deeper than 16") != std::string::npos);
}

TEST_CASE("the built-in profiles expand on a typical host") {
    FakeHost h;
    h.files = {{"/bin", 'l'}, {"/sbin", 'l'}, {"/lib", 'l'}, {"/lib64", 'l'}};
    h.vars["COMMAND"] = "app";
    for (const BuiltinProfile& p : builtin_profiles()) {
        CAPTURE(p.name);
        CHECK(!p.summary.empty());
        Result<std::vector<ProfileWord>> r = expand_profile_text(std::string(p.name), p.text, h.host());
        REQUIRE_MESSAGE(r, (r ? "" : r.error().context));
        for (const ProfileWord& w : *r) CHECK(w.word.find("${") == std::string::npos);
    }
    const W host_ro = words(h, "include host-ro");
    CHECK(std::find(host_ro.begin(), host_ro.end(), "/etc/alternatives") != host_ro.end());
    CHECK(std::find(host_ro.begin(), host_ro.end(), "/run") == host_ro.end());
    // The desktop home: $COCOON_HOME, else per program.
    const W desktop = words(h, "include desktop");
    CHECK(std::find(desktop.begin(), desktop.end(), "/home/u/.local/share/cocoon/app") != desktop.end());
    h.vars["COCOON_HOME"] = "/data/home";
    const W given = words(h, "include desktop");
    CHECK(std::find(given.begin(), given.end(), "/data/home") != given.end());
}

// --profile through the command-line parser: expanded in place, errors located.
Result<Config> parse_with(const FakeHost& h, const std::vector<std::string>& args) {
    CliIo io;
    io.profiles = h.host();
    return parse_cli(args, {"HOME=/home/u", "FROM_ENV=e"}, io);
}

TEST_CASE("--profile expands in place; later options override; errors name file and line") {
    FakeHost h;
    h.vars.erase("HOME");  // the caller's environment is asked after cocoon's variables
    h.profiles["p"] = "--chdir /from-profile\n--setenv X ${FROM_ENV}\n--bind ~/a /a\n";
    h.profiles["bad"] = "--unshare-pid\n--no-such-option\n";
    h.profiles["cmd"] = "--unshare-pid sh\n";
    h.profiles["args"] = "--args 3\n";
    h.profiles["nested"] = "--profile p\n";
    h.profiles["arity"] = "--bind /a\n";
    h.profiles["uses-command"] = "--setenv NAME ${COMMAND}\n";
    Result<Config> c = parse_with(h, {"--profile", "p", "--chdir", "/later", "true"});
    REQUIRE(c);
    CHECK(c->chdir == "/later");
    REQUIRE(c->fs.size() == 1);
    CHECK(c->fs[0].source == "/home/u/a");
    CHECK(c->profiles ==
          std::vector<std::string>{"p: --chdir /from-profile --setenv X e --bind /home/u/a /a"});
    CHECK(parse_with(h, {"--profile", "bad", "true"}).error().context ==
          "--profile bad: bad:2: Unknown option --no-such-option");
    CHECK(parse_with(h, {"--profile", "cmd", "true"}).error().context ==
          "--profile cmd: cmd:1: 'sh' is not an option: a profile holds options only");
    CHECK(parse_with(h, {"--profile", "args", "true"}).error().context ==
          "--profile args: args:1: --args not supported in arguments file");
    CHECK(parse_with(h, {"--profile", "nested", "true"}).error().hint == "write 'include NAME' instead");
    CHECK(parse_with(h, {"--profile", "arity", "true"}).error().context ==
          "--profile arity: arity:1: --bind takes two arguments");
    CHECK(parse_with(h, {"--profile", "missing", "true"}).error().context ==
          "--profile missing: no such profile: 'missing'");
    Result<Config> named = parse_with(h, {"--profile", "uses-command", "--", "/usr/bin/app", "x"});
    REQUIRE(named);
    CHECK(named->env_set.size() == 1);
    CHECK(parse_with(h, {"--profile", "list"})->list_profiles);
    CHECK(parse_with(h, {"--profile", "list", "true"}).error().context ==
          "--profile list runs no COMMAND, but 'true' was given");
}

}  // namespace
}  // namespace cocoon
