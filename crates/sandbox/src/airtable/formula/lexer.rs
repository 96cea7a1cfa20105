//! Splits a formula into tokens, each with the character offset where it starts.

use super::FormulaError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Number(f64),
    Text(String),
    /// `{Field Name}`, unescaped.
    Field(String),
    /// A bare word: a function name or a field name without braces.
    Ident(String),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Amp,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    /// 0-based character (not byte) offset in the source.
    pub pos: usize,
}

/// A parse error at `pos` (0-based); the message counts characters from 1 and quotes a snippet.
pub(super) fn error_at(src: &[char], pos: usize, what: &str) -> FormulaError {
    const SNIPPET: usize = 20;
    let place = if pos >= src.len() {
        "(end of formula)".to_string()
    } else {
        let end = (pos + SNIPPET).min(src.len());
        let mut snippet: String = src[pos..end]
            .iter()
            .map(|&c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        if end < src.len() {
            snippet.push('…');
        }
        format!("near \"{snippet}\"")
    };
    FormulaError::new(format!("{what} at character {} {place}", pos + 1))
}

/// The tokens of `src`, ending with one `Tok::End`.
pub(super) fn tokenize(src: &[char]) -> Result<Vec<Token>, FormulaError> {
    let mut lexer = Lexer { src, pos: 0 };
    let mut tokens = Vec::new();
    loop {
        let token = lexer.next_token()?;
        let done = token.tok == Tok::End;
        tokens.push(token);
        if done {
            return Ok(tokens);
        }
    }
}

struct Lexer<'a> {
    src: &'a [char],
    pos: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.src.get(self.pos + ahead).copied()
    }

    fn next_token(&mut self) -> Result<Token, FormulaError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        let pos = self.pos;
        let tok = match self.peek() {
            None => Tok::End,
            Some(c) if c.is_ascii_digit() => self.number(),
            Some('.') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => self.number(),
            Some(q @ ('"' | '\'')) => self.text(q)?,
            Some('{') => self.field()?,
            Some(c) if c.is_alphabetic() || c == '_' => self.ident(),
            Some(c) => self.operator(c)?,
        };
        Ok(Token { tok, pos })
    }

    fn take_digits(&mut self, out: &mut String) {
        while let Some(c) = self.peek().filter(char::is_ascii_digit) {
            out.push(c);
            self.pos += 1;
        }
    }

    /// `12`, `2.5`, `.5`, `1e3`, `1.5E-2`.
    fn number(&mut self) -> Tok {
        let mut text = String::new();
        self.take_digits(&mut text);
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            text.push('.');
            self.pos += 1;
            self.take_digits(&mut text);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some('+' | '-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                text.push('e');
                if sign == 1 {
                    text.extend(self.peek_at(1));
                }
                self.pos += 1 + sign;
                self.take_digits(&mut text);
            }
        }
        // The text is digits with at most one '.' and one exponent: it always parses.
        Tok::Number(text.parse().unwrap_or(f64::NAN))
    }

    /// A string in `quote`s: `\"`, `\'`, `\\` stand for the character, `\n`, `\t`, `\r` for
    /// control characters; any other backslash is kept (`'\d'` is backslash, d).
    fn text(&mut self, quote: char) -> Result<Tok, FormulaError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(error_at(self.src, start, "unterminated string"));
            };
            self.pos += 1;
            if c == quote {
                return Ok(Tok::Text(out));
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(escaped) = self.peek() else {
                return Err(error_at(self.src, start, "unterminated string"));
            };
            self.pos += 1;
            match escaped {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '"' | '\'' | '\\' => out.push(escaped),
                // Kept whole, so regular expressions like '\d+' read as they are written.
                other => out.extend(['\\', other]),
            }
        }
    }

    /// `{Name}`; `\}` is `}` and `\\` is `\`; any other backslash is kept as it is.
    fn field(&mut self) -> Result<Tok, FormulaError> {
        let start = self.pos;
        self.pos += 1;
        let mut name = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(error_at(self.src, start, "unterminated field reference"));
            };
            self.pos += 1;
            match c {
                '}' if name.is_empty() => {
                    return Err(error_at(self.src, start, "empty field name"));
                }
                '}' => return Ok(Tok::Field(name)),
                '\\' if matches!(self.peek(), Some('}' | '\\')) => {
                    name.extend(self.peek());
                    self.pos += 1;
                }
                c => name.push(c),
            }
        }
    }

    fn ident(&mut self) -> Tok {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|&c| c.is_alphanumeric() || c == '_') {
            name.push(c);
            self.pos += 1;
        }
        Tok::Ident(name)
    }

    fn operator(&mut self, c: char) -> Result<Tok, FormulaError> {
        let next_is_eq = self.peek_at(1) == Some('=');
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            ',' => (Tok::Comma, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '&' => (Tok::Amp, 1),
            '=' => (Tok::Eq, 1),
            '!' if next_is_eq => (Tok::Ne, 2),
            '<' if next_is_eq => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if next_is_eq => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '“' | '”' | '‘' | '’' => {
                let what = format!("unexpected character '{c}' (use straight quotes ' or \")");
                return Err(error_at(self.src, self.pos, &what));
            }
            _ => {
                let what = format!("unexpected character '{c}'");
                return Err(error_at(self.src, self.pos, &what));
            }
        };
        self.pos += len;
        Ok(tok)
    }
}
