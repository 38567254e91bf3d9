//! `promptrun completions <SHELL>`: clap's script, plus (bash, zsh, fish) a hook
//! that offers the config's prompt names as the main argument, asked of
//! `promptrun __complete-prompts` each time, so it follows the config.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::{Result, exit};

/// Prints the completion script for a shell.
pub fn run(args: &CompletionsArgs) -> Result<i32> {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "promptrun", &mut buffer);
    let script = with_prompt_names(args.shell, String::from_utf8_lossy(&buffer).into_owned());
    crate::cmd::output::write_all(script.as_bytes())?;
    Ok(exit::OK)
}

const BASH_HOOK: &str = r#"
# Prompt names from the config, as the first argument or after `run`.
_promptrun_with_prompts() {
    _promptrun "$@"
    local cur="${COMP_WORDS[COMP_CWORD]}"
    if [[ ${cur} != -* ]] && { [[ ${COMP_CWORD} -eq 1 ]] || [[ ${COMP_CWORD} -eq 2 && ${COMP_WORDS[1]} == run ]]; }; then
        local names
        names="$("${COMP_WORDS[0]}" __complete-prompts 2>/dev/null)"
        COMPREPLY+=( $(compgen -W "${names}" -- "${cur}") )
    fi
}
"#;

const ZSH_HOOK: &str = r#"
# Prompt names from the config, as the first argument.
(( $+functions[_promptrun_prompt_names] )) ||
_promptrun_prompt_names() {
    local -a names
    names=(${(f)"$(${words[1]:-promptrun} __complete-prompts 2>/dev/null)"})
    _describe -t prompts 'prompts' names
}
"#;

const FISH_HOOK: &str = r#"
# Prompt names from the config, as the first argument.
complete -c promptrun -n "__fish_promptrun_needs_command" -f -a "(promptrun __complete-prompts 2>/dev/null)" -d prompt
"#;

/// `script` with the hook that completes prompt names (bash, zsh, fish).
fn with_prompt_names(shell: Shell, script: String) -> String {
    match shell {
        Shell::Bash => {
            let (body, registration) = match script.find("\nif [[ \"${BASH_VERSINFO[0]}\" -eq 4") {
                Some(at) => script.split_at(at),
                None => (script.as_str(), ""),
            };
            format!(
                "{body}{BASH_HOOK}{}",
                registration.replace(
                    "complete -F _promptrun ",
                    "complete -F _promptrun_with_prompts "
                )
            )
        }
        Shell::Zsh => {
            let prompt_arg = "a name a route matches:_default'";
            let script = script.replacen(
                prompt_arg,
                "a name a route matches:_promptrun_prompt_names'",
                1,
            );
            match script.find("\nif [ \"$funcstack[1]\" = \"_promptrun\" ]") {
                Some(at) => format!("{}{ZSH_HOOK}{}", &script[..at], &script[at..]),
                None => script + ZSH_HOOK,
            }
        }
        Shell::Fish => script + FISH_HOOK,
        _ => script,
    }
}
