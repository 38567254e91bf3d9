//! Shell-style globs on names: `*`, `?`, `[abc]`, `[a-z]`, `[!abc]`, and `\` to escape.
//!
//! Names are short and patterns few, so a small backtracking matcher is all
//! routes and report filters need.

/// A compiled glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

impl Glob {
    /// Compiles `pattern`, or says what is wrong with it.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::AnyRun,
                '?' => Token::AnyOne,
                '\\' => Token::Literal(
                    chars
                        .next()
                        .ok_or_else(|| format!("glob `{pattern}` ends with a lone `\\`"))?,
                ),
                '[' => {
                    let negated = chars.next_if(|&c| c == '!' || c == '^').is_some();
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let c = chars
                            .next()
                            .ok_or_else(|| format!("glob `{pattern}` has an unclosed `[`"))?;
                        if c == ']' && !first {
                            break;
                        }
                        first = false;
                        let end = if chars.peek() == Some(&'-') {
                            chars.next();
                            match chars.next() {
                                Some(']') => {
                                    ranges.push((c, c));
                                    ranges.push(('-', '-'));
                                    break;
                                }
                                Some(end) => end,
                                None => {
                                    return Err(format!("glob `{pattern}` has an unclosed `[`"));
                                }
                            }
                        } else {
                            c
                        };
                        ranges.push((c, end));
                    }
                    Token::Class { negated, ranges }
                }
                c => Token::Literal(c),
            });
        }
        Ok(Glob { tokens })
    }

    /// True when the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        match_from(&self.tokens, &chars)
    }

    /// True when the pattern has no wildcard, so it matches exactly one name.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Literal(_)))
    }
}

fn match_from(tokens: &[Token], text: &[char]) -> bool {
    // Iterative matcher with one backtrack point for the last `*`, linear in practice.
    let (mut t, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < text.len() {
        let step = match tokens.get(t) {
            Some(Token::AnyRun) => {
                star = Some((t, s));
                t += 1;
                continue;
            }
            Some(Token::AnyOne) => true,
            Some(Token::Literal(c)) => *c == text[s],
            Some(Token::Class { negated, ranges }) => {
                ranges
                    .iter()
                    .any(|&(lo, hi)| lo <= text[s] && text[s] <= hi)
                    != *negated
            }
            None => false,
        };
        if step {
            t += 1;
            s += 1;
        } else if let Some((star_t, star_s)) = star {
            t = star_t + 1;
            s = star_s + 1;
            star = Some((star_t, star_s + 1));
        } else {
            return false;
        }
    }
    tokens[t..].iter().all(|token| *token == Token::AnyRun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str) -> Glob {
        Glob::new(pattern).unwrap()
    }

    #[test]
    fn wildcards() {
        assert!(glob("sum*").matches("summarize"));
        assert!(glob("sum*").matches("sum"));
        assert!(!glob("sum*").matches("asum"));
        assert!(glob("*-v?").matches("review-v2"));
        assert!(!glob("*-v?").matches("review-v10"));
        assert!(glob("a*b*c").matches("aXXbYYbc"));
        assert!(glob("*").matches(""));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(glob("[a-c]x").matches("bx"));
        assert!(!glob("[!a-c]x").matches("bx"));
        assert!(glob("[]]").matches("]"));
        assert!(glob("[a-]").matches("-"));
        assert!(glob(r"\*").matches("*"));
        assert!(!glob(r"\*").matches("x"));
        assert!(Glob::new("[abc").is_err());
        assert!(Glob::new("abc\\").is_err());
        assert!(glob("plain").is_literal());
        assert!(!glob("pl*n").is_literal());
    }
}
