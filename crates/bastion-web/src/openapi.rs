//! The OpenAPI 3.1 document of `/api`, built from the endpoint declarations (`crate::routes`):
//! every API endpoint is described by the same declaration that routes it. Operations open to
//! everyone declare `security: []`; every other one declares the session cookie.

use axum::Json;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};

fn string() -> Value {
    json!({"type": "string"})
}

/// The schema of a Rust type, registered with the generator (nested types land in the components).
type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// The Rust type behind each schema name an endpoint declaration uses: the schema is derived from
/// the type (serde's names, integers, enums with their codes, required fields, formats), so the
/// document says what the handler really reads and answers.
const TYPED: &[(&str, SchemaFn)] = {
    use bastion_app as app;
    &[
        // auth
        ("LoginBody", of::<crate::api::auth::LoginBody>),
        ("PasswordBody", of::<crate::api::auth::PasswordBody>),
        ("NewAccount", of::<crate::api::auth::NewAccountBody>),
        ("Roles", of::<crate::api::auth::RolesBody>),
        ("PolicyInput", of::<app::auth::policy::PolicyInput>),
        ("RoleInput", of::<app::auth::roles::RoleInput>),
        ("CustomRole", of::<app::auth::roles::CustomRole>),
        ("AccountList", of::<Vec<app::auth::Account>>),
        ("SessionList", of::<Vec<app::auth::OnlineSession>>),
        // org and transfer
        ("UnitInput", of::<app::org::UnitInput>),
        ("PersonInput", of::<app::org::PersonInput>),
        ("RevealBody", of::<crate::api::org::RevealBody>),
        ("Revealed", of::<app::org::Revealed>),
        ("Unit", of::<app::org::Unit>),
        ("UnitList", of::<Vec<app::org::Unit>>),
        ("Person", of::<app::org::Person>),
        ("PersonPage", of::<app::org::Page<app::org::Person>>),
        ("ImportReport", of::<app::transfer::ImportReport>),
        // operation
        ("OperationInput", of::<app::operation::OperationInput>),
        ("Operation", of::<app::operation::Operation>),
        ("OperationList", of::<Vec<app::operation::Operation>>),
        // checkpoint
        ("CheckpointInput", of::<app::checkpoint::CheckpointInput>),
        ("Checkpoint", of::<app::checkpoint::Checkpoint>),
        ("CheckpointList", of::<Vec<crate::api::checkpoint::CheckpointRow>>),
        ("RegistrationInput", of::<app::checkpoint::RegistrationInput>),
        ("Registered", of::<app::checkpoint::Registered>),
        ("Pass", of::<app::checkpoint::PassView>),
        ("ScreeningList", of::<Vec<app::checkpoint::Screening>>),
        ("TraceInput", of::<app::checkpoint::TraceInput>),
        ("FeverCaseList", of::<Vec<app::checkpoint::FeverCase>>),
        ("FeverCaseDetail", of::<crate::api::checkpoint::CaseDetail>),
        ("CaseAction", of::<crate::api::checkpoint::CaseAction>),
        ("AlertList", of::<Vec<app::checkpoint::Alert>>),
        ("PurgeBody", of::<crate::api::checkpoint::PurgeBody>),
        ("PurgeReport", of::<app::checkpoint::PurgeReport>),
        // recall
        ("RecallInput", of::<app::recall::OrderInput>),
        ("RecallPreview", of::<app::recall::Preview>),
        ("RecallList", of::<Vec<app::recall::Order>>),
        ("RecallCreated", of::<app::recall::Created>),
        ("RecallBoard", of::<app::recall::Board>),
        ("RecallAnswer", of::<crate::api::recall::AnswerBody>),
        ("RecallMark", of::<app::recall::MarkInput>),
        // notify
        ("ChannelInput", of::<app::notify::ChannelInput>),
        ("ChannelEnabled", of::<crate::api::notify::EnabledInput>),
        ("ChannelList", of::<Vec<app::notify::Channel>>),
        // publicity
        ("ArticleInput", of::<app::publicity::ArticleInput>),
        ("StepInput", of::<app::publicity::StepInput>),
        ("ChannelReadInput", of::<app::publicity::ChannelReadInput>),
        ("HonourInput", of::<app::publicity::HonourInput>),
        ("HonourStepInput", of::<app::publicity::HonourStepInput>),
        ("ArticleList", of::<Vec<app::publicity::Article>>),
        ("ArticleDetail", of::<app::publicity::ArticleDetail>),
        ("DiffLines", of::<Vec<app::publicity::html::DiffLine>>),
        ("ChannelReadList", of::<Vec<app::publicity::ChannelRead>>),
        ("HonourList", of::<Vec<app::publicity::Honour>>),
        // supplies
        ("SupplyItemInput", of::<app::supplies::ItemInput>),
        ("SupplyStoreInput", of::<app::supplies::StoreInput>),
        ("SupplyReceiptInput", of::<app::supplies::ReceiptInput>),
        ("SupplyMoveInput", of::<app::supplies::MoveInput>),
        ("SupplyIssueInput", of::<app::supplies::IssueInput>),
        ("SupplyStocktakeInput", of::<app::supplies::StocktakeInput>),
        ("SupplyRequestInput", of::<app::supplies::RequestInput>),
        ("SupplyDecisionInput", of::<app::supplies::DecisionInput>),
        ("SupplyItemList", of::<Vec<app::supplies::Item>>),
        ("SupplyStoreList", of::<Vec<app::supplies::SupplyStore>>),
        ("SupplyStock", of::<app::supplies::StockView>),
        ("SupplyMovementList", of::<Vec<app::supplies::Movement>>),
        ("SupplyIssueOutcome", of::<app::supplies::IssueOutcome>),
        ("SupplyIssueList", of::<Vec<app::supplies::IssueRecord>>),
        ("SupplyPost", of::<app::supplies::PostView>),
        ("SupplyCountedList", of::<Vec<app::supplies::CountedLine>>),
        ("SupplyRequestList", of::<Vec<app::supplies::SupplyRequest>>),
        ("SupplyReceiptImport", of::<app::supplies::ReceiptImport>),
        ("SupplyForecast", of::<Vec<app::supplies::ForecastLine>>),
        ("SupplyUnprotected", of::<app::supplies::Unprotected>),
        ("SupplyKitLeadBody", of::<crate::api::supplies::KitLeadBody>),
        // duty
        ("DutyPostInput", of::<app::duty::PostInput>),
        ("DutyPostList", of::<Vec<app::duty::Post>>),
        ("DutyBoard", of::<app::duty::Board>),
        ("DutyAssignmentInput", of::<app::duty::AssignmentInput>),
        ("DutyShift", of::<app::duty::Assignment>),
        ("DutyShiftList", of::<Vec<app::duty::Assignment>>),
        ("DutyLogInput", of::<app::duty::LogInput>),
        ("DutyLog", of::<crate::api::duty::DayLog>),
        ("DutySwapList", of::<Vec<app::duty::swap::SwapView>>),
        ("DutySwapInput", of::<app::duty::swap::SwapInput>),
        ("DutySwapDecision", of::<app::duty::swap::DecisionInput>),
        ("DutySwap", of::<app::duty::swap::Swap>),
        ("DutyCommand", of::<app::duty::command::CommandView>),
        ("DutyGroupInput", of::<app::duty::command::GroupInput>),
        ("DutyMemberInput", of::<app::duty::command::MemberInput>),
        ("DutyMeetingList", of::<app::duty::meeting::MeetingList>),
        ("DutyMeetingInput", of::<app::duty::meeting::MeetingInput>),
        ("DutyMeeting", of::<app::duty::meeting::MeetingView>),
        ("DutyCheckInInput", of::<app::duty::meeting::CheckInInput>),
        ("DutyAttendee", of::<app::duty::meeting::Attendee>),
        ("DutyTaskList", of::<Vec<app::duty::meeting::Task>>),
        ("DutyTaskInput", of::<app::duty::meeting::TaskInput>),
        ("DutyTaskView", of::<app::duty::meeting::TaskView>),
        ("DutyTaskNoteInput", of::<app::duty::meeting::TaskNoteInput>),
        ("DutyReopenInput", of::<app::duty::meeting::ReopenInput>),
        ("DutyHandoverView", of::<app::duty::handover::HandoverView>),
        ("DutyHandoverInput", of::<app::duty::handover::HandoverInput>),
        ("DutyHandover", of::<app::duty::handover::Handover>),
        ("DutyRosterList", of::<Vec<app::duty::roster::Roster>>),
        ("DutyGenerateInput", of::<app::duty::roster::GenerateInput>),
        ("DutyRoster", of::<app::duty::roster::RosterView>),
        ("DutyCellExplanation", of::<app::duty::roster::CellExplanation>),
        ("DutyCellInput", of::<app::duty::roster::CellInput>),
        ("DutyPublishOutcome", of::<app::duty::roster::PublishOutcome>),
        ("DutyRepairInput", of::<app::duty::roster::RepairInput>),
        ("DutyRepairOutcome", of::<app::duty::roster::RepairOutcome>),
        // dashboard
        ("DashboardSections", of::<Vec<app::dashboard::Section>>),
        ("DashboardTrends", of::<app::dashboard::Trends>),
        // daily report
        ("ReportHistory", of::<Vec<app::report::ReportSummary>>),
        ("ReportAssembleBody", of::<crate::api::report::AssembleBody>),
        ("Report", of::<app::report::Report>),
        ("ReportNoteInput", of::<app::report::NoteInput>),
        ("ReportSigned", of::<crate::api::report::Signed>),
        // inspections
        ("InspectionTemplateList", of::<Vec<app::inspection::Template>>),
        ("InspectionTemplateInput", of::<app::inspection::TemplateInput>),
        ("InspectionTemplate", of::<app::inspection::Template>),
        ("InspectionOnSite", of::<app::inspection::OnSite>),
        ("InspectionInput", of::<app::inspection::InspectionInput>),
        ("InspectionSubmitted", of::<app::inspection::Submitted>),
        ("InspectionList", of::<Vec<app::inspection::Inspection>>),
        ("InspectionDetail", of::<crate::api::inspection::InspectionDetail>),
        ("InspectionFindingPage", of::<app::inspection::FindingPage>),
        ("InspectionFindingDetail", of::<crate::api::inspection::FindingDetail>),
        ("InspectionFindingStep", of::<app::inspection::FindingStepInput>),
        ("InspectionPlanList", of::<Vec<app::inspection::Plan>>),
        ("InspectionPlanInput", of::<app::inspection::PlanInput>),
        ("InspectionStats", of::<Vec<app::inspection::UnitStat>>),
        ("InspectionCircularList", of::<Vec<app::inspection::Circular>>),
        ("InspectionCircularInput", of::<app::inspection::CircularInput>),
        // party
        ("PartyOverview", of::<app::party::Overview>),
        ("PartyCompliance", of::<app::party::Compliance>),
        ("PartyMyApplication", of::<app::party::MyApplication>),
        ("PartyApplicationInput", of::<app::party::ApplicationInput>),
        ("PartyOrgList", of::<Vec<app::party::Org>>),
        ("PartyOrg", of::<app::party::Org>),
        ("PartyBranch", of::<app::party::BranchDetail>),
        ("PartyTemporaryInput", of::<app::party::TemporaryInput>),
        ("PartyOrgInput", of::<app::party::OrgInput>),
        ("PartyMinutesInput", of::<app::party::MinutesInput>),
        ("PartyPostMarkInput", of::<app::party::PostMarkInput>),
        ("PartyPostMark", of::<app::party::PostMark>),
        ("PartyAbsenceInput", of::<app::party::AbsenceInput>),
        ("PartyMemberInput", of::<app::party::MemberInput>),
        ("PartyTransferInput", of::<app::party::TransferInput>),
        ("PartyMember", of::<app::party::Member>),
        ("PartyApproveInput", of::<app::party::ApproveInput>),
        ("PartyCloseInput", of::<app::party::CloseInput>),
        ("PartyOfficerInput", of::<app::party::OfficerInput>),
        ("PartyMeetingInput", of::<app::party::MeetingInput>),
        ("PartyMeeting", of::<app::party::Meeting>),
        ("PartyOfficer", of::<app::party::Officer>),
        ("PartyRecordInput", of::<app::party::RecordInput>),
        ("PartyMemberRecord", of::<app::party::MemberRecord>),
        ("PartyPetitionList", of::<Vec<app::party::Petition>>),
        ("PartyPetitionInput", of::<app::party::PetitionInput>),
        ("PartyPetition", of::<app::party::Petition>),
        ("PartyConsentInput", of::<app::party::ConsentInput>),
        ("PartyMeetingFileList", of::<Vec<app::party::MeetingFile>>),
        ("PartyTeamList", of::<Vec<app::party::TeamView>>),
        ("PartyTeamInput", of::<app::party::TeamInput>),
        ("PartyResultInput", of::<app::party::ResultInput>),
        ("PartyTotals", of::<app::party::Totals>),
        ("PartyPipeline", of::<Vec<app::party::PipelineRow>>),
        ("PartyCandidateInput", of::<app::party::CandidateInput>),
        ("PartyCandidate", of::<app::party::PipelineRow>),
        ("PartyStepInput", of::<app::party::StepInput>),
        ("PartyWaiverInput", of::<app::party::WaiverInput>),
    ]
};

/// Every named schema: those derived from Rust types (`TYPED`, with the types they contain), and
/// the few answers built as JSON in the handlers.
fn schemas() -> Value {
    schemas_and_clashes().0
}

/// The schemas, and the names in `TYPED` that clash with the definition of another type (a clash
/// would replace that type's schema everywhere it is used).
fn schemas_and_clashes() -> (Value, Vec<String>) {
    let mut g =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas/".into()).into_generator();
    let mut named = serde_json::Map::new();
    for (name, f) in TYPED {
        let schema = f(&mut g).to_value();
        named.insert(name.to_string(), schema);
    }
    let mut all: serde_json::Map<String, Value> = g.take_definitions(true).into_iter().collect();
    // A name that is its type's own stays as defined; another name (`RecallInput` for
    // `OrderInput`, a list) is the derived schema or a `$ref` to the type's definition.
    let mut clashes = Vec::new();
    for (name, schema) in named {
        let own = schema.get("$ref").and_then(Value::as_str) == Some(&format!("#/components/schemas/{name}"));
        if own {
            continue;
        }
        if all.contains_key(&name) {
            clashes.push(name);
            continue;
        }
        all.insert(name, schema);
    }
    if let Some(m) = hand_written().as_object() {
        for (k, v) in m {
            if all.contains_key(k) {
                clashes.push(k.clone());
            }
            all.insert(k.clone(), v.clone());
        }
    }
    (Value::Object(all), clashes)
}

/// The answers built as JSON in the handlers, and the error body.
fn hand_written() -> Value {
    json!({
        "Error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": string(), "message": {"type": "string", "description": "中文错误说明"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": string(), "message": string()}}}}},
        "Ok": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
        "Created": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "Any": {},
        "File": {"type": "string", "format": "binary"},
        "Me": {"type": "object", "properties": {"username": string(), "display_name": string(), "roles": {"type": "array", "items": string()}, "must_change_password": {"type": "boolean"}}},
        "Ctx": {"type": "object", "additionalProperties": true},
        "Upload": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
        "RoleList": {"type": "object", "properties": {
            "builtin": {"type": "array", "items": {"$ref": "#/components/schemas/CustomRole"}},
            "custom": {"type": "array", "items": {"$ref": "#/components/schemas/CustomRole"}},
            "grantable": {"type": "array", "items": {"type": "string"}}}},
        "SupplyIds": {"type": "object", "required": ["ids"], "properties": {"ids": {"type": "array", "items": {"type": "integer"}}}},
        "AuditPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "integer"}}},
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
        // duty
        "/api/duty/command" | "/api/duty/meetings" => {
            vec![q("operation_id", json!({"type": "integer", "minimum": 1}), "行动")]
        }
        "/api/duty/tasks" => {
            vec![q("status", enum_of(vec!["open", "overdue", "done", "mine"]), "办理中、已逾期、已办结或我负责的")]
        }
        "/api/duty/posts/{id}/handover" => vec![
            q("day", json!({"type": "string", "format": "date"}), "日期"),
            q("shift", json!({"type": "string", "maxLength": 20}), "班次名称"),
        ],
        "/api/duty/rosters/{id}" => vec![q("unit_id", json!({"type": "integer", "minimum": 1}), "单位（人员×日期表）")],
        "/api/duty/rosters/{id}/explain" => vec![
            q("person_id", json!({"type": "integer", "minimum": 1}), "人员"),
            q("day", json!({"type": "string", "format": "date"}), "日期"),
        ],
        // daily report
        "/api/reports/{day}/export" => vec![q("format", enum_of(vec!["xlsx", "docx", "pdf"]), "文件格式")],
        "/api/inspections/circulars/{id}/export" => vec![q("format", enum_of(vec!["pdf", "docx"]), "文件格式")],
        "/api/duty/rosters/{id}/export" => vec![q("format", enum_of(vec!["xlsx", "pdf"]), "文件格式（默认 xlsx）")],
        // supplies
        "/api/supplies/movements" => vec![q("store_id", json!({"type": "integer", "minimum": 1}), "库点")],
        "/api/supplies/issues" => vec![q("person_id", json!({"type": "integer", "minimum": 1}), "签领人")],
        "/api/supplies/receipts/import" => vec![q("dry_run", json!({"type": "boolean"}), "仅预检，不写入")],
        _ => vec![],
    }
}

/// Media types of file downloads.
fn file_types(path: &str) -> Vec<&'static str> {
    match path {
        "/api/audit/export" | "/api/recall/{id}/missing/export" => vec!["text/csv"],
        "/api/supplies/issues/{id}/signature" => vec!["image/png", "image/jpeg"],
        "/api/party/petitions/{id}/signature" => vec!["image/png"],
        "/api/duty/rosters/{id}/export" => {
            vec!["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf"]
        }
        "/api/inspections/circulars/{id}/export" => {
            vec!["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
        }
        "/api/reports/{day}/export" => vec![
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/pdf",
        ],
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
        // The permission the gate asks for (any one of them), for clients and the API fuzzer.
        match e.access {
            crate::routes::Access::Perm(p) => op["x-permissions"] = json!([p]),
            crate::routes::Access::AnyPerm(ps) => op["x-permissions"] = json!(ps),
            _ => {}
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
            "schemas": schemas()
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
#[cfg(test)]
mod derived {
    use serde_json::Value;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    /// The schema a name stands for, following one `$ref`.
    fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
        let s = &doc["components"]["schemas"][name];
        match s["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(target) => &doc["components"]["schemas"][target],
            None => s,
        }
    }

    #[test]
    fn schema_names_do_not_replace_a_types_definition() {
        assert_eq!(super::schemas_and_clashes().1, Vec::<String>::new());
    }

    #[test]
    fn every_reference_resolves() {
        let doc = super::build();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(all.len() > 100);
        for r in all {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(doc["components"]["schemas"].get(name).is_some(), "{r} is not defined");
        }
    }

    #[test]
    fn inputs_kept_as_text_are_described_by_meaning() {
        let doc = super::build();
        let order = schema(&doc, "RecallInput");
        assert_eq!(order["properties"]["deadline_minutes"]["type"], "integer", "{order}");
        assert_eq!(order["properties"]["unit_ids"]["items"]["type"], "integer", "{order}");
        assert_eq!(order["properties"]["scope"]["enum"], serde_json::json!(["all", "units", "filter", "list"]));
        let required: Vec<&str> = order["required"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert!(required.contains(&"title") && required.contains(&"deadline_minutes"), "{order}");
        assert!(order["properties"]["title"].get("default").is_none(), "no empty-text defaults");
        let mode = order["properties"]["mode"]["$ref"].as_str().unwrap();
        assert_eq!(
            doc["components"]["schemas"][mode.rsplit('/').next().unwrap()]["enum"],
            serde_json::json!(["live", "drill"])
        );
        let reg = schema(&doc, "RegistrationInput");
        assert_eq!(reg["properties"]["checkpoint_id"]["type"], "integer");
        assert_eq!(reg["properties"]["temp"]["type"], "number");
        assert_eq!(reg["properties"]["travel_flag"]["type"], "boolean", "flattened traveller fields: {reg}");
        assert_eq!(schema(&doc, "PolicyInput")["properties"]["totp_required_for_admins"]["type"], "boolean");
        assert_eq!(schema(&doc, "Person")["properties"]["id"]["type"], "integer");
    }

    /// An enum's schema lists exactly the codes the API reads and writes.
    #[test]
    fn enum_schemas_are_the_codes() {
        use bastion_core::{checkpoint, org, recall};
        let doc = super::build();
        let codes = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
        let want = |v: Vec<&str>| serde_json::json!(v);
        assert_eq!(codes("Category"), want(org::Category::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(codes("PoliceType"), want(org::PoliceType::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(codes("DutyStatus"), want(org::DutyStatus::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(codes("RecallState"), want(recall::RecallState::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(codes("Decision"), want(checkpoint::Decision::ALL.iter().map(|c| c.code()).collect()));
        assert_eq!(codes("DocType"), want(checkpoint::DocType::ALL.iter().map(|c| c.code()).collect()));
    }
}
