//! The account's Lambda functions, as far as Firehose (and later Analytics) invokes them: the lab has no
//! user code, so a function's `Handler` names one of the built-ins of [`transform`] and its environment
//! variables configure it, the way real functions are configured. `Timeout` (default 3 s) bounds a run.
//!
//! [`transform`]: crate::engine::firehose::transform

use crate::engine::firehose::transform::Builtin;
use crate::engine::time::SimTime;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Lambda's default and largest `Timeout`, in seconds.
pub const TIMEOUT_DEFAULT_S: u64 = 3;
pub const TIMEOUT_MAX_S: u64 = 900;

/// The built-ins by handler name, with the environment variables each reads.
pub const HANDLERS: [(&str, &str); 18] = [
    ("identity", ""),
    ("select_fields", "FIELDS (comma-separated)"),
    ("rename_field", "FROM, TO"),
    ("drop_when", "FIELD, EQUALS (JSON or text)"),
    ("csv_to_json", "COLUMNS (comma-separated)"),
    ("apache_log_to_json", ""),
    ("add_newline", ""),
    ("enrich", "FIELD, VALUE (absent: the arrival time)"),
    ("lookup", "FIELD, INTO, TABLE (a JSON object from FIELD's value to INTO's)"),
    ("partition_keys", "FIELDS (comma-separated)"),
    ("cloudwatch_logs_processor", "(the blueprint: gunzips CloudWatch Logs records into their messages)"),
    ("fail_share", "PERCENT"),
    ("throw", ""),
    ("slow", "MILLIS"),
    ("inflate", "FACTOR"),
    ("lowercase_dropped", ""),
    ("forget_record_ids", "EVERY"),
    ("never_returns", ""),
];

/// One function.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub name: String,
    pub arn: String,
    pub handler: String,
    pub variables: BTreeMap<String, String>,
    pub timeout_s: u64,
    pub builtin: Builtin,
    pub last_modified: SimTime,
}

/// CreateFunction / UpdateFunctionConfiguration bodies (the members the lab reads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionInput {
    pub function_name: String,
    pub handler: Option<String>,
    pub timeout: Option<u64>,
    pub environment: Option<Environment>,
}

/// `{"Variables": {…}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Environment {
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// A request to the lab's Lambda.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LambdaRequest {
    CreateFunction(FunctionInput),
    UpdateFunctionConfiguration(FunctionInput),
    GetFunction { name: String },
    ListFunctions,
    DeleteFunction { name: String },
}

/// A failed call: AWS's exception name and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaError {
    pub code: &'static str,
    pub message: String,
}

/// The registry.
#[derive(Clone, Debug, Default)]
pub struct Functions {
    account_id: String,
    region: String,
    epoch_ms: u64,
    functions: BTreeMap<String, Function>,
}

impl Builtin {
    /// The built-in a handler names, configured from environment variables.
    pub fn from_handler(handler: &str, vars: &BTreeMap<String, String>) -> Result<Builtin, String> {
        let need =
            |key: &str| vars.get(key).cloned().ok_or_else(|| format!("handler {handler} needs the variable {key}"));
        let number = |key: &str| -> Result<u64, String> {
            need(key)?.trim().parse().map_err(|_| format!("variable {key} must be a whole number"))
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            Ok(need(key)?.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        };
        Ok(match handler {
            "identity" => Builtin::Identity,
            "select_fields" => Builtin::SelectFields { fields: list("FIELDS")? },
            "rename_field" => Builtin::RenameField { from: need("FROM")?, to: need("TO")? },
            "drop_when" => {
                let text = need("EQUALS")?;
                let equals = serde_json::from_str(&text).unwrap_or(Value::String(text));
                Builtin::DropWhen { field: need("FIELD")?, equals }
            }
            "csv_to_json" => Builtin::CsvToJson { columns: list("COLUMNS")? },
            "apache_log_to_json" => Builtin::ApacheLogToJson,
            "add_newline" => Builtin::AddNewline,
            "enrich" => Builtin::Enrich { field: need("FIELD")?, value: vars.get("VALUE").cloned() },
            "lookup" => Builtin::Lookup {
                field: need("FIELD")?,
                into: need("INTO")?,
                table: serde_json::from_str::<BTreeMap<String, Value>>(&need("TABLE")?)
                    .map_err(|e| format!("variable TABLE must be a JSON object: {e}"))?
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                    .collect(),
            },
            "partition_keys" => Builtin::PartitionKeys { fields: list("FIELDS")? },
            "cloudwatch_logs_processor" => Builtin::CloudWatchLogsProcessor,
            "fail_share" => Builtin::FailShare { percent: number("PERCENT")?.min(100) },
            "throw" => Builtin::Throw,
            "slow" => Builtin::Slow { millis: number("MILLIS")? },
            "inflate" => Builtin::Inflate { factor: number("FACTOR")? },
            "lowercase_dropped" => Builtin::LowercaseDropped,
            "forget_record_ids" => Builtin::ForgetRecordIds { every: number("EVERY")? },
            "never_returns" => Builtin::NeverReturns,
            other => {
                let names: Vec<&str> = HANDLERS.iter().map(|(n, _)| *n).collect();
                return Err(format!("Handler '{other}' is not one of the lab's functions: {}", names.join(", ")));
            }
        })
    }
}

impl Functions {
    /// No functions yet.
    pub fn new(account_id: &str, region: &str, epoch_ms: u64) -> Functions {
        Functions { account_id: account_id.into(), region: region.into(), epoch_ms, functions: BTreeMap::new() }
    }

    /// The function a name or ARN names.
    pub fn get(&self, name_or_arn: &str) -> Option<&Function> {
        let name = name_or_arn.rsplit(':').next().unwrap_or(name_or_arn);
        self.functions.get(name).filter(|f| !name_or_arn.starts_with("arn:") || f.arn == name_or_arn)
    }

    /// Answers one request.
    pub fn handle(&mut self, now: SimTime, request: LambdaRequest) -> Result<Value, LambdaError> {
        match request {
            LambdaRequest::CreateFunction(input) => {
                if self.functions.contains_key(&input.function_name) {
                    return Err(LambdaError {
                        code: "ResourceConflictException",
                        message: format!("Function already exist: {}", input.function_name),
                    });
                }
                let f = self.build(now, &input, None)?;
                let body = self.configuration(&f);
                self.functions.insert(f.name.clone(), f);
                Ok(body)
            }
            LambdaRequest::UpdateFunctionConfiguration(input) => {
                let current =
                    self.get(&input.function_name).cloned().ok_or_else(|| self.not_found(&input.function_name))?;
                let f = self.build(now, &input, Some(&current))?;
                let body = self.configuration(&f);
                self.functions.insert(f.name.clone(), f);
                Ok(body)
            }
            LambdaRequest::GetFunction { name } => {
                let f = self.get(&name).ok_or_else(|| self.not_found(&name))?;
                Ok(json!({ "Configuration": self.configuration(f) }))
            }
            LambdaRequest::ListFunctions => {
                Ok(json!({ "Functions": self.functions.values().map(|f| self.configuration(f)).collect::<Vec<_>>() }))
            }
            LambdaRequest::DeleteFunction { name } => {
                let f = self.get(&name).ok_or_else(|| self.not_found(&name))?.name.clone();
                self.functions.remove(&f);
                Ok(json!({}))
            }
        }
    }

    fn build(&self, now: SimTime, input: &FunctionInput, current: Option<&Function>) -> Result<Function, LambdaError> {
        let invalid = |message: String| LambdaError { code: "InvalidParameterValueException", message };
        let handler = input
            .handler
            .clone()
            .or_else(|| current.map(|f| f.handler.clone()))
            .ok_or_else(|| invalid("Handler is required: it names one of the lab's built-in functions".into()))?;
        let variables = match &input.environment {
            Some(env) => env.variables.clone(),
            None => current.map(|f| f.variables.clone()).unwrap_or_default(),
        };
        let timeout_s = input.timeout.or(current.map(|f| f.timeout_s)).unwrap_or(TIMEOUT_DEFAULT_S);
        if !(1..=TIMEOUT_MAX_S).contains(&timeout_s) {
            return Err(invalid(format!("Timeout {timeout_s} must be 1–{TIMEOUT_MAX_S} seconds")));
        }
        let builtin = Builtin::from_handler(&handler, &variables).map_err(invalid)?;
        let name = input.function_name.rsplit(':').next().unwrap_or(&input.function_name).to_string();
        let arn = format!("arn:aws:lambda:{}:{}:function:{name}", self.region, self.account_id);
        Ok(Function { name, arn, handler, variables, timeout_s, builtin, last_modified: now })
    }

    fn not_found(&self, name: &str) -> LambdaError {
        let arn = if name.starts_with("arn:") {
            name.to_string()
        } else {
            format!("arn:aws:lambda:{}:{}:function:{name}", self.region, self.account_id)
        };
        LambdaError { code: "ResourceNotFoundException", message: format!("Function not found: {arn}") }
    }

    fn configuration(&self, f: &Function) -> Value {
        json!({
            "FunctionName": f.name,
            "FunctionArn": f.arn,
            "Runtime": "provided.al2023",
            "Handler": f.handler,
            "Timeout": f.timeout_s,
            "Environment": { "Variables": f.variables },
            "LastModified": crate::engine::kds::datetime::iso8601_millis(self.epoch_ms + f.last_modified.as_millis()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(handler: &str, vars: &[(&str, &str)]) -> LambdaRequest {
        LambdaRequest::CreateFunction(FunctionInput {
            function_name: "f".into(),
            handler: Some(handler.into()),
            timeout: None,
            environment: Some(Environment {
                variables: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            }),
        })
    }

    #[test]
    fn handlers_name_built_ins_and_variables_configure_them() {
        let mut fns = Functions::new("123456789012", "us-east-1", 0);
        let e = fns.handle(SimTime::ZERO, create("select_fields", &[])).unwrap_err();
        assert!(e.message.contains("needs the variable FIELDS"));
        assert!(fns.handle(SimTime::ZERO, create("nope", &[])).unwrap_err().message.contains("identity"));
        let made = fns.handle(SimTime::ZERO, create("drop_when", &[("FIELD", "price"), ("EQUALS", "0")])).unwrap();
        assert_eq!(made["FunctionArn"], "arn:aws:lambda:us-east-1:123456789012:function:f");
        let f = fns.get("arn:aws:lambda:us-east-1:123456789012:function:f").unwrap();
        assert_eq!(f.builtin, Builtin::DropWhen { field: "price".into(), equals: json!(0) });
        assert_eq!(f.timeout_s, 3);
        assert_eq!(fns.handle(SimTime::ZERO, create("identity", &[])).unwrap_err().code, "ResourceConflictException");
        let gone = fns.handle(SimTime::ZERO, LambdaRequest::GetFunction { name: "g".into() }).unwrap_err();
        assert_eq!(gone.message, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:g");
    }
}
