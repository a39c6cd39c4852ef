//! The OpenAPI document at `/api/v1/openapi.json` is true to the router, in
//! both directions, and real answers match the schemas it declares.
//!
//! How the router's routes are known: axum does not list a `Router`'s routes,
//! so the route table is read from the source, by a parser that understands
//! exactly the forms Portico writes routes in (`Router::new()`, then
//! `.route("/literal", get(handler).post(other))` and `.layer(…)`, in each
//! module's `routes()`; the `.merge(module::routes())` chains that build
//! `/api/v1` in `http/mod.rs`) and fails loudly on anything else: a
//! `.nest`, a `.route_service`, a path that is not a literal, a router built
//! in a way it has not seen. A new form of routing therefore breaks this test
//! until the parser learns it, instead of slipping past it. The other
//! direction is checked on the running server: every documented path answers
//! an unrouted method with 405 (so the router knows the path: an unknown one
//! is 404) and its documented method with anything but 405.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use portico_server::db::Engine;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ASHA, DEMO_PASSWORD, browser, spawn_app};

const PREFIX: &str = "/api/v1";
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn source_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The document as built in-process (the same one the server serves).
fn document() -> Value {
    serde_json::to_value(portico_server::http::openapi::document()).unwrap()
}

/// `(METHOD, path)` of every operation the document describes.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            assert!(METHODS.contains(&method.as_str()), "{path}: unexpected key {method}");
            found.insert((method.to_uppercase(), path.clone()));
        }
    }
    found
}

// ---- the route table, read from the source ----

/// The text inside the parentheses that open at `open` (which must be `(`),
/// and the index after the closing one. String literals are skipped whole.
fn balanced(text: &str, open: usize) -> (&str, usize) {
    let bytes = text.as_bytes();
    assert_eq!(bytes[open], b'(', "expected ( at {}", &text[open..(open + 40).min(text.len())]);
    let (mut depth, mut i, mut in_string) = (0usize, open, false);
    while i < bytes.len() {
        match (bytes[i], in_string) {
            (b'\\', true) => i += 1,
            (b'"', _) => in_string = !in_string,
            (b'(', false) => depth += 1,
            (b')', false) => {
                depth -= 1;
                if depth == 0 {
                    return (&text[open + 1..i], i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    panic!("unbalanced parentheses from {}", &text[open..(open + 60).min(text.len())]);
}

/// A method chain `head.a(…).b(…)…` split into `(name, arguments)` links,
/// whitespace and comments between links ignored.
fn chain<'a>(text: &'a str, head: &str) -> Vec<(&'a str, &'a str)> {
    let text = text.trim();
    let rest = text.strip_prefix(head).unwrap_or_else(|| panic!("expected `{head}` to start: {text}"));
    let offset = text.len() - rest.len();
    let mut links = Vec::new();
    let mut i = offset;
    loop {
        i = skip_space_and_comments(text, i);
        if i >= text.len() {
            return links;
        }
        assert_eq!(&text[i..i + 1], ".", "unexpected text in a router chain: {}", &text[i..]);
        let name_end = text[i + 1..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map(|n| i + 1 + n)
            .unwrap_or_else(|| panic!("a chain link without arguments: {}", &text[i..]));
        let name = &text[i + 1..name_end];
        let (args, after) = balanced(text, name_end);
        links.push((name, args));
        i = after;
    }
}

fn skip_space_and_comments(text: &str, mut i: usize) -> usize {
    loop {
        let rest = &text[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            i += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return i;
        }
    }
}

/// The body of `fn name(…) -> … {` in `text`, up to its closing brace at the
/// start of a line.
fn fn_body<'a>(text: &'a str, name: &str, file: &Path) -> &'a str {
    let signature = format!("fn {name}() -> Router<AppState> {{");
    let start = text
        .find(&signature)
        .unwrap_or_else(|| panic!("{}: no `{signature}`: routes must be built in this form", file.display()))
        + signature.len();
    let end = text[start..].find("\n}").unwrap_or_else(|| panic!("{}: `{name}` never ends", file.display())) + start;
    &text[start..end]
}

/// The routes one `routes()` function serves: `Router::new()` then only
/// `.route("/literal", method(handler)…[.layer(…)])`, `.layer(…)` and `.route_layer(…)`.
fn routes_of(module: &Path, function: &str, into: &mut BTreeSet<(String, String)>) {
    let text = read(module);
    // `pub use routes::{Docs, routes};`: the function is in a submodule.
    if !text.contains(&format!("fn {function}(")) {
        let reexport = text.lines().find_map(|line| {
            let (sub, names) = line.trim().strip_prefix("pub use ")?.split_once("::")?;
            let names = names.trim_end_matches(';').trim_matches(['{', '}']);
            names.split(',').any(|n| n.trim() == function).then(|| sub.to_owned())
        });
        if let Some(sub) = reexport {
            return routes_of(&module.parent().unwrap().join(format!("{sub}.rs")), function, into);
        }
    }
    let body = fn_body(&text, function, module);
    for (name, args) in chain(body, "Router::new()") {
        match name {
            "layer" | "route_layer" => {}
            "route" => {
                let (path, handlers) = args
                    .trim()
                    .strip_prefix('"')
                    .and_then(|rest| rest.split_once('"'))
                    .unwrap_or_else(|| panic!("{}: a route whose path is not a literal: {args}", module.display()));
                let handlers = handlers.trim().strip_prefix(',').unwrap_or_else(|| panic!("route {path}: {handlers}"));
                for (method, handler) in chain(&format!(".{}", handlers.trim()), "") {
                    let method = method.rsplit("::").next().unwrap();
                    // A layer on the route's methods serves no path of its own.
                    if method == "layer" {
                        continue;
                    }
                    assert!(
                        METHODS.contains(&method) && handler.chars().all(|c| c.is_alphanumeric() || c == '_'),
                        "{}: route {path}: `{method}({handler})` is not a form this parser knows",
                        module.display()
                    );
                    assert!(into.insert((method.to_uppercase(), format!("{PREFIX}{path}"))), "{path} twice");
                }
            }
            other => panic!("{}: `.{other}(…)` in a routes function: teach tests/api/openapi.rs", module.display()),
        }
    }
}

/// `crate::a::b::f()` (or `b::f()` inside `http`) to the file and function.
fn module_function(call: &str) -> (PathBuf, String) {
    let call = call.trim().strip_suffix("()").unwrap_or_else(|| panic!("not a plain call: {call}"));
    let mut parts: Vec<&str> = call.split("::").collect();
    let function = parts.pop().unwrap().to_owned();
    let known_top = ["accounts", "auth", "campaigns", "carers", "feeds", "invitations", "kiosk", "mail", "nhs_login"]
        .into_iter()
        .chain(["notifications", "records", "registration", "reports", "self_registration", "staff"])
        .collect::<HashSet<_>>();
    let mut dir = source_dir();
    if !known_top.contains(parts[0]) {
        // A sibling of `http/mod.rs`.
        dir.push("http");
    }
    for part in &parts {
        dir.push(part);
    }
    let file = if dir.with_extension("rs").exists() { dir.with_extension("rs") } else { dir.join("mod.rs") };
    assert!(file.exists(), "no module file for {call}");
    (file, function)
}

/// The statement `let name = …;` in `text`.
fn let_statement<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text.find(&format!("let {name} = ")).unwrap_or_else(|| panic!("http/mod.rs: no `let {name}`"));
    let start = start + format!("let {name} = ").len();
    let end = text[start..].find(";\n").unwrap() + start;
    &text[start..end]
}

/// Every `(METHOD, path)` the router serves under `/api/v1`.
fn served_by_source() -> BTreeSet<(String, String)> {
    let http = source_dir().join("http/mod.rs");
    let text = read(&http);
    let mut served = BTreeSet::new();
    let api = let_statement(&text, "api");
    for (name, args) in chain(api, "Router::new()") {
        match name {
            "merge" => {
                let (file, function) = module_function(args);
                routes_of(&file, &function, &mut served);
            }
            "fallback" | "method_not_allowed_fallback" | "layer" => {}
            other => panic!("http/mod.rs: `.{other}(…)` building `api`: teach tests/api/openapi.rs"),
        }
    }
    let feeds = let_statement(&text, "feeds");
    let first_call = feeds.find(')').unwrap() + 1;
    let (file, function) = module_function(&feeds[..first_call]);
    routes_of(&file, &function, &mut served);
    for (name, args) in chain(&feeds[first_call..], "") {
        match name {
            "merge" => {
                let (file, function) = module_function(args);
                routes_of(&file, &function, &mut served);
            }
            "layer" => {}
            other => panic!("http/mod.rs: `.{other}(…)` building `feeds`: teach tests/api/openapi.rs"),
        }
    }
    // The only way into `/api/v1` is this nest; nothing else serves under it.
    assert_eq!(text.matches(".nest(").count(), 1, "http/mod.rs nests one router");
    assert!(text.contains(r#".nest("/api/v1", feeds.merge(api))"#), "http/mod.rs: /api/v1 is `feeds.merge(api)`");
    for (i, _) in text.match_indices(".route(\"") {
        let path = text[i + 8..].split('"').next().unwrap();
        assert!(!path.starts_with(PREFIX), "http/mod.rs routes {path} outside the /api/v1 routers");
    }
    served
}

/// Every routing call in the server's source is one the parser read: a
/// router built anywhere else would be served unseen.
fn every_routing_call_is_known() {
    let mut stack = vec![source_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = read(&path);
            let relative = path.strip_prefix(source_dir()).unwrap().display().to_string();
            for form in [".nest(", ".nest_service(", ".route_service("] {
                if text.contains(form) && relative != "http/mod.rs" {
                    panic!("{relative} uses `{form}…)`: teach tests/api/openapi.rs how it routes");
                }
            }
            for (i, _) in text.match_indices(".merge(") {
                let (args, _) = balanced(&text, i + ".merge".len());
                assert!(
                    relative == "http/mod.rs" || !args.contains("routes"),
                    "{relative} merges routers ({args}): teach tests/api/openapi.rs how it routes"
                );
            }
            if text.contains(".route(") && !["http/mod.rs", "http/health.rs"].contains(&relative.as_str()) {
                assert!(
                    text.contains("fn routes() -> Router<AppState> {")
                        || text.contains("fn unsubscribe_routes() -> Router<AppState> {"),
                    "{relative} routes outside a routes function"
                );
            }
        }
    }
}

#[test]
fn the_router_and_the_document_list_the_same_operations() {
    every_routing_call_is_known();
    let served = served_by_source();
    let documented = documented(&document());
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(undocumented.is_empty(), "served but not in the OpenAPI document: {undocumented:#?}");
    assert!(unserved.is_empty(), "in the OpenAPI document but not routed: {unserved:#?}");
    assert!(served.len() > 90, "the parser found only {} routes", served.len());
}

// ---- the document itself ----

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn every_ref(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| every_ref(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| every_ref(v, found)),
        _ => {}
    }
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            found.push((method.to_uppercase(), path.clone(), operation));
        }
    }
    found
}

#[test]
fn the_document_is_valid_openapi_3_1() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let text = serde_json::to_string(&doc).unwrap();
    // Part by part first, so a failure names the part.
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        let read = serde_json::from_value::<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>>(schema.clone());
        if let Err(e) = read {
            panic!("schema {name} does not read back: {e}\n{schema:#}")
        }
    }
    for (method, path, operation) in operations(&doc) {
        let read = serde_json::from_value::<utoipa::openapi::path::Operation>(operation.clone());
        if let Err(e) = read {
            panic!("{method} {path} does not read back: {e}\n{operation:#}")
        }
    }
    let read = serde_json::from_str::<utoipa::openapi::OpenApi>(&text);
    if let Err(e) = read {
        panic!("the document does not read back as OpenAPI: {e}")
    }

    let mut references = Vec::new();
    every_ref(&doc, &mut references);
    assert!(!references.is_empty());
    for reference in references {
        assert!(resolve(&doc, &reference).is_some(), "{reference} does not resolve");
    }

    let schemes: HashSet<&str> =
        doc["components"]["securitySchemes"].as_object().unwrap().keys().map(String::as_str).collect();
    let mut ids = HashSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        assert!(operation["tags"].as_array().is_some_and(|t| t.len() == 1), "{method} {path}: one tag");
        for placeholder in path.split('{').skip(1).map(|s| s.split('}').next().unwrap()) {
            let declared = operation["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == placeholder && p["in"] == "path"));
            assert!(declared, "{method} {path}: path parameter {placeholder} is not declared");
        }
        let responses = operation["responses"].as_object().unwrap();
        assert!(responses.keys().any(|s| s.starts_with('2') || s.starts_with('3')), "{method} {path}: no success");
        for (status, response) in responses {
            assert!(response["description"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path} {status}");
            if status.starts_with('4') && !path.starts_with("/api/v1/feeds/fhir") {
                assert!(
                    response["content"]["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem",
                    "{method} {path} {status}: not problem JSON"
                );
            }
        }
        let security = operation["security"].as_array().cloned().unwrap_or_default();
        for requirement in &security {
            for scheme in requirement.as_object().unwrap().keys() {
                assert!(schemes.contains(scheme.as_str()), "{method} {path}: unknown scheme {scheme}");
            }
        }
        let csrf = security.iter().any(|r| r.get("csrf").is_some());
        let outside_cross_site_checks = ["/api/v1/feeds/", "/api/v1/notify/", "/api/v1/notifications/unsubscribe"]
            .iter()
            .any(|prefix| path.starts_with(prefix));
        if method != "GET" && !outside_cross_site_checks {
            assert!(csrf, "{method} {path}: a state-changing request must name the CSRF header");
        }
    }
}

// ---- the running server ----

/// `path` with each `{parameter}` replaced by a value of its type.
fn placeholder_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{seq}" => "1",
            s if s.starts_with('{') => "00000000-0000-0000-0000-000000000000",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn every_documented_operation_is_served(engine: Engine) {
    let app = spawn_app(engine).await;
    let served: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert_eq!(served, document(), "the server serves the document this test reads");
    // Signed out: the requests are only to learn what the router does.
    let client = browser();
    for (method, path) in documented(&served) {
        let url = app.url(&placeholder_path(&path));
        // No operation is PATCH, so a path the router knows answers 405 and
        // one it does not know answers 404.
        let probe = client.patch(&url).send().await.unwrap();
        assert_eq!(probe.status(), 405, "{path}: the router does not know this path");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let answer = client.request(method.clone(), &url).json(&json!({})).send().await.unwrap();
        assert_ne!(answer.status(), 405, "{method} {path}: the router does not serve this method");
    }
}

/// Checks `body` against the schema the document declares for `status` of
/// `method path` (a path as written in the document).
fn assert_matches(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let response = &doc["paths"][path][method.to_lowercase()]["responses"][status.to_string()];
    let content = response["content"].as_object().unwrap_or_else(|| panic!("{method} {path} {status}: undocumented"));
    let schema = content
        .get("application/json")
        .or_else(|| content.get("application/problem+json"))
        .map(|c| c["schema"].clone())
        .unwrap_or_else(|| panic!("{method} {path} {status}: no JSON schema"));
    // The document is the root, so every $ref inside it resolves.
    let mut root = doc.clone();
    let root_object = root.as_object_mut().unwrap();
    root_object.retain(|key, _| key == "components");
    for (key, value) in schema.as_object().unwrap() {
        root_object.insert(key.clone(), value.clone());
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {path} {status}: {errors:#?}\n{body:#}");
}

async fn real_answers_match_the_document(engine: Engine) {
    let app = spawn_app(engine).await;
    let doc = document();

    let refused = app.sign_in(ASHA, "not the password").await;
    assert_eq!(refused.status(), 401);
    assert_matches(&doc, "POST", "/api/v1/session", 401, &refused.json().await.unwrap());

    let signed_in = app.sign_in(ASHA, DEMO_PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    assert_matches(&doc, "POST", "/api/v1/session", 200, &signed_in.json().await.unwrap());
    let session: Value = app.get("/api/v1/session").await.json().await.unwrap();
    assert_matches(&doc, "GET", "/api/v1/session", 200, &session);

    let teams: Value = app.get("/api/v1/staff/teams").await.json().await.unwrap();
    assert_matches(&doc, "GET", "/api/v1/staff/teams", 200, &teams);

    let team_id = teams["teams"][0]["id"].as_str().unwrap();
    let records: Value = app.get(&format!("/api/v1/staff/teams/{team_id}/records")).await.json().await.unwrap();
    assert_matches(&doc, "GET", "/api/v1/staff/teams/{team_id}/records", 200, &records);

    let record_id = records["records"][0]["id"].as_str().unwrap();
    let record = app.get(&format!("/api/v1/staff/records/{record_id}")).await;
    assert_eq!(record.status(), 200);
    assert_matches(&doc, "GET", "/api/v1/staff/records/{record_id}", 200, &record.json().await.unwrap());
    let history: Value = app.get(&format!("/api/v1/staff/records/{record_id}/history")).await.json().await.unwrap();
    assert_matches(&doc, "GET", "/api/v1/staff/records/{record_id}/history", 200, &history);

    let missing = app.get("/api/v1/staff/records/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(missing.status(), 404);
    assert_matches(&doc, "GET", "/api/v1/staff/records/{record_id}", 404, &missing.json().await.unwrap());
}

crate::on_both_engines!(every_documented_operation_is_served, real_answers_match_the_document);
