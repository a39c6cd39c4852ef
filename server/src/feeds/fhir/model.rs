//! The parts of FHIR R4 resources Portico reads. Unknown elements are ignored,
//! as FHIR expects of a receiver; what is read is checked in `convert`.
//!
//! Our own serde types rather than a FHIR model crate: the maintained Rust
//! model crate (fhir-model / fhir-sdk) covers STU3, R4B and R5 but not R4, and
//! its generated types for every resource multiply build time on 2 cores for
//! the six resources read here.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Meta {
    #[serde(rename = "lastUpdated")]
    pub last_updated: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Identifier {
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub use_: Option<String>,
    pub family: Option<String>,
    #[serde(default)]
    pub given: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactPoint {
    pub system: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "use")]
    pub use_: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Address {
    #[serde(rename = "use")]
    pub use_: Option<String>,
    #[serde(default)]
    pub line: Vec<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    #[serde(rename = "postalCode")]
    pub postal_code: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    pub reference: Option<String>,
    pub identifier: Option<Identifier>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Coding {
    pub code: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeableConcept {
    pub text: Option<String>,
    #[serde(default)]
    pub coding: Vec<Coding>,
}

impl CodeableConcept {
    pub fn label(&self) -> Option<String> {
        self.text.clone().or_else(|| self.coding.iter().find_map(|c| c.display.clone()))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Patient {
    pub id: Option<String>,
    #[serde(default)]
    pub meta: Meta,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    #[serde(rename = "birthDate")]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub telecom: Vec<ContactPoint>,
    #[serde(default)]
    pub address: Vec<Address>,
    #[serde(rename = "generalPractitioner", default)]
    pub general_practitioner: Vec<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Attachment {
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentContent {
    #[serde(default)]
    pub attachment: Attachment,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DocumentReference {
    pub id: Option<String>,
    pub subject: Option<Reference>,
    pub date: Option<String>,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<CodeableConcept>,
    #[serde(default)]
    pub content: Vec<DocumentContent>,
    #[serde(rename = "securityLabel", default)]
    pub security_label: Vec<CodeableConcept>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Quantity {
    pub value: Option<serde_json::Number>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Observation {
    pub id: Option<String>,
    pub subject: Option<Reference>,
    pub code: Option<CodeableConcept>,
    #[serde(rename = "effectiveDateTime")]
    pub effective_date_time: Option<String>,
    pub issued: Option<String>,
    #[serde(rename = "valueQuantity")]
    pub value_quantity: Option<Quantity>,
    #[serde(rename = "valueString")]
    pub value_string: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Participant {
    pub actor: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Appointment {
    pub id: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub start: Option<String>,
    #[serde(rename = "serviceType", default)]
    pub service_type: Vec<CodeableConcept>,
    #[serde(default)]
    pub participant: Vec<Participant>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BundleEntry {
    #[serde(rename = "fullUrl")]
    pub full_url: Option<String>,
    pub resource: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Bundle {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(default)]
    pub entry: Vec<BundleEntry>,
}

/// One problem in an `OperationOutcome`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub severity: &'static str,
    pub code: &'static str,
    pub diagnostics: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expression: Vec<String>,
}

impl Issue {
    pub fn invalid(expression: impl Into<String>, diagnostics: impl ToString) -> Self {
        Self {
            severity: "error",
            code: "invalid",
            diagnostics: diagnostics.to_string(),
            expression: vec![expression.into()],
        }
    }

    pub fn error(code: &'static str, diagnostics: impl ToString) -> Self {
        Self { severity: "error", code, diagnostics: diagnostics.to_string(), expression: Vec::new() }
    }
}

/// A FHIR `OperationOutcome` holding `issues`.
pub fn operation_outcome(issues: &[Issue]) -> Value {
    serde_json::json!({ "resourceType": "OperationOutcome", "issue": issues })
}
