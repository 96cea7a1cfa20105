//! Recursive-descent parser: tokens to a tree of `Node`s.
//!
//! ```text
//! formula    := expression? END
//! expression := concat (("=" | "!=" | "<" | ">" | "<=" | ">=") concat)*
//! concat     := additive ("&" additive)*
//! additive   := term (("+" | "-") term)*
//! term       := unary (("*" | "/") unary)*
//! unary      := "-" unary | primary
//! primary    := NUMBER | STRING | "{" FIELD "}" | NAME "(" arguments? ")" | NAME
//!             | "(" expression ")"
//! arguments  := expression ("," expression)*
//! ```

use super::functions::{self, FuncSpec, Lookup};
use super::lexer::{error_at, tokenize, Tok, Token};
use super::FormulaError;

/// How deeply parentheses, calls and unary minus may nest; keeps recursion off the stack's end.
const MAX_NESTING: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Concat,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone)]
pub(super) enum Node {
    Number(f64),
    Text(String),
    Bool(bool),
    Field(String),
    Neg(Box<Node>),
    /// Left-associative operators of one precedence level: `first op1 x1 op2 x2 ...`.
    Chain(Box<Node>, Vec<(BinOp, Node)>),
    Call(&'static FuncSpec, Vec<Node>),
}

/// A parsed formula: its tree (`None` for an empty formula) and the fields it names.
#[derive(Debug)]
pub(super) struct Parsed {
    pub root: Option<Node>,
    pub fields: Vec<String>,
}

pub(super) fn parse(source: &str) -> Result<Parsed, FormulaError> {
    let src: Vec<char> = source.chars().collect();
    let tokens = tokenize(&src)?;
    let mut parser = Parser {
        src: &src,
        tokens,
        idx: 0,
        nesting: 0,
        fields: Vec::new(),
    };
    let root = if parser.peek() == &Tok::End {
        None
    } else {
        let root = parser.expression()?;
        if parser.peek() != &Tok::End {
            let what = format!("unexpected {}", parser.describe_current());
            return Err(parser.error(&what));
        }
        Some(root)
    };
    Ok(Parsed {
        root,
        fields: parser.fields,
    })
}

/// The operators of each binary precedence level, loosest first.
const LEVELS: [fn(&Tok) -> Option<BinOp>; 4] = [comparison_op, concat_op, additive_op, term_op];

fn comparison_op(tok: &Tok) -> Option<BinOp> {
    match tok {
        Tok::Eq => Some(BinOp::Eq),
        Tok::Ne => Some(BinOp::Ne),
        Tok::Lt => Some(BinOp::Lt),
        Tok::Gt => Some(BinOp::Gt),
        Tok::Le => Some(BinOp::Le),
        Tok::Ge => Some(BinOp::Ge),
        _ => None,
    }
}

fn concat_op(tok: &Tok) -> Option<BinOp> {
    (tok == &Tok::Amp).then_some(BinOp::Concat)
}

fn additive_op(tok: &Tok) -> Option<BinOp> {
    match tok {
        Tok::Plus => Some(BinOp::Add),
        Tok::Minus => Some(BinOp::Sub),
        _ => None,
    }
}

fn term_op(tok: &Tok) -> Option<BinOp> {
    match tok {
        Tok::Star => Some(BinOp::Mul),
        Tok::Slash => Some(BinOp::Div),
        _ => None,
    }
}

fn operator_text(tok: &Tok) -> &'static str {
    match tok {
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Amp => "&",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Gt => ">",
        Tok::Le => "<=",
        Tok::Ge => ">=",
        _ => "?",
    }
}

struct Parser<'a> {
    src: &'a [char],
    tokens: Vec<Token>,
    idx: usize,
    nesting: usize,
    fields: Vec<String>,
}

impl Parser<'_> {
    fn current(&self) -> &Token {
        // `tokenize` always ends the list with `End`, and `advance` never moves past it.
        &self.tokens[self.idx.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.current().tok
    }

    fn peek_next(&self) -> &Tok {
        self.tokens
            .get(self.idx + 1)
            .map_or(&Tok::End, |token| &token.tok)
    }

    fn advance(&mut self) {
        if self.idx + 1 < self.tokens.len() {
            self.idx += 1;
        }
    }

    fn error(&self, what: &str) -> FormulaError {
        error_at(self.src, self.current().pos, what)
    }

    fn describe_current(&self) -> String {
        match self.peek() {
            Tok::Number(n) => format!("number {n}"),
            Tok::Text(_) => "text".to_string(),
            Tok::Field(name) => format!("field reference {{{name}}}"),
            Tok::Ident(name) => format!("name {name}"),
            Tok::End => "end of formula".to_string(),
            op => format!("'{}'", operator_text(op)),
        }
    }

    fn enter(&mut self) -> Result<(), FormulaError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            let what = format!("formula nested more than {MAX_NESTING} levels deep");
            return Err(self.error(&what));
        }
        Ok(())
    }

    fn expression(&mut self) -> Result<Node, FormulaError> {
        self.enter()?;
        let node = self.level(0)?;
        self.nesting -= 1;
        Ok(node)
    }

    fn level(&mut self, level: usize) -> Result<Node, FormulaError> {
        let Some(op_of) = LEVELS.get(level) else {
            return self.unary();
        };
        let first = self.level(level + 1)?;
        let mut rest = Vec::new();
        while let Some(op) = op_of(self.peek()) {
            self.advance();
            rest.push((op, self.level(level + 1)?));
        }
        Ok(if rest.is_empty() {
            first
        } else {
            Node::Chain(Box::new(first), rest)
        })
    }

    fn unary(&mut self) -> Result<Node, FormulaError> {
        if self.peek() != &Tok::Minus {
            return self.primary();
        }
        self.advance();
        self.enter()?;
        let operand = self.unary()?;
        self.nesting -= 1;
        Ok(Node::Neg(Box::new(operand)))
    }

    fn primary(&mut self) -> Result<Node, FormulaError> {
        let node = match self.peek().clone() {
            Tok::Number(n) => Node::Number(n),
            Tok::Text(text) => Node::Text(text),
            Tok::Field(name) => self.field(name),
            Tok::Ident(name) if self.peek_next() == &Tok::LParen => return self.call(name),
            Tok::Ident(name) if name.eq_ignore_ascii_case("true") => Node::Bool(true),
            Tok::Ident(name) if name.eq_ignore_ascii_case("false") => Node::Bool(false),
            Tok::Ident(name) => self.field(name),
            Tok::LParen => {
                self.advance();
                let inner = self.expression()?;
                self.expect_rparen()?;
                return Ok(inner);
            }
            Tok::End => return Err(self.error("unexpected end of formula, expected a value")),
            _ => {
                let what = format!("unexpected {}, expected a value", self.describe_current());
                return Err(self.error(&what));
            }
        };
        self.advance();
        Ok(node)
    }

    fn expect_rparen(&mut self) -> Result<(), FormulaError> {
        if self.peek() != &Tok::RParen {
            return Err(self.error("expected ')'"));
        }
        self.advance();
        Ok(())
    }

    /// Records a field name (once, compared case-insensitively, in order of first use).
    fn field(&mut self, name: String) -> Node {
        let lower = name.to_lowercase();
        if !self.fields.iter().any(|f| f.to_lowercase() == lower) {
            self.fields.push(name.clone());
        }
        Node::Field(name)
    }

    fn call(&mut self, name: String) -> Result<Node, FormulaError> {
        let name_pos = self.current().pos;
        let spec = match functions::lookup(&name) {
            Lookup::Found(spec) => spec,
            Lookup::Unsupported => {
                let what = format!(
                    "function not supported by the sandbox: {}",
                    name.to_uppercase()
                );
                return Err(self.error(&what));
            }
            Lookup::Unknown => return Err(self.error(&format!("unknown function {name}"))),
        };
        self.advance(); // name
        self.advance(); // '('
        let args = self.arguments()?;
        if !spec.accepts(args.len()) {
            let what = format!(
                "{} takes {}, not {}",
                spec.name,
                spec.arity_text(),
                args.len()
            );
            return Err(error_at(self.src, name_pos, &what));
        }
        Ok(Node::Call(spec, args))
    }

    fn arguments(&mut self) -> Result<Vec<Node>, FormulaError> {
        let mut args = Vec::new();
        if self.peek() == &Tok::RParen {
            self.advance();
            return Ok(args);
        }
        loop {
            args.push(self.expression()?);
            match self.peek() {
                Tok::Comma => self.advance(),
                Tok::RParen => {
                    self.advance();
                    return Ok(args);
                }
                _ => return Err(self.error("expected ',' or ')'")),
            }
        }
    }
}
