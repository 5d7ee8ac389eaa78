// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <map>

#include "core/cli.h"
#include "core/options.h"

namespace cocoon {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;

// --args data by fd number; any other fd reads as EBADF.
struct FakeFds {
    std::map<int, std::string> data;
    CliIo io() const {
        return CliIo{.read_fd = [this](int fd) -> Result<std::string> {
            auto it = data.find(fd);
            if (it == data.end())
                return fail(Error{EBADF, "cannot read"});
            return it->second;
        }};
    }
};

Result<Config> parse(const Args& args, std::vector<std::string> env = {}, const FakeFds& fds = {}) {
    return parse_cli(args, std::move(env), fds.io());
}

std::string error_of(const Args& args, const FakeFds& fds = {}) {
    auto r = parse(args, {}, fds);
    REQUIRE_FALSE(r);
    return r.error().context;
}

TEST_CASE("no arguments, or options without a command, ask for the usage text") {
    CHECK(error_of({}) == "");
    CHECK(error_of({"--unshare-pid"}) == "");
    CHECK(error_of({"--unshare-pid", "--"}) == "");
}

TEST_CASE("unknown options are fatal with bwrap's message; there are no abbreviations or = forms") {
    CHECK(error_of({"--foo", "true"}) == "Unknown option --foo");
    CHECK(error_of({"--ro-b", "/", "/", "true"}) == "Unknown option --ro-b");
    CHECK(error_of({"--uid=5", "true"}) == "Unknown option --uid=5");
    CHECK(unknown_option_hint("--ro-bidn") == "did you mean --ro-bind?");
    CHECK(unknown_option_hint("--ro-b") == "");  // four options start so: none is the near miss
    CHECK(unknown_option_hint("--uid=5") == "options take their values as separate arguments: --uid 5");
    CHECK(unknown_option_hint("--unshare-all=1") == "did you mean --unshare-all?");  // a flag takes no value
    CHECK(unknown_option_hint("-h") == "see --help");
    CHECK(unknown_option_hint("--completely-different") == "");
    CHECK(unknown_option_hint("--seccomp-profil") == "did you mean --seccomp-profile?");
    CHECK(error_of({"-", "true"}) == "Unknown option -");
}

TEST_CASE("-- ends the options, so a command may start with a dash") {
    auto c = parse({"--unshare-pid", "--", "--weird", "-x"});
    REQUIRE(c);
    CHECK(c->unshare_pid);
    CHECK(c->command == Args{"--weird", "-x"});
}

TEST_CASE("the first non-option word is the command; later options belong to it") {
    auto c = parse({"--unshare-net", "sh", "-c", "--unshare-pid"});
    REQUIRE(c);
    CHECK(c->command == Args{"sh", "-c", "--unshare-pid"});
    CHECK_FALSE(c->unshare_pid);
}

TEST_CASE("a missing option argument is named with bwrap's words") {
    CHECK(error_of({"--tmpfs"}) == "--tmpfs takes an argument");
    CHECK(error_of({"--setenv", "A"}) == "--setenv takes two arguments");
    CHECK(error_of({"--bind", "/x"}) == "--bind takes two arguments");
}

TEST_CASE("ids are strict decimals in range") {
    CHECK(parse({"--uid", "0", "--gid", "4294967294", "true"}));
    CHECK(error_of({"--uid", "abc", "true"}) == "Invalid uid: abc");
    CHECK(error_of({"--gid", "-1", "true"}) == "Invalid gid: -1");
    CHECK(error_of({"--uid", "99999999999", "true"}) == "Invalid uid: 99999999999");
    CHECK(error_of({"--uid", "4294967295", "true"}) == "Invalid uid: 4294967295");
    CHECK(error_of({"--uid", " 5", "true"}) == "Invalid uid:  5");
}

TEST_CASE("last-wins options warn as bwrap does") {
    auto c = parse({"--chdir", "/a", "--chdir", "/b", "--uid", "1", "--uid", "2", "true"});
    REQUIRE(c);
    CHECK(*c->chdir == "/b");
    CHECK(*c->uid == 2);
    CHECK(c->warnings == std::vector<std::string>{"Only the last --chdir option will take effect",
                                                  "Only the last --uid option will take effect"});
}

TEST_CASE("a repeated --argv0 is fatal, as in bwrap") {
    CHECK(error_of({"--argv0", "a", "--argv0", "b", "true"}) == "Unknown option --argv0");
    auto c = parse({"--argv0", "zz", "true"});
    REQUIRE(c);
    CHECK(*c->argv0 == "zz");
}

TEST_CASE("environment options apply at parse time, in argv order") {
    auto c = parse({"--setenv", "A", "1", "--unsetenv", "HOME", "--setenv", "A", "2", "true"},
                   {"HOME=/root", "PATH=/bin"});
    REQUIRE(c);
    CHECK(c->env == std::vector<std::string>{"PATH=/bin", "A=2"});
    auto cleared = parse({"--setenv", "X", "1", "--clearenv", "--setenv", "Y", "2", "true"}, {"PATH=/bin"});
    REQUIRE(cleared);
    CHECK(cleared->env == std::vector<std::string>{"Y=2"});
}

TEST_CASE("a variable name with '=' cannot inject a second variable") {
    CHECK(error_of({"--setenv", "A=B", "c", "true"}) == "--setenv: invalid variable name 'A=B'");
    CHECK(error_of({"--unsetenv", "", "true"}) == "--unsetenv: invalid variable name ''");
}

TEST_CASE("--unshare-all is user-try, ipc, pid, net, uts and cgroup-try; --share-net is ordered") {
    auto c = parse({"--unshare-all", "true"});
    REQUIRE(c);
    CHECK(c->unshare_user_try);
    CHECK(c->unshare_ipc);
    CHECK(c->unshare_pid);
    CHECK(c->unshare_net);
    CHECK(c->unshare_uts);
    CHECK(c->unshare_cgroup_try);
    CHECK_FALSE(c->unshare_user);
    CHECK_FALSE(c->unshare_cgroup);
    CHECK_FALSE(parse({"--unshare-all", "--share-net", "true"})->unshare_net);
    CHECK(parse({"--share-net", "--unshare-all", "true"})->unshare_net);
    CHECK(parse({"--unshare-all", "--share-net", "--unshare-net", "true"})->unshare_net);
}

TEST_CASE("filesystem options keep their order and their variant flags") {
    auto c = parse({"--ro-bind-try", "/a", "/b", "--dev-bind", "/dev", "/dev", "--tmpfs", "/tmp", "--bind",
                    "s", "/d", "--symlink", "usr/bin", "/bin", "true"});
    REQUIRE(c);
    REQUIRE(c->fs.size() == 5);
    CHECK(c->fs[0] == FsRequest{"--ro-bind-try", FsKind::Bind, "/a", "/b", true, false, true});
    CHECK(c->fs[1] == FsRequest{"--dev-bind", FsKind::Bind, "/dev", "/dev", false, true, false});
    CHECK(c->fs[2] == FsRequest{"--tmpfs", FsKind::Tmpfs, "", "/tmp"});
    CHECK(c->fs[3] == FsRequest{"--bind", FsKind::Bind, "s", "/d"});
    CHECK(c->fs[4] == FsRequest{"--symlink", FsKind::Symlink, "usr/bin", "/bin"});
}

TEST_CASE("--help and --version act at once and ignore what follows") {
    auto h = parse({"--help", "--bogus"});
    REQUIRE(h);
    CHECK(h->help);
    auto v = parse({"--version"});
    REQUIRE(v);
    CHECK(v->version);
}

TEST_CASE("--args splices NUL-separated words in place") {
    FakeFds fds{{{5, "--unshare-pid\0--setenv\0K\0V\0"s}}};
    auto c = parse({"--args", "5", "--unshare-net", "true"}, {}, fds);
    REQUIRE(c);
    CHECK(c->unshare_pid);
    CHECK(c->unshare_net);
    CHECK(c->env == std::vector<std::string>{"K=V"});
    CHECK(c->command == Args{"true"});
}

TEST_CASE("--args: the trailing NUL is optional and an empty file has no words") {
    FakeFds fds{{{5, "--unshare-pid"s}, {6, ""}}};
    auto c = parse({"--args", "5", "--args", "6", "true"}, {}, fds);
    REQUIRE(c);
    CHECK(c->unshare_pid);
}

TEST_CASE("--args: a non-option word ends the file; the command must be on the real argv") {
    FakeFds fds{{{5, "--unshare-pid\0echo\0--unshare-net\0"s}}};
    auto c = parse({"--args", "5", "true"}, {}, fds);
    REQUIRE(c);
    CHECK(c->unshare_pid);
    CHECK_FALSE(c->unshare_net);
    CHECK(c->command == Args{"true"});
}

TEST_CASE("--args: nesting, bad fds and unreadable fds are errors") {
    FakeFds fds{{{5, "--args\0006\0"s}}};
    CHECK(error_of({"--args", "5", "true"}, fds) == "--args not supported in arguments file");
    CHECK(error_of({"--args", "abc", "true"}) == "Invalid fd: abc");
    CHECK(error_of({"--args", "-1", "true"}) == "Invalid fd: -1");
    auto r = parse({"--args", "77", "true"});
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "Can't read --args data");
    CHECK(r.error().errnum == EBADF);
}

TEST_CASE("an option missing its argument inside an --args file does not take words from argv") {
    FakeFds fds{{{5, "--tmpfs"s}}};
    CHECK(error_of({"--args", "5", "/tmp", "true"}, fds) == "--tmpfs takes an argument");
}

TEST_CASE("more than 9000 words in total is an error") {
    Args many(9001, "--unshare-pid");
    CHECK(error_of(many) == "Exceeded maximum number of arguments 9000");
    FakeFds fds;
    std::string data;
    for (int i = 0; i < 9000; ++i) data += "--unshare-pid"s + '\0';
    fds.data[5] = data;
    CHECK(error_of({"--args", "5", "true"}, fds) == "Exceeded maximum number of arguments 9000");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

FakeFds open_fds() {
    FakeFds fds;
    fds.data[5] = "data";
    return fds;
}

Result<Config> parse_open(const Args& args) {
    static const FakeFds fds = open_fds();
    CliIo io = fds.io();
    io.fd_is_open = [](int fd) { return fd <= 5; };
    return parse_cli(args, {}, io);
}

std::string error_open(const Args& args) {
    auto r = parse_open(args);
    REQUIRE_FALSE(r);
    return r.error().context;
}

TEST_CASE("--perms applies to the next creating option only, with bwrap's messages") {
    auto c = parse_open({"--perms", "0700", "--dir", "/a", "--dir", "/b", "true"});
    REQUIRE(c);
    CHECK(c->fs[0].perms == 0700u);
    CHECK_FALSE(c->fs[1].perms);
    for (const char* creator : {"--tmpfs", "--dir"})
        CHECK(parse_open({"--perms", "755", creator, "/x", "true"}));
    CHECK(parse_open({"--perms", "644", "--file", "5", "/x", "true"}));
    CHECK(parse_open({"--perms", "644", "--ro-bind-data", "5", "/x", "true"}));
    CHECK(error_open({"--perms", "0700", "--unshare-pid", "--dir", "/x", "true"}) ==
          "--perms must be followed by an option that creates a file");
    CHECK(error_open({"--perms", "0700", "true"}) ==
          "--perms must be followed by an option that creates a file");
    CHECK(error_open({"--perms", "0700", "--perms", "0700", "--dir", "/x", "true"}) ==
          "--perms given twice for the same action");
    CHECK(error_open({"--perms", "8", "--dir", "/x", "true"}) == "--perms takes an octal argument <= 07777");
    CHECK(error_open({"--perms", "010000", "--dir", "/x", "true"}) ==
          "--perms takes an octal argument <= 07777");
    CHECK(error_open({"--perms", "", "--dir", "/x", "true"}) == "--perms takes an octal argument <= 07777");
}

TEST_CASE("--size applies to the next --tmpfs only and is read like strtoull base 0") {
    CHECK(parse_open({"--size", "0x100000", "--tmpfs", "/t", "true"})->fs[0].size == 0x100000u);
    CHECK(parse_open({"--size", "010", "--tmpfs", "/t", "true"})->fs[0].size == 8u);
    CHECK(parse_open({"--size", "4096", "--perms", "0700", "--tmpfs", "/t", "true"})->fs[0].size == 4096u);
    for (const char* bad : {"0", "abc", "-5", "", " 5", "99999999999999999999999", "0x"})
        CHECK(error_open({"--size", bad, "--tmpfs", "/t", "true"}) ==
              "--size takes a non-zero number of bytes");
    CHECK(error_open({"--size", "100", "--dir", "/x", "true"}) == "--size must be followed by --tmpfs");
    CHECK(error_open({"--size", "100", "true"}) == "--size must be followed by --tmpfs");
}

TEST_CASE("--chmod takes an octal mode and a path") {
    auto c = parse_open({"--chmod", "0750", "/x", "true"});
    REQUIRE(c);
    CHECK(c->fs[0].kind == FsKind::Chmod);
    CHECK(c->fs[0].perms == 0750u);
    CHECK(error_open({"--chmod", "9", "/x", "true"}) == "--chmod takes an octal argument <= 07777");
}

TEST_CASE("fd arguments must be open while parsing, with bwrap's words for the later failure") {
    auto c = parse_open({"--file", "5", "/f", "--ro-bind-data", "3", "/g", "--bind-fd", "4", "/h", "true"});
    REQUIRE(c);
    CHECK(c->fs[0].fd == 5);
    CHECK(c->fs[1].read_only);
    CHECK(c->fs[2].kind == FsKind::BindFd);
    auto r = parse_open({"--file", "77", "/f", "true"});
    REQUIRE_FALSE(r);
    CHECK(r.error().context == "Can't write data to file /f");
    CHECK(r.error().errnum == EBADF);
    CHECK(error_open({"--bind-fd", "77", "/f", "true"}) == "Can't bind fd 77 on /f");
    CHECK(error_open({"--ro-bind-fd", "x", "/f", "true"}) == "Invalid fd: x");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("--cap-add and --cap-drop take libcap names, numbers and ALL in any case") {
    auto c = parse({"--cap-add", "CAP_NET_ADMIN", "--cap-drop", "cap_chown", "--cap-add", "all", "--cap-add",
                    "5", "true"});
    REQUIRE(c);
    REQUIRE(c->cap_ops.size() == 4);
    CHECK(c->cap_ops[0] == Config::CapOp{true, false, 12});
    CHECK(c->cap_ops[1] == Config::CapOp{false, false, 0});
    CHECK(c->cap_ops[2].all_caps);
    CHECK(c->cap_ops[3].cap == 5);
    CHECK(error_of({"--cap-add", "CAP_FOO", "true"}) == "unknown cap: CAP_FOO");
    CHECK(error_of({"--cap-drop", "chown", "true"}) == "unknown cap: chown");
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("coordination fds must be open, and warn when repeated") {
    auto c = parse_open({"--sync-fd", "3", "--sync-fd", "4", "--info-fd", "5", "--lock-file", "/a",
                         "--lock-file", "/b", "--level-prefix", "true"});
    REQUIRE(c);
    CHECK(c->coord.sync_fd == 4);
    CHECK(c->coord.info_fd == 5);
    CHECK(c->coord.lock_files == std::vector<std::string>{"/a", "/b"});
    CHECK(c->level_prefix);
    CHECK(c->warnings == std::vector<std::string>{"Only the last --sync-fd option will take effect"});
    for (const char* flag :
         {"--sync-fd", "--block-fd", "--userns-block-fd", "--info-fd", "--json-status-fd"}) {
        auto r = parse_open({flag, "77", "true"});
        REQUIRE_FALSE(r);
        CHECK(r.error().context == std::string(flag) + " 77");
        CHECK(r.error().errnum == EBADF);
    }
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("overlays take the --overlay-src layers before them, bottom first, with bwrap's messages") {
    auto c = parse({"--overlay-src", "/a", "--overlay-src", "/b", "--ro-overlay", "/o", "--overlay-src", "/c",
                    "--overlay", "/up", "/work", "/p", "--overlay-src", "/d", "--tmp-overlay", "/t", "true"});
    REQUIRE(c);
    REQUIRE(c->fs.size() == 3);
    CHECK(c->fs[0].kind == FsKind::RoOverlay);
    CHECK(c->fs[0].layers == std::vector<std::string>{"/a", "/b"});
    CHECK(c->fs[0].read_only);
    CHECK(c->fs[1].kind == FsKind::Overlay);
    CHECK(c->fs[1].source == "/up");
    CHECK(c->fs[1].work == "/work");
    CHECK(c->fs[1].layers == std::vector<std::string>{"/c"});
    CHECK(c->fs[2].kind == FsKind::TmpOverlay);
    CHECK(error_of({"--overlay-src", "/a", "--ro-overlay", "/o", "true"}) ==
          "--ro-overlay requires at least two --overlay-src");
    CHECK(error_of({"--tmp-overlay", "/o", "true"}) == "--tmp-overlay requires at least one --overlay-src");
    CHECK(error_of({"--overlay", "/u", "/w", "/o", "true"}) ==
          "--overlay requires at least one --overlay-src");
    const std::string dangling =
        "--overlay-src must be followed by another --overlay-src or one of --overlay, --tmp-overlay, or "
        "--ro-overlay";
    CHECK(error_of({"--overlay-src", "/a", "--dir", "/x", "true"}) == dangling);
    CHECK(error_of({"--overlay-src", "/a", "true"}) == dangling);
}

}  // namespace
}  // namespace cocoon

namespace cocoon {
namespace {

TEST_CASE("as cocoon, the word limit is far above bwrap's 9000") {
    CliIo io;
    io.max_args = kMaxArgsCocoon;
    Args many(20000, "--unshare-pid");
    many.push_back("true");
    CHECK(parse_cli(many, {}, io));
}

}  // namespace
}  // namespace cocoon

TEST_CASE("lifecycle options: --on-exit, --timeout, --kill-after, --rlimit") {
    using cocoon::parse_rlimit_value;
    using cocoon::parse_seconds;
    using cocoon::rlimit_resource;
    CHECK(parse_seconds("0.5") == 500000000u);
    CHECK(parse_seconds("10") == 10000000000u);
    CHECK(parse_seconds(".25") == 250000000u);
    CHECK(parse_seconds("1.000000001") == 1000000001u);
    for (const char* bad :
         {"0", "0.0", "", ".", "1.", "-1", "1e3", " 1", "1.0000000001", "100000001", "0x10"})
        CHECK_MESSAGE(!parse_seconds(bad), bad);
    CHECK(rlimit_resource("NOFILE") == RLIMIT_NOFILE);
    CHECK(rlimit_resource("nproc") == RLIMIT_NPROC);
    CHECK(rlimit_resource("RLIMIT_AS") == RLIMIT_AS);
    CHECK(rlimit_resource("RTTIME") == RLIMIT_RTTIME);
    CHECK(rlimit_resource("MEMLOCK") == RLIMIT_MEMLOCK);
    CHECK(!rlimit_resource("FILES"));
    CHECK(parse_rlimit_value("64") == cocoon::RlimitValue{64, 64});
    CHECK(parse_rlimit_value("64:128") == cocoon::RlimitValue{64, 128});
    CHECK(parse_rlimit_value("unlimited") == cocoon::RlimitValue{~0ULL, ~0ULL});
    CHECK(parse_rlimit_value("1:unlimited") == cocoon::RlimitValue{1, ~0ULL});
    for (const char* bad : {"", ":", "1:", ":1", "x", "1:2:3", "-1"})
        CHECK_MESSAGE(!parse_rlimit_value(bad), bad);
}

namespace cocoon {
namespace {

TEST_CASE("filesystem traits come from the option table, and agree with bwrap's spellings") {
    int with_traits = 0;
    for (const OptionSpec& spec : option_table()) {
        const std::string_view n = spec.name;
        if (spec.group != OptionGroup::Filesystem)
            continue;
        CHECK_MESSAGE(((spec.traits & kReadOnly) != 0) == n.starts_with("--ro-"), n);
        CHECK_MESSAGE(((spec.traits & kDevices) != 0) == n.starts_with("--dev-bind"), n);
        CHECK_MESSAGE(((spec.traits & kMayBeMissing) != 0) == n.ends_with("-try"), n);
        with_traits += spec.traits != 0 ? 1 : 0;
    }
    CHECK(with_traits == 10);  // bwrap's eight, --protect-try and --mask-try
}

}  // namespace
}  // namespace cocoon
