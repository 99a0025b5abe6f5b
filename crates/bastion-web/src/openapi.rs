//! The OpenAPI 3.1 document of `/api`. Built from one table so it cannot drift from the
//! router: a test checks that every route in `api::ROUTES` is described here and vice versa.

use axum::Json;
use serde_json::{json, Value};

/// (method, path, tag, summary, request schema, response schema, success status)
type Op = (&'static str, &'static str, &'static str, &'static str, Option<&'static str>, &'static str, &'static str);
const OPS: &[Op] = &[
    ("post", "/api/login", "认证", "登录：成功后返回会话 Cookie（bastion_session），脚本后续请求携带它", Some("LoginBody"), "Me", "200"),
    ("post", "/api/logout", "认证", "退出登录，结束会话", None, "Ok", "200"),
    ("get", "/api/me", "认证", "当前账号、单位与角色", None, "Ctx", "200"),
    ("post", "/api/password", "认证", "修改本人密码（初始、重置或过期的密码须先修改；不得与最近 5 次相同）", Some("PasswordBody"), "Ok", "200"),
    ("get", "/api/units", "组织机构", "单位树（按层级排序）", None, "UnitList", "200"),
    ("post", "/api/units", "组织机构", "新增单位", Some("UnitInput"), "Unit", "201"),
    ("get", "/api/people", "组织机构", "人员列表：筛选、分页，按数据权限过滤，号码脱敏", None, "PersonPage", "200"),
    ("post", "/api/people", "组织机构", "新增人员", Some("PersonInput"), "Person", "201"),
    ("get", "/api/people/{id}", "组织机构", "人员详情（号码脱敏）", None, "Person", "200"),
    ("put", "/api/people/{id}", "组织机构", "修改人员（身份证号、手机号留空则保持原值）", Some("PersonInput"), "Person", "200"),
    ("post", "/api/people/{id}/enable", "组织机构", "启用人员", None, "Ok", "200"),
    ("post", "/api/people/{id}/disable", "组织机构", "停用人员", None, "Ok", "200"),
    ("post", "/api/people/{id}/reveal", "组织机构", "查看身份证号、手机号明文：需专门权限和事由，记入审计", Some("RevealBody"), "Revealed", "200"),
    ("get", "/api/people/export", "导入导出", "按当前筛选导出人员（format=xlsx|csv），号码脱敏，记入审计", None, "File", "200"),
    ("get", "/api/people/template", "导入导出", "下载人员导入模板（format=xlsx|csv）", None, "File", "200"),
    ("post", "/api/people/import", "导入导出", "导入人员（multipart 文件；dry_run=true 仅预检；update_existing=true 按警号更新）。任一行有误则全部不写入，返回 422 与逐行错误", Some("Upload"), "ImportReport", "200"),
    ("get", "/api/operations", "行动", "行动列表", None, "OperationList", "200"),
    ("post", "/api/operations", "行动", "新增行动", Some("OperationInput"), "Created", "201"),
    ("put", "/api/operations/{id}", "行动", "修改行动", Some("OperationInput"), "Ok", "200"),
    ("get", "/api/audit", "审计", "审计日志（审计管理员）：account、module 筛选，分页", None, "AuditPage", "200"),
    ("get", "/api/audit/export", "审计", "导出审计日志 CSV（审计管理员；导出本身记入审计）", None, "File", "200"),
    ("get", "/api/login-log", "审计", "登录日志（成功与失败），分页", None, "AuditPage", "200"),
    ("get", "/api/accounts", "账号", "账号列表（系统管理员、安全管理员）", None, "AccountList", "200"),
    ("post", "/api/accounts", "账号", "新建账号（系统管理员）：不带角色，首次登录须改密；角色由安全管理员分配", Some("NewAccount"), "Created", "201"),
    ("put", "/api/accounts/{username}/roles", "账号", "分配角色（安全管理员）：三员分立，不能改自己的角色；该账号的会话随即结束", Some("Roles"), "Ok", "200"),
    ("post", "/api/accounts/{username}/unlock", "账号", "解锁被锁定的账号（安全管理员）", None, "Ok", "200"),
    ("post", "/api/accounts/{username}/disable", "账号", "停用账号并结束其会话（系统管理员）", None, "Ok", "200"),
    ("get", "/api/policy", "安全", "安全策略（安全管理员）", None, "PolicyInput", "200"),
    ("put", "/api/policy", "安全", "修改安全策略：失败锁定、密码有效期与历史、会话超时、动态口令、IP 黑白名单、审计保存期（不少于 180 天）", Some("PolicyInput"), "PolicyInput", "200"),
    ("get", "/api/sessions", "安全", "在线用户（安全管理员）", None, "SessionList", "200"),
    ("post", "/api/sessions/{id}/revoke", "安全", "强退：结束指定会话（安全管理员），记入审计", None, "Ok", "200"),
    ("get", "/api/roles", "安全", "角色与权限（安全管理员）：内置角色及自定义角色，每项权限带数据范围", None, "RoleList", "200"),
    ("post", "/api/roles", "安全", "新建自定义角色（安全管理员）：数据范围 all 全部 / unit 本单位及下级 / units 指定单位 / self 仅本人；三员权限不能放入", Some("RoleInput"), "CustomRole", "201"),
    ("put", "/api/roles/{key}", "安全", "修改自定义角色（安全管理员），持有者下次请求即按新权限执行", Some("RoleInput"), "CustomRole", "200"),
    ("post", "/api/roles/{key}/delete", "安全", "删除自定义角色（安全管理员）：仍有账号持有时拒绝", None, "Ok", "200"),
    ("get", "/api/openapi.json", "系统", "本文档", None, "Any", "200"),
    // checkpoint (issue 5)
    ("get", "/api/checkpoints", "卡点", "卡点列表（含今日登记数、发热数、近一小时登记数）", None, "CheckpointList", "200"),
    ("post", "/api/checkpoints", "卡点", "新增卡点", Some("CheckpointInput"), "Checkpoint", "201"),
    ("put", "/api/checkpoints/{id}", "卡点", "修改卡点", Some("CheckpointInput"), "Checkpoint", "200"),
    ("get", "/api/checkpoints/{id}/screenings", "卡点", "卡点最近的登记（号码脱敏）", None, "ScreeningList", "200"),
    ("post", "/api/checkpoints/registrations", "卡点", "测温登记：id 由客户端生成（UUID），重复提交同一 id 返回 200 且不重复写入；批次持久化后才应答。填 pass_code 时核验自助登记", Some("RegistrationInput"), "Registered", "201"),
    ("get", "/api/checkpoints/passes/{code}", "卡点", "查看自助登记通行码（脱敏摘要）", None, "Pass", "200"),
    ("post", "/api/checkpoints/trace", "卡点", "按证件号码或手机号（盲索引精确匹配）追溯一人在各卡点的通行记录：需专门权限与事由，记入审计", Some("TraceInput"), "ScreeningList", "200"),
    ("get", "/api/checkpoints/fever-cases", "发热随访", "发热病例列表（open=true 仅未结案）", None, "FeverCaseList", "200"),
    ("get", "/api/checkpoints/fever-cases/{id}", "发热随访", "发热病例详情与随访记录", None, "FeverCase", "200"),
    ("post", "/api/checkpoints/fever-cases/{id}/handover", "发热随访", "确认发热门诊已接收（交接）", Some("CaseAction"), "Ok", "200"),
    ("post", "/api/checkpoints/fever-cases/{id}/follow-ups", "发热随访", "添加随访记录", Some("CaseAction"), "Ok", "201"),
    ("post", "/api/checkpoints/fever-cases/{id}/close", "发热随访", "结案（填写结论）", Some("CaseAction"), "Ok", "200"),
    ("get", "/api/checkpoints/alerts", "发热随访", "发热预警（不含个人信息）", None, "AlertList", "200"),
    ("post", "/api/checkpoints/purge", "卡点", "清理超过保存期的登记数据（默认按 epi.checkpoint.retentionDays），记入审计", Some("PurgeBody"), "PurgeReport", "200"),
    // recall (召集令)
    ("get", "/api/recall", "召集令", "召集令列表（最新 100 条）", None, "RecallList", "200"),
    ("post", "/api/recall", "召集令", "发布召集令：召集范围内无人则拒绝；超过审批人数须另一名指挥长审批，否则立即发出", Some("RecallInput"), "RecallCreated", "201"),
    ("post", "/api/recall/preview", "召集令", "发布前预览：召集人数、因病假/隔离自动免到人数、是否需要审批（不写入）", Some("RecallInput"), "RecallPreview", "200"),
    ("get", "/api/recall/channels", "召集令", "通知渠道（短信网关、企业微信/钉钉/飞书群机器人），密钥不返回、地址脱敏", None, "Any", "200"),
    ("post", "/api/recall/channels", "召集令", "新增通知渠道", Some("RecallChannelInput"), "Created", "201"),
    ("get", "/api/recall/{id}", "召集令", "召集看板：各状态人数（按单位逐级汇总）、到岗口径（到岗+免到）、未到人员及其单位负责人、升级记录、投递日志", None, "Any", "200"),
    ("post", "/api/recall/{id}/approve", "召集令", "审批召集令（另一名指挥长，发布人不能自批）", None, "Ok", "200"),
    ("post", "/api/recall/{id}/close", "召集令", "撤销待审批的召集令，或结束进行中的召集令", None, "Ok", "200"),
    ("post", "/api/recall/{id}/remind", "召集令", "再次提醒：只通知尚未应答的人员", None, "Any", "200"),
    ("post", "/api/recall/{id}/answer", "召集令", "本人应答（action=ack 确认收到 / arrive 到岗报到），重复应答不重复计数", Some("RecallAnswer"), "Any", "200"),
    ("post", "/api/recall/{id}/people/{person}", "召集令", "值班员登记某人到岗或免到（action=arrive|exempt，reason=sick|quarantine|other_task）", Some("RecallMark"), "Any", "200"),
    ("get", "/api/recall/{id}/missing/export", "召集令", "导出未到人员名单 CSV（含单位负责人），记入审计", None, "File", "200"),
    // publicity
    ("get", "/api/publicity/articles", "宣传", "稿件列表（可按 status 筛选），浏览次数含本节点尚未写入的计数", None, "Any", "200"),
    ("post", "/api/publicity/articles", "宣传", "新建稿件（草稿）：正文 HTML 经净化（去除脚本、事件属性、javascript: 链接、站外图片）", Some("ArticleInput"), "Created", "201"),
    ("get", "/api/publicity/articles/{id}", "宣传", "稿件详情：报道人物、版本历史、实时浏览次数", None, "Any", "200"),
    ("put", "/api/publicity/articles/{id}", "宣传", "修改草稿：生成新版本（已发布的稿件须先撤回再重新编辑）", Some("ArticleInput"), "Ok", "200"),
    ("post", "/api/publicity/articles/{id}/step", "宣传", "流程操作：submit 提交审核、return 退回（须填意见）、publish 审核发布、withdraw 撤回、reopen 重新编辑；审核人不能发布自己撰写的稿件", Some("StepInput"), "Ok", "200"),
    ("get", "/api/publicity/articles/{id}/diff", "宣传", "两个版本之间的逐行差异（from、to 为版本号）", None, "Any", "200"),
    ("post", "/api/publicity/images", "宣传", "上传图片（multipart 字段 file）：按内容识别 JPEG/PNG/WebP，拒绝超限与解压炸弹，重新编码并生成手机尺寸", Some("Upload"), "Created", "201"),
    ("get", "/api/publicity/reads", "宣传", "外部渠道阅读量登记列表", None, "Any", "200"),
    ("post", "/api/publicity/reads", "宣传", "登记外部渠道（微信公众号、抖音、微博、媒体转载）阅读量", Some("ChannelReadInput"), "Created", "201"),
    ("get", "/api/publicity/totals", "宣传", "累计阅读：本站浏览 + 外部渠道，按渠道与近 30 天趋势", None, "Any", "200"),
    ("get", "/api/publicity/honours", "宣传", "评选推荐列表", None, "Any", "200"),
    ("post", "/api/publicity/honours", "宣传", "推荐评选：个人（警号）或集体（单位代码）、荣誉名称、推荐单位、理由、佐证与关联稿件", Some("HonourInput"), "Created", "201"),
    ("post", "/api/publicity/honours/{id}/step", "宣传", "评选流转：推荐 → 公示（须填公示起止日期）→ 授予（公示期满后）/ 未授予", Some("HonourStepInput"), "Ok", "200"),
];

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
        // checkpoint (issue 5)
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
        // checkpoint (issue 5)
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
        _ => vec![],
    }
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
        _ => vec!["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
    }
}

pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, tag, summary, req, resp, ok) in OPS {
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
        if *path != "/api/login" && *path != "/api/openapi.json" {
            op["security"] = json!([{"session": []}]);
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
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
            "schemas": with_publicity(schemas())
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
    fn documents_exactly_the_routes() {
        let doc = super::build();
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
        let mut routes: Vec<(String, String)> =
            crate::api::ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
        documented.sort();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
