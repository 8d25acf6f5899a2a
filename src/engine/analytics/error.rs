//! The service's failures, with the exception names of the Kinesis Data Analytics (v2) API.

/// A failed call: AWS's exception name and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsError {
    pub code: &'static str,
    pub message: String,
}

impl AnalyticsError {
    /// `InvalidArgumentException`: a member's value is not allowed.
    pub fn invalid_argument(message: impl Into<String>) -> AnalyticsError {
        AnalyticsError { code: "InvalidArgumentException", message: message.into() }
    }

    /// `ResourceNotFoundException`: no application of that name.
    pub fn not_found(name: &str) -> AnalyticsError {
        AnalyticsError { code: "ResourceNotFoundException", message: format!("Application {name} not found") }
    }

    /// `ResourceInUseException`: the application's status does not allow the action.
    pub fn in_use(message: impl Into<String>) -> AnalyticsError {
        AnalyticsError { code: "ResourceInUseException", message: message.into() }
    }

    /// `CodeValidationException`: the SQL (or the lab's pipeline) does not parse or validate.
    pub fn code_validation(message: impl Into<String>) -> AnalyticsError {
        AnalyticsError { code: "CodeValidationException", message: message.into() }
    }

    /// `InvalidApplicationConfigurationException`: the inputs, outputs or settings do not fit together.
    pub fn invalid_configuration(message: impl Into<String>) -> AnalyticsError {
        AnalyticsError { code: "InvalidApplicationConfigurationException", message: message.into() }
    }

    /// `LimitExceededException`.
    pub fn limit(message: impl Into<String>) -> AnalyticsError {
        AnalyticsError { code: "LimitExceededException", message: message.into() }
    }
}
