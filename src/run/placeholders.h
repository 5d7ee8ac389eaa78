// SPDX-License-Identifier: MIT
// Placeholders for the missing paths of strict --protect/--mask rules
// (HACKING.md, "Protected and masked paths"). A mount needs something to land
// on, so setup makes an empty file or directory where the path is missing. A
// process of ours outside, started before the sandbox, hears of each one
// before it is made and removes it once the sandbox has ended, on every exit
// path of cocoon, SIGKILL included. Sandboxes that run at once and protect
// the same missing path share its placeholder: each holds a shared flock(2)
// on it while it runs, and it goes only with an exclusive one, so the last of
// them to end removes it. [parent; the child side is child-safe]
#pragma once
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <utility>

#include "base/result.h"
#include "os/fd.h"
#include "run/freeze.h"

namespace cocoon {

// Set on every placeholder: what another sandbox finds with it is a
// placeholder it may remove once nobody holds it.
inline constexpr const char* kPlaceholderMark = "user.cocoon.placeholder";

// A placeholder file's own mtime, set once it is made: what tells one from
// the user's empty files without opening it (and where user xattrs are not
// to be had). A directory's changes with what is made in it.
inline constexpr long kPlaceholderFileNsec = 1;  // 1970-01-01 00:00:00.000000001
inline bool placeholder_file(const struct stat& st) {
    return S_ISREG(st.st_mode) && st.st_size == 0 && st.st_mtim.tv_sec == 0 &&
           st.st_mtim.tv_nsec == kPlaceholderFileNsec;
}

// The mtime of the directory a placeholder was made in, before and after:
// whoever removes it sets the first back if the directory still has the
// second. The mark's value.
struct DirTimes {
    std::int64_t before_sec = 0, before_nsec = 0;
    std::int64_t after_sec = 0, after_nsec = 0;
};

// One message from setup to the cleaner (SOCK_SEQPACKET). The fds that come
// with it: Intent, the directory; Made, the placeholder (share-locked);
// Adopt, the directory and the placeholder (share-locked). Our pidfd follows
// them in the first message.
struct PlaceholderNote {
    enum Kind : std::uint32_t { Intent = 1, Made = 2, Adopt = 3 };
    static constexpr char kAgreed = 1, kFull = 2, kThere = 3;  // the cleaner's answer to an Intent
    std::uint32_t kind = Intent;
    std::uint32_t is_dir = 0;
    std::uint64_t dev = 0;  // Made: the placeholder's identity, checked before it goes
    std::uint64_t ino = 0;
    DirTimes times;       // Made
    char name[256] = {};  // Intent, Adopt: the name in the directory passed with it
};

inline constexpr int kMaxPlaceholders = 256;

// An exclusive flock(2) of directory `dir` (an O_PATH fd), held around making
// or removing a placeholder in it and setting its mtime back, so that
// sandboxes sharing a directory take turns. None in a placeholder directory
// (sandboxes hold those shared while they use them; its mtime goes with it).
// Not for ever: after 0.1 s without it (a sandboxed process may hold one out
// of spite) we go on, and only the directory's mtime may then be off. The
// locked fd, or -1. [child-safe]
int lock_directory(int dir) noexcept;

class PlaceholderCleaner {
public:
    // The socket and the pipe; the cleaner itself is forked only when setup
    // first writes to the socket (start_now), so a sandbox whose paths are
    // all there pays nothing more. Setup waits for the cleaner's answer
    // before it makes anything.
    static Result<PlaceholderCleaner> create();
    PlaceholderCleaner(PlaceholderCleaner&& other) noexcept
        : pid_(std::exchange(other.pid_, -1)),
          ours_(std::move(other.ours_)),
          theirs_(std::move(other.theirs_)),
          made_(std::move(other.made_)),
          made_write_(std::move(other.made_write_)),
          close_first_(std::exchange(other.close_first_, nullptr)) {}
    PlaceholderCleaner& operator=(PlaceholderCleaner&&) = delete;
    ~PlaceholderCleaner() { finish(true); }

    // The socket setup writes to (Frozen::placeholder_fd); we hold it too, so
    // that the cleaner waits for us whatever the sandbox does with its copies.
    int sandbox_end() const { return ours_.get(); }
    // Readable once setup has written (poll it until then); -1 once forked.
    int wake_fd() const { return theirs_.get(); }
    // Forks the cleaner: its own session, stdio on /dev/null, every other fd
    // closed but its end of the socket and the pipe. On failure its end is
    // closed all the same: setup, unanswered, makes nothing and fails.
    Status start_now();
    // Closed before we wait for the cleaner: PID 1 waits for this one to close
    // (the life pipe) before it ends the sandbox.
    void close_first(UniqueFd& fd) { close_first_ = &fd; }
    // Lets the cleaner go. With `wait` (the sandbox is over, or about to be
    // once close_first is closed), when it holds any placeholder, waits until
    // it is done, so that the caller finds its tree as it was. Without
    // (--on-exit detach left processes running), they stay until the sandbox
    // ends.
    void finish(bool wait);

private:
    PlaceholderCleaner() = default;
    pid_t pid_ = -1;
    UniqueFd ours_;
    UniqueFd theirs_;      // the cleaner's end, until it is forked
    UniqueFd made_;        // a byte once the cleaner holds a placeholder
    UniqueFd made_write_;  // the cleaner's end of that pipe, until it is forked
    UniqueFd* close_first_ = nullptr;
};

namespace child {

struct PlaceholderState {
    int sock = -1;  // Frozen::placeholder_fd
    bool sent_pidfd = false;
};

// Setup's side (run/placeholder_setup.cc), async-signal-safe, for a strict
// rule `m`: `found` is what open_rule_target gave (-1 with errno). A missing
// path is made, with the directories missing on the way (pinned); another
// sandbox's placeholder on the way is held. Returns the fd the rule goes on
// (taking `found`), or -1 with errno: EROFS or EACCES where nothing can be
// made, by the sandbox either.
int placeholder_target(const FrozenMount& m, int root, int found, PlaceholderState& state) noexcept;

}  // namespace child
}  // namespace cocoon
