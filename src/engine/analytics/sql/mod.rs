//! The KDA SQL subset (§2.4): text to statements ([`lexer`], [`parser`], [`ast`]), with errors that name
//! their line and column ([`error`]).

pub mod app;
pub mod ast;
pub mod error;
pub mod lexer;
pub mod parser;
pub mod plan;
pub mod rcf;
pub mod schema;
pub mod stages;
#[cfg(test)]
mod tests;
