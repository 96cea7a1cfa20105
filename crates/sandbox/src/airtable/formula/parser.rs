//! Recursive-descent parser (binary operators by precedence climbing): tokens to a tree of
//! `Node`s.
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

/// A binary operator and its precedence level (0 loosest: comparisons; 3 tightest: `*` `/`).
fn binary_op(tok: &Tok) -> Option<(usize, BinOp)> {
    Some(match tok {
        Tok::Eq => (0, BinOp::Eq),
        Tok::Ne => (0, BinOp::Ne),
        Tok::Lt => (0, BinOp::Lt),
        Tok::Gt => (0, BinOp::Gt),
        Tok::Le => (0, BinOp::Le),
        Tok::Ge => (0, BinOp::Ge),
        Tok::Amp => (1, BinOp::Concat),
        Tok::Plus => (2, BinOp::Add),
        Tok::Minus => (2, BinOp::Sub),
        Tok::Star => (3, BinOp::Mul),
        Tok::Slash => (3, BinOp::Div),
        _ => return None,
    })
}

/// Operands joined by operators of one level, left to right, while they are being read.
struct ChainBuilder {
    first: Node,
    rest: Vec<(BinOp, Node)>,
    level: usize,
}

impl ChainBuilder {
    fn finish(self) -> Node {
        if self.rest.is_empty() {
            self.first
        } else {
            Node::Chain(Box::new(self.first), self.rest)
        }
    }

    /// Appends `op operand`; an operator of another (necessarily looser) level closes the
    /// chain so far, which becomes the first operand of a new one.
    fn push(self, level: usize, op: BinOp, operand: Node) -> ChainBuilder {
        let mut chain = if level == self.level || self.rest.is_empty() {
            self
        } else {
            ChainBuilder {
                first: self.finish(),
                rest: Vec::new(),
                level,
            }
        };
        chain.level = level;
        chain.rest.push((op, operand));
        chain
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
        self.tokens.get(self.idx + 1).map_or(&Tok::End, |token| &token.tok)
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
        let node = self.binary(0)?;
        self.nesting -= 1;
        Ok(node)
    }

    /// Precedence climbing: operands joined by operators of level `min_level` or tighter.
    /// Operators of one level form one `Chain`, so long flat formulas make shallow trees.
    fn binary(&mut self, min_level: usize) -> Result<Node, FormulaError> {
        let mut chain = ChainBuilder {
            first: self.unary()?,
            rest: Vec::new(),
            level: min_level,
        };
        while let Some((level, op)) = binary_op(self.peek()).filter(|(l, _)| *l >= min_level) {
            self.advance();
            let operand = self.binary(level + 1)?;
            chain = chain.push(level, op, operand);
        }
        Ok(chain.finish())
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
            _ => return Err(self.expected_value()),
        };
        self.advance();
        Ok(node)
    }

    #[cold]
    fn expected_value(&self) -> FormulaError {
        if self.peek() == &Tok::End {
            return self.error("unexpected end of formula, expected a value");
        }
        let what = format!("unexpected {}, expected a value", self.describe_current());
        self.error(&what)
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
        let spec = self.function(&name)?;
        self.advance(); // name
        self.advance(); // '('
        let args = self.arguments()?;
        if !spec.accepts(args.len()) {
            return Err(self.arity_error(spec, args.len(), name_pos));
        }
        Ok(Node::Call(spec, args))
    }

    fn function(&self, name: &str) -> Result<&'static FuncSpec, FormulaError> {
        let what = match functions::lookup(name) {
            Lookup::Found(spec) => return Ok(spec),
            Lookup::Unsupported => format!("function not supported by the sandbox: {}", name.to_uppercase()),
            Lookup::Unknown => format!("unknown function {name}"),
        };
        Err(self.error(&what))
    }

    #[cold]
    fn arity_error(&self, spec: &FuncSpec, given: usize, pos: usize) -> FormulaError {
        let what = format!("{} takes {}, not {given}", spec.name, spec.arity_text());
        error_at(self.src, pos, &what)
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
