// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cerrno>
#include <string>

#include <nlohmann/json.hpp>

#include "core/diagnose.h"

namespace cocoon {
namespace {

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

const Finding* find(const std::vector<Finding>& findings, std::string_view topic) {
    for (const Finding& f : findings)
        if (f.topic == topic)
            return &f;
    return nullptr;
}

TEST_CASE("a failed clone is explained by what refuses it, in the order the kernel checks") {
    DiagnosisFacts f;
    CHECK(explain_failure(FailedAt::Clone, EPERM, f) ==
          std::vector<std::string>{"cause: the kernel refuses this user a new user namespace (EPERM)",
                                   "fix: cocoon --check lists what this machine allows"});
    f.apparmor_restrict_userns = 1;
    CHECK(joined(explain_failure(FailedAt::Clone, EPERM, f)).find("Ubuntu's AppArmor") != std::string::npos);
    f.unprivileged_userns_clone = 0;
    CHECK(joined(explain_failure(FailedAt::Clone, EPERM, f)).find("unprivileged_userns_clone = 0") !=
          std::string::npos);
    f.seccomp_filters = 2;  // a filter answers before any sysctl is looked at
    const std::string filtered = joined(explain_failure(FailedAt::Clone, EPERM, f));
    CHECK(filtered.find("(2 installed") != std::string::npos);
    CHECK(filtered.find("fix: start the container with --security-opt seccomp=unconfined") !=
          std::string::npos);
    CHECK(joined(explain_failure(FailedAt::Clone, ENOSYS, f)).find("answers ENOSYS") != std::string::npos);
    DiagnosisFacts limits;
    limits.max_user_namespaces = 0;
    CHECK(explain_failure(FailedAt::Clone, ENOSPC, limits).at(0) ==
          "cause: user.max_user_namespaces = 0: user namespaces are disabled");
    limits.max_user_namespaces = 100;
    limits.in_user_namespace = true;
    CHECK(explain_failure(FailedAt::Clone, ENOSPC, limits).at(0).find("nesting limit") != std::string::npos);
    CHECK(explain_failure(FailedAt::Clone, EINVAL, limits).empty());
}

TEST_CASE("setup failures after clone: the new root, /proc, pivot_root, seccomp") {
    DiagnosisFacts f;
    f.kernel_release = "4.18.0";
    f.kernel.new_mount_api = false;  // a fallback, not a cause: nothing to say
    CHECK(explain_failure(FailedAt::NewRoot, ENOSYS, f).empty());
    CHECK(explain_failure(FailedAt::ProcMount, EPERM, f).empty());  // a visible /proc: no known cause
    f.proc_overmounts = {"/proc/keys", "/proc/kcore"};
    f.proc_sys_read_only = true;
    CHECK(explain_failure(FailedAt::ProcMount, EPERM, f)
              .at(0)
              .starts_with("cause: 2 paths of this /proc masked (/proc/keys, ...) and /proc/sys read-only"));
    CHECK(explain_failure(FailedAt::ProcMount, EPERM, f)
              .at(1)
              .starts_with("fix: replace --proc /proc with --bind /proc /proc"));
    f.root_fs_type = "rootfs";
    CHECK(explain_failure(FailedAt::PivotRoot, EINVAL, f).at(0).find("initramfs") != std::string::npos);
    f.seccomp_mode = 0;  // the kernel has seccomp: nothing more to say about EINVAL
    CHECK(explain_failure(FailedAt::Seccomp, EINVAL, f).empty());
    f.seccomp_mode.reset();
    CHECK(explain_failure(FailedAt::Seccomp, EINVAL, f).at(0).find("CONFIG_SECCOMP") != std::string::npos);
    CHECK(explain_failure(FailedAt::Other, EPERM, f).empty());
}

TEST_CASE("--check: every topic once, fixes for problems only, JSON with the same facts") {
    DiagnosisFacts f;
    f.kernel_release = "6.1.0";
    f.max_user_namespaces = 63000;
    f.seccomp_mode = 0;
    f.root_fs_type = "ext4";
    f.newuidmap = "/usr/bin/newuidmap";
    f.newgidmap = "/usr/bin/newgidmap";
    f.newuidmap_privileged = f.newgidmap_privileged = true;
    f.user_name = "alice";
    f.subuid_count = f.subgid_count = 65536;
    f.landlock_abi = 3;
    f.cgroup2 = true;
    f.cgroup2_controllers = "cpu memory pids";
    std::vector<Finding> ok = check_host(f);
    for (const Finding& finding : ok) CHECK_MESSAGE(finding.level == Level::Ok, finding.topic);
    CHECK(find(ok, "kernel")->what == "Linux 6.1.0");
    f.kernel.mount_setattr = false;
    f.apparmor_restrict_userns = 1;
    f.proc_overmounts = {"/proc/keys"};
    f.newuidmap_privileged = false;
    f.subgid_count = 0;
    const std::vector<Finding> found = check_host(f);
    CHECK(found.size() == ok.size());
    CHECK(find(found, "mount_setattr")->level == Level::Warn);
    f.kernel.pidfd = false;
    CHECK(find(check_host(f), "pidfds")->what == "missing (Linux 5.4): SIGCHLD and process ids instead");
    f.kernel.pidfd = true;
    CHECK(find(found, "apparmor")->level == Level::Fail);
    CHECK(find(found, "/proc")->level == Level::Warn);
    CHECK(find(found, "newuidmap")->fix.find("chmod u+s /usr/bin/newuidmap") != std::string::npos);
    CHECK(find(found, "/etc/subgid")->fix ==
          "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice");
    f.apparmor_profile = true;
    CHECK(find(check_host(f), "apparmor")->level == Level::Ok);

    const std::string text = render_findings(found, false);
    CHECK(text.find("fail  apparmor: restricts unprivileged user namespaces") != std::string::npos);
    CHECK(text.find("ok    kernel: Linux 6.1.0\nok    clone3: present\n") == 0);
    const nlohmann::json j = nlohmann::json::parse(render_findings(found, true));
    REQUIRE(j["checks"].size() == found.size());
    CHECK(j["checks"][0] ==
          nlohmann::json({{"topic", "kernel"}, {"level", "ok"}, {"what", "Linux 6.1.0"}, {"fix", ""}}));
}

}  // namespace
}  // namespace cocoon
