//! A tiny backtracking regular-expression matcher for REGEX_MATCH, REGEX_EXTRACT and
//! REGEX_REPLACE (the project takes no regex crate).
//!
//! Supported: literal characters, `.`, `^`, `$`, character classes `[a-z0-9_]` and `[^...]`,
//! `\d \D \w \W \s \S \n \t \r`, escaped punctuation (`\.`), and the greedy quantifiers
//! `* + ? {n} {n,} {n,m}`. Not supported (an error value names it): groups, alternation `|`,
//! backreferences, lazy quantifiers, flags, `\b`.

/// Patterns longer than this many pieces are refused (matching recurses once per piece).
const MAX_PIECES: usize = 500;
/// Steps one search may take before it gives up, so no pattern can hang the server.
const MAX_STEPS: usize = 1_000_000;

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    /// `\d` (or `\D` when negated), `\w`, `\s`.
    Builtin(char, bool),
}

#[derive(Debug, Clone)]
enum Atom {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Start,
    End,
}

#[derive(Debug, Clone)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Debug, Clone)]
pub(super) struct Regex {
    pieces: Vec<Piece>,
}

fn builtin_matches(kind: char, c: char) -> bool {
    match kind {
        'd' => c.is_ascii_digit(),
        'w' => c.is_ascii_alphanumeric() || c == '_',
        _ => c.is_whitespace(), // 's'
    }
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Char(x) => *x == c,
            Atom::Any => c != '\n',
            Atom::Class(items, negated) => {
                let hit = items.iter().any(|item| match item {
                    ClassItem::Range(lo, hi) => (*lo..=*hi).contains(&c),
                    ClassItem::Builtin(kind, neg) => builtin_matches(*kind, c) != *neg,
                });
                hit != *negated
            }
            Atom::Start | Atom::End => false,
        }
    }
}

/// Reads an escape after `\`: a class item or a literal character.
fn escape(c: char) -> Result<Result<ClassItem, char>, String> {
    Ok(match c {
        'd' | 'w' | 's' => Ok(ClassItem::Builtin(c, false)),
        'D' | 'W' | 'S' => Ok(ClassItem::Builtin(c.to_ascii_lowercase(), true)),
        'n' => Err('\n'),
        't' => Err('\t'),
        'r' => Err('\r'),
        c if c.is_alphanumeric() => return Err(format!("unsupported regular expression escape \\{c}")),
        c => Err(c),
    })
}

struct PatternReader {
    chars: Vec<char>,
    pos: usize,
}

impl PatternReader {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        self.pos += 1;
        c
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn atom(&mut self, c: char) -> Result<Atom, String> {
        Ok(match c {
            '.' => Atom::Any,
            '^' => Atom::Start,
            '$' => Atom::End,
            '[' => self.class()?,
            '\\' => match escape(self.next().ok_or("pattern ends with \\")?)? {
                Ok(item) => Atom::Class(vec![item], false),
                Err(literal) => Atom::Char(literal),
            },
            '(' | ')' | '|' | '*' | '+' | '?' | '{' => {
                return Err(format!("regular expression syntax not supported by the sandbox: {c}"))
            }
            c => Atom::Char(c),
        })
    }

    fn class(&mut self) -> Result<Atom, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut items = Vec::new();
        loop {
            let c = self.next().ok_or("unterminated [ in regular expression")?;
            let lo = match c {
                ']' if !items.is_empty() => return Ok(Atom::Class(items, negated)),
                '\\' => match escape(self.next().ok_or("pattern ends with \\")?)? {
                    Ok(item) => {
                        items.push(item);
                        continue;
                    }
                    Err(literal) => literal,
                },
                c => c,
            };
            let is_range = self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']');
            let hi = if is_range {
                self.pos += 1;
                self.next().ok_or("unterminated [ in regular expression")?
            } else {
                lo
            };
            items.push(ClassItem::Range(lo, hi));
        }
    }

    /// A quantifier after an atom: (min, max), `usize::MAX` meaning unbounded.
    fn quantifier(&mut self) -> Result<(usize, usize), String> {
        let bounds = match self.peek() {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => return self.braces(),
            _ => return Ok((1, 1)),
        };
        self.pos += 1;
        if matches!(self.peek(), Some('?' | '+')) {
            return Err("lazy or possessive quantifiers are not supported by the sandbox".into());
        }
        Ok(bounds)
    }

    fn braces(&mut self) -> Result<(usize, usize), String> {
        let close = self.chars[self.pos..]
            .iter()
            .position(|&c| c == '}')
            .ok_or("unterminated { in regular expression")?;
        let inside: String = self.chars[self.pos + 1..self.pos + close].iter().collect();
        self.pos += close + 1;
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("bad repetition {{{inside}}}"))
        };
        let (min, max) = match inside.split_once(',') {
            None => (number(&inside)?, number(&inside)?),
            Some((lo, "")) => (number(lo)?, usize::MAX),
            Some((lo, hi)) => (number(lo)?, number(hi)?),
        };
        if min > max {
            return Err(format!("bad repetition {{{inside}}}"));
        }
        Ok((min, max))
    }
}

impl Regex {
    pub fn new(pattern: &str) -> Result<Regex, String> {
        let mut reader = PatternReader {
            chars: pattern.chars().collect(),
            pos: 0,
        };
        let mut pieces = Vec::new();
        while let Some(c) = reader.next() {
            let atom = reader.atom(c)?;
            let (min, max) = reader.quantifier()?;
            if matches!(atom, Atom::Start | Atom::End) && (min, max) != (1, 1) {
                return Err("a quantifier cannot follow ^ or $".into());
            }
            pieces.push(Piece { atom, min, max });
            if pieces.len() > MAX_PIECES {
                return Err("regular expression too long for the sandbox".into());
            }
        }
        Ok(Regex { pieces })
    }

    /// The first match in `text`, as byte offsets; `Err` when the search takes too long.
    pub fn find(&self, text: &str) -> Result<Option<(usize, usize)>, String> {
        let chars: Vec<char> = text.chars().collect();
        let found = self.find_chars(&chars, 0)?;
        Ok(found.map(|(start, end)| (byte_offset(text, start), byte_offset(text, end))))
    }

    /// `text` with every non-overlapping match replaced by `replacement`.
    pub fn replace_all(&self, text: &str, replacement: &str) -> Result<String, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut pos = 0;
        while let Some((start, end)) = self.find_chars(&chars, pos)? {
            out.extend(&chars[pos..start]);
            out.push_str(replacement);
            if end == start {
                out.extend(chars.get(end));
                pos = end + 1;
            } else {
                pos = end;
            }
            if pos > chars.len() {
                break;
            }
        }
        out.extend(chars.get(pos..).unwrap_or_default());
        Ok(out)
    }

    fn find_chars(&self, text: &[char], from: usize) -> Result<Option<(usize, usize)>, String> {
        let mut steps = MAX_STEPS;
        for start in from..=text.len() {
            if let Some(end) = self.match_at(0, text, start, &mut steps)? {
                return Ok(Some((start, end)));
            }
        }
        Ok(None)
    }

    /// Where a match of pieces `index..` starting at `pos` ends, if there is one.
    fn match_at(&self, index: usize, text: &[char], pos: usize, steps: &mut usize) -> Result<Option<usize>, String> {
        let Some(piece) = self.pieces.get(index) else {
            return Ok(Some(pos));
        };
        *steps = steps
            .checked_sub(1)
            .ok_or("regular expression too slow for the sandbox")?;
        let anchor_holds = match piece.atom {
            Atom::Start => Some(pos == 0),
            Atom::End => Some(pos == text.len()),
            _ => None,
        };
        if let Some(holds) = anchor_holds {
            return if holds {
                self.match_at(index + 1, text, pos, steps)
            } else {
                Ok(None)
            };
        }
        let available = text[pos..]
            .iter()
            .take(piece.max)
            .take_while(|&&c| piece.atom.matches(c))
            .count();
        if available < piece.min {
            return Ok(None);
        }
        for taken in (piece.min..=available).rev() {
            if let Some(end) = self.match_at(index + 1, text, pos + taken, steps)? {
                return Ok(Some(end));
            }
        }
        Ok(None)
    }
}

fn byte_offset(text: &str, char_index: usize) -> usize {
    text.char_indices().nth(char_index).map_or(text.len(), |(i, _)| i)
}
