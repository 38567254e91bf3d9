//! `{prompt_file}`, `{prompt}`, `{variant}`, `{model}` and `{run_id}` in command arguments.

use std::ffi::OsString;

/// The values placeholders stand for.
#[derive(Debug, Clone, Copy)]
pub struct Placeholders<'a> {
    pub prompt_file: &'a str,
    pub prompt: &'a str,
    pub variant: &'a str,
    /// The planned model (`--model`, else the config's), or "".
    pub model: &'a str,
    pub run_id: &'a str,
}

impl Placeholders<'_> {
    fn value(&self, name: &str) -> Option<&str> {
        match name {
            "prompt_file" => Some(self.prompt_file),
            "prompt" => Some(self.prompt),
            "variant" => Some(self.variant),
            "model" => Some(self.model),
            "run_id" => Some(self.run_id),
            _ => None,
        }
    }

    /// Replaces every placeholder in one left-to-right pass, so a value that
    /// itself looks like a placeholder is never replaced again. Unknown `{...}`
    /// and arguments that are not UTF-8 pass through untouched.
    pub fn fill(&self, arg: &OsString) -> OsString {
        let Some(text) = arg.to_str().filter(|text| text.contains('{')) else {
            return arg.clone();
        };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after
                .find('}')
                .and_then(|close| Some((close, self.value(&after[..close])?)))
            {
                Some((close, value)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out.into()
    }

    /// Fills every argument of a command template.
    pub fn fill_all(&self, template: &[OsString]) -> Vec<OsString> {
        template.iter().map(|arg| self.fill(arg)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_once_and_leaves_the_rest() {
        let values = Placeholders {
            prompt_file: "/p/{variant}.md",
            prompt: "{variant}",
            variant: "b",
            model: "gpt-4o",
            run_id: "01",
        };
        let fill = |s: &str| values.fill(&OsString::from(s)).into_string().unwrap();
        assert_eq!(fill("--file={prompt_file}"), "--file=/p/{variant}.md");
        assert_eq!(fill("{prompt}/{variant}/{run_id}"), "{variant}/b/01");
        assert_eq!(fill("-m={model}"), "-m=gpt-4o");
        assert_eq!(fill("{unknown} {json: 1} {"), "{unknown} {json: 1} {");
        assert_eq!(fill("{{variant}}"), "{b}");
    }
}
