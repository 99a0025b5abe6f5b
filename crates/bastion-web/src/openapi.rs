//! The OpenAPI 3.1 document of `/api`, built from the endpoint declarations (`crate::routes`):
//! every API endpoint is described by the same declaration that routes it. Operations open to
//! everyone declare `security: []`; every other one declares the session cookie.

use axum::Json;
use serde_json::{json, Value};

fn string() -> Value {
    json!({"type": "string"})
}

fn schemas() -> Value {
    let input_fields = |fields: &[&str]| -> Value {
        let props: serde_json::Map<String, Value> = fields.iter().map(|f| (f.to_string(), string())).collect();
        json!({"type": "object", "properties": props})
    };
    json!({
        "Error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": string(), "message": {"type": "string", "description": "中文错误说明"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": string(), "message": string()}}}}},
        "Ok": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
        "Created": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "Any": {},
        "File": {"type": "string", "format": "binary"},
        "LoginBody": {"type": "object", "required": ["username", "password"], "properties": {"username": string(), "password": string(),
            "totp": {"type": ["string", "null"], "description": "动态口令（三员账号必填）"}}},
        "Me": {"type": "object", "properties": {"username": string(), "display_name": string(), "roles": {"type": "array", "items": string()}, "must_change_password": {"type": "boolean"}}},
        "Ctx": {"type": "object", "additionalProperties": true},
        "PasswordBody": {"type": "object", "required": ["old_password", "new_password"], "properties": {"old_password": string(), "new_password": string()}},
        "RevealBody": {"type": "object", "required": ["reason"], "properties": {"reason": string()}},
        "Revealed": {"type": "object", "properties": {"id_number": {"type": ["string", "null"]}, "mobile": {"type": ["string", "null"]}}},
        "Upload": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
        "UnitInput": input_fields(&["parent_id", "code", "name", "kind", "sort_order", "phone"]),
        "PersonInput": {"type": "object", "required": ["police_no", "name", "category"], "properties": {
            "police_no": {"type": "string", "pattern": "^[0-9A-Za-z]{4,10}$"},
            "name": {"type": "string", "minLength": 1, "maxLength": 30},
            "category": {"type": "string", "enum": ["police", "auxiliary", "civilian", "民警", "辅警", "文职"]},
            "sex": {"type": "string", "enum": ["male", "female", "男", "女", ""]},
            "birth_date": {"type": "string", "format": "date"},
            "hire_date": {"type": "string", "format": "date"},
            "id_number": {"type": "string", "description": "18 位居民身份证号（GB 11643，含校验位）或旧版 15 位"},
            "mobile": {"type": "string", "pattern": "^1[3-9][0-9]{9}$"},
            "unit_id": {"type": "string", "pattern": "^[0-9]+$"},
            "unit_code": {"type": "string", "maxLength": 30},
            "position": {"type": "string", "maxLength": 30},
            "political_status": {"type": "string", "enum": ["masses", "applicant", "activist", "candidate", "probationary", "member"]},
            "duty_status": {"type": "string", "enum": ["on_duty", "leave", "sick", "quarantine", "away", "left"]},
            "police_types": {"type": "string", "description": "多个警种用“、”分隔"},
            "skills": {"type": "string", "description": "多项用“、”分隔，每项不超过 20 字"}}},
        "PolicyInput": input_fields(&["max_failed_logins", "lock_minutes", "password_max_age_days", "password_history", "idle_timeout_minutes", "totp_required_for_admins", "ip_allow", "ip_deny", "audit_retention_days"]),
        "OperationInput": input_fields(&["name", "description", "status", "start_date", "end_date"]),
        "Unit": {"type": "object", "required": ["id", "code", "name", "kind", "path"], "properties": {
            "id": {"type": "integer"}, "parent_id": {"type": ["integer", "null"]}, "code": string(), "name": string(),
            "kind": string(), "path": string(), "depth": {"type": "integer"}, "sort_order": {"type": "integer"},
            "phone": {"type": ["string", "null"]}, "enabled": {"type": "boolean"}}},
        "UnitList": {"type": "array", "items": {"$ref": "#/components/schemas/Unit"}},
        "Person": {"type": "object", "required": ["id", "police_no", "name"], "properties": {
            "id": {"type": "integer"}, "police_no": string(), "name": string(), "category": string(), "sex": string(),
            "birth_date": {"type": ["string", "null"]}, "hire_date": {"type": ["string", "null"]},
            "id_number_masked": {"type": ["string", "null"]}, "mobile_masked": {"type": ["string", "null"]},
            "unit_id": {"type": "integer"}, "unit_name": string(), "unit_path": string(), "position": {"type": ["string", "null"]},
            "political_status": string(), "duty_status": string(), "police_types": {"type": "array", "items": string()},
            "skills": {"type": "array", "items": string()}, "enabled": {"type": "boolean"}, "updated_at": {"type": "integer"}}},
        "PersonPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
            "total": {"type": "integer"}, "page": {"type": "integer"}, "size": {"type": "integer"}}},
        "ImportReport": {"type": "object", "properties": {"total": {"type": "integer"}, "created": {"type": "integer"},
            "updated": {"type": "integer"}, "unchanged": {"type": "integer"}, "committed": {"type": "boolean"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"row": {"type": "integer"}, "column": string(), "value": string(), "rule": string()}}}}},
        "Operation": {"type": "object", "properties": {"id": {"type": "integer"}, "name": string(), "description": string(),
            "status": string(), "start_date": string(), "end_date": {"type": ["string", "null"]}}},
        "OperationList": {"type": "array", "items": {"$ref": "#/components/schemas/Operation"}},
        "AccountList": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "username": string(),
            "display_name": string(), "unit_name": string(), "roles": {"type": "array", "items": string()}, "enabled": {"type": "boolean"},
            "must_change_password": {"type": "boolean"}, "totp_enabled": {"type": "boolean"}}}},
        "NewAccount": {"type": "object", "required": ["username", "display_name", "unit_id", "password"], "properties": {
            "username": {"type": "string", "pattern": "^[A-Za-z0-9_.]{2,30}$"}, "display_name": {"type": "string", "minLength": 1, "maxLength": 30},
            "unit_id": {"type": "integer"}, "password": {"type": "string", "minLength": 8}}},
        "Roles": {"type": "object", "required": ["roles"], "properties": {"roles": {"type": "array", "items": {"type": "string",
            "description": "内置角色 sysadmin、secadmin、auditadmin、commander、duty、secretary、checkpoint、supplies、editor、officer，或自定义角色代码"}}}},
        "Grant": {"type": "object", "required": ["perm", "scope"], "properties": {"perm": {"type": "string", "description": "module:entity:action"},
            "scope": {"type": "string", "enum": ["all", "unit", "units", "self"]}}},
        "RoleInput": {"type": "object", "required": ["key", "name"], "properties": {"key": {"type": "string", "description": "2–30 位小写字母、数字、下划线"},
            "name": string(), "grants": {"type": "array", "items": {"$ref": "#/components/schemas/Grant"}},
            "units": {"type": "array", "items": {"type": "integer"}, "description": "指定单位（数据范围 units 时）"}}},
        "CustomRole": {"type": "object", "properties": {"key": string(), "name": string(),
            "grants": {"type": "array", "items": {"$ref": "#/components/schemas/Grant"}}, "units": {"type": "array", "items": {"type": "integer"}}}},
        "RoleList": {"type": "object", "properties": {
            "builtin": {"type": "array", "items": {"$ref": "#/components/schemas/CustomRole"}},
            "custom": {"type": "array", "items": {"$ref": "#/components/schemas/CustomRole"}},
            "grantable": {"type": "array", "items": {"type": "string"}}}},
        "SessionList": {"type": "array", "items": {"type": "object", "properties": {"id": string(), "username": string(),
            "display_name": string(), "unit_name": string(), "ip": string(), "user_agent": string(),
            "created_at": {"type": "integer"}, "last_seen_at": {"type": "integer"}}}},
        "AuditPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}}},
        // checkpoint
        "CheckpointInput": input_fields(&["name", "kind", "location", "hours", "police_types", "unit_id", "status", "leader", "fever_clinic"]),
        "Checkpoint": {"type": "object", "properties": {"id": {"type": "integer"}, "name": string(), "kind": string(), "location": string(),
            "hours": string(), "police_types": {"type": "array", "items": string()}, "unit_id": {"type": "integer"}, "unit_name": string(),
            "status": string(), "leader": string(), "fever_clinic": string(), "public_code": string()}},
        "CheckpointList": {"type": "array", "items": {"type": "object", "additionalProperties": true}},
        "RegistrationInput": {"type": "object", "required": ["checkpoint_id", "temp", "decision"], "properties": {
            "id": {"type": "string", "format": "uuid", "description": "客户端生成的 UUID（离线补传幂等）"},
            "checkpoint_id": {"type": "integer"}, "captured_at": {"type": "integer", "description": "采集时间（UTC 毫秒）"},
            "pass_code": {"type": "string", "pattern": "^[0-9]{8}$"}, "name": string(),
            "doc_type": {"type": "string", "enum": ["id_card", "passport", "hk_macau", "taiwan", "foreign_pr", "other"]},
            "doc_number": string(), "phone": string(), "plate": string(),
            "vehicle_type": {"type": "string", "enum": ["walk", "car", "truck", "bus", "motorcycle", "other"]},
            "driver_id": {"type": "string", "format": "uuid"}, "origin": string(), "destination": string(),
            "reason": {"type": "string", "enum": ["return_home", "work", "medical", "supplies", "official", "other"]},
            "travel_flag": {"type": "boolean"}, "health_code": {"type": "string", "enum": ["none", "green", "yellow", "red"]},
            "temp": {"type": "string", "description": "体温 34.0–42.0"}, "temp2": {"type": "string", "description": "复测体温"},
            "method": {"type": "string", "enum": ["forehead", "ear", "armpit", "infrared"]},
            "decision": {"type": "string", "enum": ["pass", "turn_back", "transfer"]}, "clinic": string(),
            "mode": {"type": "string", "enum": ["officer", "paper"]}}},
        "Registered": {"type": "object", "properties": {"id": string(), "created": {"type": "boolean"}, "fever_case": {"type": ["integer", "null"]}}},
        "Pass": {"type": "object", "properties": {"code": string(), "checkpoint_id": {"type": "integer"}, "summary": string(),
            "created_at": {"type": "integer"}, "expires_at": {"type": "integer"}}},
        "ScreeningList": {"type": "array", "items": {"type": "object", "additionalProperties": true}},
        "TraceInput": input_fields(&["doc_type", "doc_number", "phone", "reason"]),
        "FeverCaseList": {"type": "array", "items": {"type": "object", "additionalProperties": true}},
        "FeverCase": {"type": "object", "additionalProperties": true},
        "CaseAction": input_fields(&["receiver", "note", "outcome"]),
        "AlertList": {"type": "array", "items": {"type": "object", "additionalProperties": true}},
        "PurgeBody": {"type": "object", "properties": {"days": {"type": "integer", "minimum": 1, "maximum": 3650}}},
        "PurgeReport": {"type": "object", "properties": {"screenings": {"type": "integer"}, "fever_cases": {"type": "integer"}, "passes": {"type": "integer"}}},
        "RecallInput": input_fields(&["title", "message", "scope", "unit_ids", "category", "police_type", "police_nos", "deadline_minutes", "report_to", "report_post", "mode", "waves"]),
        "RecallPreview": {"type": "object", "properties": {"audience": {"type": "integer"}, "exempt_by_duty": {"type": "integer"},
            "needs_approval": {"type": "boolean"}, "threshold": {"type": "integer"}, "scope_text": string()}},
        "RecallCreated": {"type": "object", "properties": {"id": {"type": "integer"}, "audience": {"type": "integer"}, "status": string()}},
        "RecallList": {"type": "array", "items": {"type": "object"}},
        "RecallChannelInput": input_fields(&["kind", "name", "url", "secret", "template", "link_base", "min_interval_ms"]),
        "RecallAnswer": input_fields(&["action"]),
        "RecallMark": input_fields(&["action", "reason"]),
    })
}

fn q(name: &str, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description})
}

fn enum_of(values: Vec<&'static str>) -> Value {
    json!({"type": "string", "enum": values})
}

/// Query parameters of the routes that take them.
fn query_params(path: &str) -> Vec<Value> {
    use bastion_core::org::*;
    // Allowed codes go into the description: schemathesis (hypothesis on Python 3.11) trips over
    // a dozen enum-typed query parameters on one operation ("AST constructor recursion depth mismatch").
    let codes = |all: Vec<&'static str>| json!({"type": "string", "maxLength": 20, "description": all.join(" | ")});
    let page =
        q("page", json!({"type": "integer", "minimum": 1, "maximum": crate::api::org::MAX_PAGE}), "页码，从 1 开始");
    match path {
        "/api/people" | "/api/people/export" => {
            let mut v = vec![
                q("unit_id", json!({"type": "integer"}), "单位（含下级）"),
                q("name", json!({"type": "string", "maxLength": 50}), "姓名（模糊）"),
                q("police_no", json!({"type": "string", "maxLength": 20}), "警号（前缀）"),
                q("category", codes(Category::ALL.iter().map(|c| c.code()).collect()), "人员类别"),
                q("political_status", codes(PoliticalStatus::ALL.iter().map(|c| c.code()).collect()), "政治面貌"),
                q("duty_status", codes(DutyStatus::ALL.iter().map(|c| c.code()).collect()), "在岗状态"),
                q("police_type", codes(PoliceType::ALL.iter().map(|c| c.code()).collect()), "警种"),
                q("party", json!({"type": "boolean"}), "仅党员 / 非党员"),
                q("enabled", json!({"type": "boolean"}), "启用状态"),
            ];
            if path == "/api/people" {
                v.push(page);
                v.push(q("size", json!({"type": "integer", "minimum": 1, "maximum": 500}), "每页条数"));
            } else {
                v.push(q("format", enum_of(vec!["xlsx", "csv"]), "文件格式"));
            }
            v
        }
        "/api/people/template" => vec![q("format", enum_of(vec!["xlsx", "csv"]), "文件格式")],
        "/api/people/import" => vec![
            q("dry_run", json!({"type": "boolean"}), "仅预检，不写入"),
            q("update_existing", json!({"type": "boolean"}), "按警号更新已存在的人员"),
        ],
        "/api/audit" | "/api/audit/export" | "/api/login-log" => {
            let mut v = vec![];
            if path != "/api/login-log" {
                v.push(q("account", json!({"type": "string", "maxLength": 30}), "账号"));
                v.push(q("module", json!({"type": "string", "maxLength": 30}), "模块"));
            }
            if path != "/api/audit/export" {
                v.push(page);
                v.push(q("size", json!({"type": "integer", "minimum": 1, "maximum": 200}), "每页条数"));
            }
            v
        }
        // checkpoint
        "/api/checkpoints/{id}/screenings" => {
            vec![q("limit", json!({"type": "integer", "minimum": 1, "maximum": 500}), "条数")]
        }
        "/api/checkpoints/fever-cases" => vec![q("open", json!({"type": "boolean"}), "仅未结案")],
        // publicity
        "/api/publicity/articles" => vec![q(
            "status",
            enum_of(bastion_core::publicity::ArticleStatus::ALL.iter().map(|c| c.code()).collect()),
            "稿件状态",
        )],
        "/api/publicity/articles/{id}/diff" => vec![
            q("from", json!({"type": "integer", "minimum": 1}), "旧版本号"),
            q("to", json!({"type": "integer", "minimum": 1}), "新版本号"),
        ],
        // supplies
        "/api/supplies/movements" => vec![q("store_id", json!({"type": "integer", "minimum": 1}), "库点")],
        "/api/supplies/issues" => vec![q("person_id", json!({"type": "integer", "minimum": 1}), "签领人")],
        "/api/supplies/receipts/import" => vec![q("dry_run", json!({"type": "boolean"}), "仅预检，不写入")],
        _ => vec![],
    }
}

/// supplies: request bodies and answers of `/api/supplies/...`.
fn with_supplies(mut schemas: Value) -> Value {
    let fields = |fields: &[&str]| -> Value {
        let props: serde_json::Map<String, Value> = fields.iter().map(|f| (f.to_string(), string())).collect();
        json!({"type": "object", "properties": props})
    };
    let list = |item: Value| json!({"type": "array", "items": item});
    let int = || json!({"type": "integer"});
    let add = [
        (
            "SupplyItemInput",
            fields(&[
                "code",
                "name",
                "issue_unit",
                "pack_size",
                "per_shift",
                "shelf_life_days",
                "min_days",
                "kit_per_shift",
            ]),
        ),
        ("SupplyStoreInput", fields(&["code", "name", "kind", "unit_id", "checkpoint_id"])),
        (
            "SupplyReceiptInput",
            fields(&["store_id", "item_id", "quantity", "batch", "expires_on", "source", "donor", "reason"]),
        ),
        (
            "SupplyMoveInput",
            fields(&["kind", "from_store_id", "to_store_id", "person_id", "item_id", "batch", "quantity", "reason"]),
        ),
        (
            "SupplyIssueInput",
            json!({"type": "object", "required": ["store_id", "shift_date", "shift", "people"], "properties": {
                "store_id": string(), "shift_date": string(), "shift": string(),
                "items": list(fields(&["item_id", "quantity"])),
                "people": list(json!({"type": "object", "properties": {"person_id": string(),
                    "signature": {"type": "string", "description": "data:image/png;base64,… 或 data:image/jpeg;base64,…（不超过 200 KB）"},
                    "leader_reason": {"type": "string", "description": "无本人签名时，带班负责人代签的原因"}}})),
                "repeat_reason": string(), "expired_reason": string()}}),
        ),
        (
            "SupplyStocktakeInput",
            json!({"type": "object", "properties": {"store_id": string(), "reason": string(),
                "lines": list(fields(&["item_id", "batch", "counted"]))}}),
        ),
        ("SupplyItemList", list(json!({"type": "object"}))),
        ("SupplyStoreList", list(json!({"type": "object"}))),
        (
            "SupplyStock",
            json!({"type": "object", "properties": {"lines": list(json!({"type": "object"})),
            "totals": list(json!({"type": "object"})), "bureau_wide": {"type": "boolean"}}}),
        ),
        ("SupplyMovementList", list(json!({"type": "object"}))),
        ("SupplyIds", json!({"type": "object", "properties": {"ids": list(int())}})),
        ("SupplyIssueOutcome", json!({"type": "object", "properties": {"issues": list(int()), "summary": string()}})),
        ("SupplyIssueList", list(json!({"type": "object"}))),
        ("SupplyPost", json!({"type": "object"})),
        ("SupplyCountedList", list(json!({"type": "object"}))),
        ("SupplyRequestList", list(json!({"type": "object"}))),
        (
            "SupplyReceiptImport",
            json!({"type": "object", "properties": {"rows": int(), "units": int(), "dry_run": {"type": "boolean"}}}),
        ),
        (
            "SupplyRequestInput",
            json!({"type": "object", "properties": {"store_id": string(), "note": string(),
                "lines": list(fields(&["item_id", "quantity"]))}}),
        ),
        (
            "SupplyDecisionInput",
            json!({"type": "object", "properties": {"action": {"type": "string", "description": "approve | reject"},
                "reason": string(), "lines": list(fields(&["item_id", "quantity"]))}}),
        ),
        (
            "SupplyForecast",
            list(json!({"type": "object", "properties": {"store_id": int(), "item_id": int(),
            "on_hand": int(), "people": int(), "planned_per_day": {"type": "number"}, "observed_per_day": {"type": "number"},
            "days_of_supply": {"type": ["number", "null"]}, "run_out_on": {"type": ["string", "null"]},
            "below_minimum": {"type": "boolean"}}})),
        ),
    ];
    if let Some(m) = schemas.as_object_mut() {
        for (k, v) in add {
            m.insert(k.to_string(), v);
        }
    }
    schemas
}

/// publicity: request bodies of `/api/publicity/...`.
fn with_publicity(mut schemas: Value) -> Value {
    let fields = |fields: &[&str]| -> Value {
        let props: serde_json::Map<String, Value> = fields.iter().map(|f| (f.to_string(), string())).collect();
        json!({"type": "object", "properties": props})
    };
    let add = [
        (
            "ArticleInput",
            fields(&[
                "title",
                "subtitle",
                "body",
                "summary",
                "author",
                "source",
                "column",
                "cover_image_id",
                "publish_at",
                "people",
                "teams",
            ]),
        ),
        (
            "StepInput",
            json!({"type": "object", "required": ["action"], "properties": {"action": enum_of(vec!["submit", "return", "publish", "withdraw", "reopen"]), "note": string()}}),
        ),
        ("ChannelReadInput", fields(&["article_id", "channel", "reads", "day", "note"])),
        ("HonourInput", fields(&["honour", "nominating_body", "police_no", "team", "reason", "evidence", "articles"])),
        ("HonourStepInput", fields(&["status", "notice_start", "notice_end", "note"])),
    ];
    if let Some(m) = schemas.as_object_mut() {
        for (k, v) in add {
            m.insert(k.to_string(), v);
        }
    }
    schemas
}

/// Media types of file downloads.
fn file_types(path: &str) -> Vec<&'static str> {
    match path {
        "/api/audit/export" | "/api/recall/{id}/missing/export" => vec!["text/csv"],
        "/api/supplies/issues/{id}/signature" => vec!["image/png", "image/jpeg"],
        _ => vec!["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
    }
}

pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for e in crate::routes::endpoints().iter().filter(|e| e.path.starts_with("/api/")) {
        let Some(doc) = e.doc else { continue };
        let (method, path, tag, summary, req, resp, ok) =
            (e.method.as_str(), &e.path, doc.tag, doc.summary, &doc.request, &doc.response, &doc.status);
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "operationId": format!("{method}_{}", path.trim_start_matches("/api/").replace(['/', '{', '}', '.'], "_")),
            "responses": {
                *ok: {"description": "成功", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{resp}")}}}},
                "400": {"description": "请求格式错误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "401": {"description": "未登录", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "403": {"description": "无权限", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "404": {"description": "不存在", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "409": {"description": "与现有数据冲突", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "422": {"description": "输入有误（逐字段说明）", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        let mut params = query_params(path);
        // Every `{name}` in the path: `id` is an integer (a session id is text); the rest are text.
        for name in path.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(n, _)| n)) {
            let schema = match name {
                "id" | "person" if !path.starts_with("/api/sessions/") => json!({"type": "integer"}),
                "id" => json!({"type": "string"}),
                _ => json!({"type": "string", "maxLength": 64}),
            };
            params.push(json!({"name": name, "in": "path", "required": true, "schema": schema}));
        }
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if *resp == "File" {
            let content: serde_json::Map<String, Value> = file_types(path)
                .into_iter()
                .map(|t| (t.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
                .collect();
            op["responses"][*ok]["content"] = Value::Object(content);
        }
        if let Some(r) = req {
            let ct = if *r == "Upload" { "multipart/form-data" } else { "application/json" };
            op["requestBody"] =
                json!({"required": true, "content": {ct: {"schema": {"$ref": format!("#/components/schemas/{r}")}}}});
        }
        op["security"] = match e.access {
            crate::routes::Access::Public | crate::routes::Access::PublicSite => json!([]),
            crate::routes::Access::SignedIn | crate::routes::Access::Perm(_) | crate::routes::Access::AnyPerm(_) => {
                json!([{"session": []}])
            }
        };
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Bastion 战疫指挥平台 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "脚本调用方式：POST /api/login 提交 JSON {\"username\",\"password\"}，响应设置 HttpOnly 会话 Cookie `bastion_session`；之后的请求携带该 Cookie。会话空闲 30 分钟失效。写操作须同源（浏览器的 Sec-Fetch-Site/Origin 校验；非浏览器客户端不发送 Origin 即可）。错误统一为 {code, message, errors[]}，message 为中文。"
        },
        "components": {
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "bastion_session"}},
            "schemas": with_supplies(with_publicity(schemas()))
        },
        "paths": paths
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn documents_every_api_endpoint() {
        let doc = super::build();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
        let mut routes: Vec<(String, String)> = crate::routes::endpoints()
            .iter()
            .filter(|e| e.path.starts_with("/api/"))
            .map(|e| (e.method.as_str().to_string(), e.path.to_string()))
            .collect();
        documented.sort();
        routes.sort();
        assert!(routes.len() > 70, "{routes:?}");
        assert_eq!(documented, routes, "every /api endpoint declares its documentation");
    }

    #[test]
    fn open_operations_declare_no_security() {
        let doc = super::build();
        assert_eq!(doc["paths"]["/api/login"]["post"]["security"], serde_json::json!([]));
        assert_eq!(doc["paths"]["/api/openapi.json"]["get"]["security"], serde_json::json!([]));
        assert_eq!(doc["paths"]["/api/people"]["get"]["security"], serde_json::json!([{"session": []}]));
    }
}
