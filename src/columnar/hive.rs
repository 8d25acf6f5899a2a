//! Hive type names as the Glue Data Catalog stores them (`int`, `decimal(10,2)`, `array<string>`,
//! `struct<bikenum:string,biketype:string>`), parsed into [`ColumnType`]s. Names are case-insensitive;
//! Glue lowercases column and member names.

use super::{ColumnType, Field};

/// DECIMAL's largest precision (Hive: 38).
pub const DECIMAL_PRECISION_MAX: u8 = 38;

/// Parses one Hive type name, or says where it goes wrong.
pub fn parse(text: &str) -> Result<ColumnType, String> {
    let mut p = Parser { text, at: 0 };
    let ty = p.ty()?;
    p.space();
    match p.rest() {
        "" => Ok(ty),
        rest => Err(format!("unexpected '{rest}' after the type in '{text}'")),
    }
}

/// The Hive name of a type (as Glue would show it).
pub fn name(ty: &ColumnType) -> String {
    match ty {
        ColumnType::Boolean => "boolean".into(),
        ColumnType::TinyInt => "tinyint".into(),
        ColumnType::SmallInt => "smallint".into(),
        ColumnType::Int => "int".into(),
        ColumnType::BigInt => "bigint".into(),
        ColumnType::Float => "float".into(),
        ColumnType::Double => "double".into(),
        ColumnType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        ColumnType::String => "string".into(),
        ColumnType::Char(n) => format!("char({n})"),
        ColumnType::Varchar(n) => format!("varchar({n})"),
        ColumnType::Binary => "binary".into(),
        ColumnType::Timestamp => "timestamp".into(),
        ColumnType::Date => "date".into(),
        ColumnType::Array(t) => format!("array<{}>", name(t)),
        ColumnType::Map(k, v) => format!("map<{},{}>", name(k), name(v)),
        ColumnType::Struct(fields) => {
            let members: Vec<String> = fields.iter().map(|f| format!("{}:{}", f.name, name(&f.ty))).collect();
            format!("struct<{}>", members.join(","))
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn word(&mut self) -> String {
        self.space();
        let len = self.rest().find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(self.rest().len());
        let word = self.rest()[..len].to_ascii_lowercase();
        self.at += len;
        word
    }

    fn eat(&mut self, c: char) -> Result<(), String> {
        self.space();
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            Ok(())
        } else {
            let found = self.rest().chars().next().map_or("the end".to_string(), |f| format!("'{f}'"));
            Err(format!("expected '{c}' at character {} of '{}', found {found}", self.at + 1, self.text))
        }
    }

    fn number(&mut self) -> Result<u32, String> {
        self.space();
        let len = self.rest().find(|c: char| !c.is_ascii_digit()).unwrap_or(self.rest().len());
        let parsed = self.rest()[..len].parse();
        self.at += len;
        parsed.map_err(|_| format!("expected a number at character {} of '{}'", self.at + 1, self.text))
    }

    fn ty(&mut self) -> Result<ColumnType, String> {
        let word = self.word();
        Ok(match word.as_str() {
            "boolean" => ColumnType::Boolean,
            "tinyint" => ColumnType::TinyInt,
            "smallint" => ColumnType::SmallInt,
            "int" | "integer" => ColumnType::Int,
            "bigint" => ColumnType::BigInt,
            "float" => ColumnType::Float,
            "double" => ColumnType::Double,
            "string" => ColumnType::String,
            "binary" => ColumnType::Binary,
            "timestamp" => ColumnType::Timestamp,
            "date" => ColumnType::Date,
            "char" | "varchar" => {
                self.eat('(')?;
                let n = self.number()?;
                self.eat(')')?;
                if word == "char" {
                    ColumnType::Char(n)
                } else {
                    ColumnType::Varchar(n)
                }
            }
            "decimal" => self.decimal()?,
            "array" => {
                self.eat('<')?;
                let element = self.ty()?;
                self.eat('>')?;
                ColumnType::Array(Box::new(element))
            }
            "map" => {
                self.eat('<')?;
                let key = self.ty()?;
                self.eat(',')?;
                let value = self.ty()?;
                self.eat('>')?;
                ColumnType::Map(Box::new(key), Box::new(value))
            }
            "struct" => self.members()?,
            "" => return Err(format!("expected a type at character {} of '{}'", self.at + 1, self.text)),
            other => return Err(format!("'{other}' is not a Hive type (in '{}')", self.text)),
        })
    }

    fn decimal(&mut self) -> Result<ColumnType, String> {
        self.space();
        // Hive's bare `decimal` is decimal(10,0).
        if !self.rest().starts_with('(') {
            return Ok(ColumnType::Decimal { precision: 10, scale: 0 });
        }
        self.eat('(')?;
        let precision = self.number()?;
        self.space();
        let scale = if self.rest().starts_with(',') {
            self.eat(',')?;
            self.number()?
        } else {
            0
        };
        self.eat(')')?;
        if !(1..=DECIMAL_PRECISION_MAX as u32).contains(&precision) || scale > precision {
            return Err(format!("decimal({precision},{scale}) needs 1 ≤ precision ≤ 38 and scale ≤ precision"));
        }
        Ok(ColumnType::Decimal { precision: precision as u8, scale: scale as u8 })
    }

    fn members(&mut self) -> Result<ColumnType, String> {
        self.eat('<')?;
        let mut fields = Vec::new();
        loop {
            let name = self.word();
            if name.is_empty() {
                return Err(format!("expected a member name at character {} of '{}'", self.at + 1, self.text));
            }
            self.eat(':')?;
            let ty = self.ty()?;
            if fields.iter().any(|f: &Field| f.name == name) {
                return Err(format!("struct member '{name}' appears twice in '{}'", self.text));
            }
            fields.push(Field { name, ty });
            self.space();
            if self.rest().starts_with('>') {
                self.at += 1;
                return Ok(ColumnType::Struct(fields));
            }
            self.eat(',')?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_book_schema_and_round_trips_names() {
        for text in [
            "int",
            "string",
            "double",
            "timestamp",
            "decimal(10,2)",
            "varchar(20)",
            "array<string>",
            "map<string,int>",
            "struct<bikenum:string,biketype:string>",
            "array<struct<a:int,b:map<string,array<date>>>>",
        ] {
            let ty = parse(text).unwrap();
            assert_eq!(name(&ty), text);
        }
        assert_eq!(parse("INTEGER"), Ok(ColumnType::Int));
        assert_eq!(
            parse(" Struct < A : INT > "),
            Ok(ColumnType::Struct(vec![Field { name: "a".into(), ty: ColumnType::Int }]))
        );
        assert_eq!(parse("decimal"), Ok(ColumnType::Decimal { precision: 10, scale: 0 }));
    }

    #[test]
    fn refuses_what_hive_refuses_with_the_place() {
        assert!(parse("text").unwrap_err().contains("'text' is not a Hive type"));
        assert!(parse("array<int").unwrap_err().contains("expected '>'"));
        assert!(parse("decimal(40,2)").unwrap_err().contains("precision ≤ 38"));
        assert!(parse("struct<a:int,a:string>").unwrap_err().contains("appears twice"));
        assert!(parse("int int").unwrap_err().contains("unexpected 'int'"));
        assert!(parse("").unwrap_err().contains("expected a type"));
        assert!(parse("struct<:int>").unwrap_err().contains("member name"));
    }
}
