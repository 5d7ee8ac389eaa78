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

// What fish completes next comes from walking the words typed so far with the
// table's arities (__cocoon_next): an option, the Nth argument of one (by
// kind), or COMMAND, whose own words go to its completion.
std::string fish_kind(const OptionSpec& spec, const OptionArg& arg) {
    switch (arg.kind) {
        case ArgKind::Path:
        case ArgKind::Directory:
            return "path";
        case ArgKind::Profile:
            return "profile";
        case ArgKind::Capability:
            return "cap";
        case ArgKind::Choice:
            return "choice" + std::string(spec.name);
        case ArgKind::Fd:
        case ArgKind::Number:
        case ArgKind::Name:
        case ArgKind::Text:
            return "value";
    }
    return "value";
}

std::string fish() {
    std::string out = "# fish completion for cocoon, generated from its option table: do not edit.\n";
    out += R"fish(function __cocoon_next
    set -l tokens (commandline -opc)
    set -l n (count $tokens)
    set -l i 2
    while test $i -le $n
        set -l t $tokens[$i]
        if test "$t" = --
            echo command (math $i + 1)
            return
        end
        set -l kinds
        switch $t
)fish";
    for (const OptionSpec& spec : option_table()) {
        if (spec.args.empty())
            continue;
        std::string kinds;
        for (const OptionArg& arg : spec.args) kinds += " " + fish_kind(spec, arg);
        out += fmt::format("            case {}\n                set kinds{}\n", spec.name, kinds);
    }
    out += R"fish(            case '-*'
            case '*'
                echo command $i
                return
        end
        set -l need (count $kinds)
        if test (math $i + $need) -gt $n
            echo arg $kinds[(math $n - $i + 1)]
            return
        end
        set i (math $i + 1 + $need)
    end
    echo option
end
function __cocoon_expects
    string match -q -- "$argv" (__cocoon_next)
end
function __cocoon_at_command
    set -l next (__cocoon_next)
    string match -q 'command *' -- $next; and return 0
    test "$next" = option; and not string match -q -- '-*' (commandline -ct)
end
function __cocoon_complete_command
    set -l tokens (commandline -opc) (commandline -ct)
    set -l next (string split ' ' -- (__cocoon_next))
    set -l at (count $tokens)
    test "$next[1]" = command; and set at $next[2]
    __fish_complete_subcommand --commandline $tokens[$at..-1]
end
complete -c cocoon -f
complete -c cocoon -n '__cocoon_at_command' -a '(__cocoon_complete_command)'
complete -c cocoon -n '__cocoon_expects "arg path"' -F
)fish";
    out +=
        fmt::format("complete -c cocoon -n '__cocoon_expects \"arg profile\"' -F -a '{}'\n", profile_words());
    out += fmt::format("complete -c cocoon -n '__cocoon_expects \"arg cap\"' -a '{}'\n", cap_words());
    for (const OptionSpec& spec : option_table())
        for (const OptionArg& arg : spec.args)
            if (arg.kind == ArgKind::Choice)
                out += fmt::format("complete -c cocoon -n '__cocoon_expects \"arg {}\"' -a '{}'\n",
                                   fish_kind(spec, arg), arg.choices);
    for (const OptionSpec& spec : option_table())
        out += fmt::format("complete -c cocoon -n '__cocoon_expects option' -l {} -d '{}'\n",
                           spec.name.substr(2), escape_single(spec.help, "\\'"));
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
