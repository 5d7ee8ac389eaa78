// SPDX-License-Identifier: MIT
// Renders the bash, zsh and fish completions from the option table at build time,
// so they cannot drift from the parser: gen_completions bash|zsh|fish > FILE
#include <cctype>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/caps.h"
#include "core/options.h"
#include "core/seccomp_names.h"

namespace cocoon {
namespace {

std::string cap_words() {
    std::string out = "ALL";
    for (int cap = 0; cap < known_caps(); ++cap) {
        std::string name(cap_name(cap));
        for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out += " " + name;
    }
    return out;
}

std::string profile_words() {
    std::string out;
    for (const seccomp::Builtin& b : seccomp::builtin_profiles())
        out += (out.empty() ? "" : " ") + std::string(b.name);
    return out;
}

std::string bash_action(const OptionArg& arg) {
    switch (arg.kind) {
        case ArgKind::Choice:
            return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", arg.choices);
        case ArgKind::Capability:
            return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", cap_words());
        case ArgKind::Path:
            return "_filedir";
        case ArgKind::Directory:
            return "_filedir -d";
        case ArgKind::Profile:
            return fmt::format("_filedir; COMPREPLY+=($(compgen -W \"{}\" -- \"$cur\"))", profile_words());
        case ArgKind::Name:
            return "COMPREPLY=($(compgen -e -- \"$cur\"))";
        case ArgKind::Fd:
            return "COMPREPLY=($(compgen -W \"$(ls /proc/$$/fd 2>/dev/null)\" -- \"$cur\"))";
        case ArgKind::Number:
        case ArgKind::Text:
            return "COMPREPLY=()";
    }
    return "COMPREPLY=()";
}

std::string zsh_action(const OptionArg& arg) {
    switch (arg.kind) {
        case ArgKind::Choice:
            return fmt::format("({})", arg.choices);
        case ArgKind::Capability:
            return fmt::format("({})", cap_words());
        case ArgKind::Path:
            return "_files";
        case ArgKind::Directory:
            return "_files -/";
        case ArgKind::Profile:
            return "_cocoon_profiles";  // defined in the file: _arguments splits actions at ':'
        case ArgKind::Name:
            return "_parameters";
        case ArgKind::Fd:
            return "_file_descriptors";
        case ArgKind::Number:
        case ArgKind::Text:
            return " ";
    }
    return " ";
}

std::string escape_single(std::string_view text, std::string_view quote_escape) {
    std::string out;
    for (const char c : text) {
        if (c == '\'')
            out += quote_escape;
        else
            out += c;
    }
    return out;
}

// _arguments ends a description at an unescaped ']' ("argv[0]" in --argv0's).
std::string zsh_description(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '[' || c == ']' || c == ':' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

std::string bash() {
    std::string arity, actions, names;
    for (const OptionSpec& spec : option_table()) {
        names += fmt::format(" {}", spec.name);
        if (spec.args.empty())
            continue;
        arity += fmt::format("            {}) n={} ;;\n", spec.name, spec.args.size());
        for (std::size_t i = 0; i < spec.args.size(); ++i)
            actions += fmt::format("        {}:{}) {} ;;\n", spec.name, i + 1, bash_action(spec.args[i]));
    }
    return fmt::format(R"sh(# bash completion for cocoon, generated from its option table: do not edit.
_cocoon() {{
    local cur prev words cword
    _init_completion || return
    local i=1 n
    while ((i < cword)); do
        n=0
        case "${{words[i]}}" in
{}            --) _command_offset $((i + 1)); return ;;
            -*) ;;
            *) _command_offset "$i"; return ;;
        esac
        if ((i + n >= cword)); then
            case "${{words[i]}}:$((cword - i))" in
{}            esac
            return
        fi
        ((i += n + 1))
    done
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "{}" -- "$cur"))
    else
        COMPREPLY=($(compgen -c -- "$cur"))
    fi
}}
complete -F _cocoon cocoon
)sh",
                       arity, actions, names.substr(1));
}

std::string zsh() {
    std::string specs;
    for (const OptionSpec& spec : option_table()) {
        const bool once = spec.id == OptionId::Help || spec.id == OptionId::Version;
        std::string line = fmt::format("    '{}{}[{}]", once ? "(- *)" : "*", spec.name,
                                       escape_single(zsh_description(spec.help), "'\\''"));
        for (const OptionArg& arg : spec.args) line += fmt::format(":{}:{}", arg.name, zsh_action(arg));
        specs += line + "' \\\n";
    }
    return fmt::format(R"sh(#compdef cocoon
# zsh completion for cocoon, generated from its option table: do not edit.
_cocoon_profiles() {{
    _alternative 'profiles:built-in profile:({})' 'files:policy file:_files'
}}
_arguments -S \
{}    '(-)1:command:_command_names -e' \
    '*::arguments:_normal'
)sh",
                       profile_words(), specs);
}

std::string fish() {
    std::string out = "# fish completion for cocoon, generated from its option table: do not edit.\n";
    out += "complete -c cocoon -f\n";
    for (const OptionSpec& spec : option_table()) {
        std::string flags;
        if (!spec.args.empty()) {
            const ArgKind kind = spec.args.front().kind;
            flags = kind == ArgKind::Path || kind == ArgKind::Directory || kind == ArgKind::Profile ? " -r -F"
                                                                                                    : " -x";
            if (kind == ArgKind::Choice)
                flags += fmt::format(" -a '{}'", spec.args.front().choices);
            if (kind == ArgKind::Profile)
                flags += fmt::format(" -a '{}'", profile_words());
            if (kind == ArgKind::Capability)
                flags += fmt::format(" -a '{}'", cap_words());
        }
        out += fmt::format("complete -c cocoon -n 'not __fish_seen_subcommand_from --' -l {}{} -d '{}'\n",
                           spec.name.substr(2), flags, escape_single(spec.help, "\\'"));
    }
    out +=
        "complete -c cocoon -n '__fish_is_first_arg; or __fish_seen_subcommand_from --' -a "
        "'(__fish_complete_command)'\n";
    return out;
}

}  // namespace
}  // namespace cocoon

int main(int argc, char** argv) {
    const std::string_view shell = argc > 1 ? argv[1] : "";
    std::string text;
    if (shell == "bash")
        text = cocoon::bash();
    else if (shell == "zsh")
        text = cocoon::zsh();
    else if (shell == "fish")
        text = cocoon::fish();
    else {
        std::fputs("usage: gen_completions bash|zsh|fish\n", stderr);
        return 2;
    }
    std::fputs(text.c_str(), stdout);
    return 0;
}
