//! What the supplies forms and scripts send, as received (strings or numbers), checked field by
//! field; each error names its field and rule.

use base64::Engine;
use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::supplies::{quantity, ReceiptSource, Signature, StoreKind};
use bastion_core::FieldError;
use serde::{Deserialize, Deserializer, Serialize};

/// Accept a JSON string, number, boolean or null as text (forms send strings, scripts numbers).
pub(crate) fn flex<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err(serde::de::Error::custom("应为字符串或数字")),
    })
}

pub(crate) fn flag(raw: &str) -> bool {
    matches!(raw.trim(), "1" | "true" | "on" | "yes" | "是")
}

/// A record number typed or sent: a positive integer.
pub(crate) fn id(field: &str, raw: &str) -> Result<i64, FieldError> {
    match raw.trim() {
        "" => Err(FieldError::required(field)),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| FieldError::new(field, format!("{field}须为编号（正整数）"))),
    }
}

fn opt_number(field: &str, raw: &str, min: i64, max: i64) -> Result<Option<i64>, FieldError> {
    match non_empty(raw) {
        None => Ok(None),
        Some(t) => match t.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(FieldError::new(field, format!("{field}须为 {min} 到 {max} 之间的整数"))),
        },
    }
}

/// 物资品目
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ItemInput {
    #[serde(deserialize_with = "flex")]
    pub code: String,
    #[serde(deserialize_with = "flex")]
    pub name: String,
    #[serde(deserialize_with = "flex")]
    pub issue_unit: String,
    #[serde(deserialize_with = "flex")]
    pub pack_size: String,
    /// `1`: used up within a shift; empty or `0`: durable.
    #[serde(deserialize_with = "flex")]
    pub per_shift: String,
    #[serde(deserialize_with = "flex")]
    pub shelf_life_days: String,
    #[serde(deserialize_with = "flex")]
    pub min_days: String,
    #[serde(deserialize_with = "flex")]
    pub kit_per_shift: String,
}

impl ItemInput {
    pub fn parse(&self) -> Result<bastion_store::supplies::NewItem, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = match text("物资编码", &self.code, 1, 20) {
            Ok(c) if c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') => Some(c),
            Ok(_) => {
                e.push(FieldError::new("物资编码", "物资编码只能含字母、数字、- 和 _"));
                None
            }
            Err(x) => {
                e.push(x);
                None
            }
        };
        let name = text("物资名称", &self.name, 1, 40).map_err(|x| e.push(x)).ok();
        let unit = text("发放单位", &self.issue_unit, 1, 6).map_err(|x| e.push(x)).ok();
        let pack = match non_empty(&self.pack_size) {
            None => Some(1),
            Some(p) => quantity("每包数量", p, 1).map_err(|x| e.push(x)).ok(),
        };
        let shelf = opt_number("保质期（天）", &self.shelf_life_days, 1, 36_500).map_err(|x| e.push(x)).ok();
        let min_days = opt_number("最低保障天数", &self.min_days, 0, 365).map_err(|x| e.push(x)).ok();
        let kit = opt_number("每人每班配发", &self.kit_per_shift, 0, 1000).map_err(|x| e.push(x)).ok();
        match (code, name, unit, pack, shelf, min_days, kit) {
            (Some(code), Some(name), Some(issue_unit), Some(pack_size), Some(shelf), Some(min_days), Some(kit))
                if e.is_empty() =>
            {
                Ok(bastion_store::supplies::NewItem {
                    code,
                    name,
                    issue_unit,
                    pack_size,
                    per_shift: flag(&self.per_shift),
                    shelf_life_days: shelf,
                    min_days: min_days.unwrap_or(0),
                    kit_per_shift: kit.unwrap_or(0),
                })
            }
            _ => Err(e),
        }
    }
}

/// 库点
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct StoreInput {
    #[serde(deserialize_with = "flex")]
    pub code: String,
    #[serde(deserialize_with = "flex")]
    pub name: String,
    #[serde(deserialize_with = "flex")]
    pub kind: String,
    #[serde(deserialize_with = "flex")]
    pub unit_id: String,
    #[serde(deserialize_with = "flex")]
    pub checkpoint_id: String,
}

pub(crate) struct ParsedStore {
    pub code: String,
    pub name: String,
    pub kind: StoreKind,
    pub unit_id: i64,
    pub checkpoint_id: Option<i64>,
}

impl StoreInput {
    pub(crate) fn parse(&self) -> Result<ParsedStore, Vec<FieldError>> {
        let mut e = Vec::new();
        let code = text("库点编码", &self.code, 1, 20).map_err(|x| e.push(x)).ok();
        let name = text("库点名称", &self.name, 2, 40).map_err(|x| e.push(x)).ok();
        let kind = StoreKind::parse(&self.kind).map_err(|x| e.push(x)).ok();
        let unit = id("所属单位", &self.unit_id).map_err(|x| e.push(x)).ok();
        let cp = match non_empty(&self.checkpoint_id) {
            None => Some(None),
            Some(c) => id("卡点", c).map_err(|x| e.push(x)).ok().map(Some),
        };
        match (code, name, kind, unit, cp) {
            (Some(code), Some(name), Some(kind), Some(unit_id), Some(checkpoint_id)) if e.is_empty() => {
                Ok(ParsedStore { code, name, kind, unit_id, checkpoint_id })
            }
            _ => Err(e),
        }
    }
}

/// 入库: a receipt into a store.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct ReceiptInput {
    #[serde(deserialize_with = "flex")]
    pub store_id: String,
    #[serde(deserialize_with = "flex")]
    pub item_id: String,
    #[serde(deserialize_with = "flex")]
    pub quantity: String,
    #[serde(deserialize_with = "flex")]
    pub batch: String,
    #[serde(deserialize_with = "flex")]
    pub expires_on: String,
    /// purchase / allocation / donation (or 采购、上级调拨、社会捐赠)
    #[serde(deserialize_with = "flex")]
    pub source: String,
    #[serde(deserialize_with = "flex")]
    pub donor: String,
    #[serde(deserialize_with = "flex")]
    pub reason: String,
}

pub(crate) struct ParsedReceipt {
    pub store_id: i64,
    pub item_id: i64,
    pub quantity: i64,
    pub batch: String,
    pub expires_on: Option<jiff::civil::Date>,
    pub source: ReceiptSource,
    pub donor: Option<String>,
    pub reason: String,
}

impl ParsedReceipt {
    /// The ledger movement of this receipt into `store` of `item` by `ctx`: a batch without an
    /// expiry date expires after the item's shelf life from today.
    pub(crate) fn movement(
        &self,
        ctx: &crate::Ctx,
        store: bastion_store::supplies::StoreId,
        item: &bastion_store::supplies::Item,
    ) -> bastion_store::supplies::NewMovement {
        let expires_on = self.expires_on.map(|d| d.to_string()).or_else(|| {
            item.shelf_life_days.and_then(|days| {
                bastion_core::time::today().checked_add(jiff::Span::new().days(days)).ok().map(|d| d.to_string())
            })
        });
        bastion_store::supplies::NewMovement {
            kind: bastion_core::supplies::MovementKind::Receipt,
            item_id: item.id,
            batch: self.batch.clone(),
            expires_on,
            quantity: self.quantity,
            from_store: None,
            to_store: Some(store),
            person_id: None,
            issue_id: None,
            source: Some(self.source),
            donor: self.donor.clone(),
            reason: self.reason.clone(),
            account_id: ctx.account_id.0,
            actor: ctx.display_name.clone(),
        }
    }
}

fn batch(raw: &str) -> Result<String, FieldError> {
    Ok(opt_text("批号", raw, 40)?.unwrap_or_default())
}

impl ReceiptInput {
    pub(crate) fn parse(&self) -> Result<ParsedReceipt, Vec<FieldError>> {
        let mut e = Vec::new();
        let store = id("库点", &self.store_id).map_err(|x| e.push(x)).ok();
        let item = id("物资", &self.item_id).map_err(|x| e.push(x)).ok();
        let q = quantity("数量", &self.quantity, 1).map_err(|x| e.push(x)).ok();
        let b = batch(&self.batch).map_err(|x| e.push(x)).ok();
        let exp = match non_empty(&self.expires_on) {
            None => Some(None),
            Some(d) => bastion_core::time::parse_date("有效期至", d).map_err(|x| e.push(x)).ok().map(Some),
        };
        let source = ReceiptSource::parse(&self.source).map_err(|x| e.push(x)).ok();
        let donor = opt_text("捐赠方", &self.donor, 60).map_err(|x| e.push(x)).ok();
        if source == Some(ReceiptSource::Donation) && donor.as_ref().is_some_and(|d| d.is_none()) {
            e.push(FieldError::new("捐赠方", "社会捐赠须填写捐赠方名称"));
        }
        let reason = opt_text("备注", &self.reason, 200).map_err(|x| e.push(x)).ok();
        match (store, item, q, b, exp, source, donor, reason) {
            (
                Some(store_id),
                Some(item_id),
                Some(quantity),
                Some(batch),
                Some(expires_on),
                Some(source),
                Some(donor),
                Some(r),
            ) if e.is_empty() => Ok(ParsedReceipt {
                store_id,
                item_id,
                quantity,
                batch,
                expires_on,
                donor: if source == ReceiptSource::Donation { donor } else { None },
                source,
                reason: r.unwrap_or_default(),
            }),
            _ => Err(e),
        }
    }
}

/// 调拨、退还、报废: stock moving between stores, back from a person, or out of use.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct MoveInput {
    /// transfer / return / disposal (or 调拨、退还、报废)
    #[serde(deserialize_with = "flex")]
    pub kind: String,
    #[serde(deserialize_with = "flex")]
    pub from_store_id: String,
    #[serde(deserialize_with = "flex")]
    pub to_store_id: String,
    /// For a return: who gives the kit back.
    #[serde(deserialize_with = "flex")]
    pub person_id: String,
    #[serde(deserialize_with = "flex")]
    pub item_id: String,
    /// Empty: first to expire first.
    #[serde(deserialize_with = "flex")]
    pub batch: String,
    #[serde(deserialize_with = "flex")]
    pub quantity: String,
    #[serde(deserialize_with = "flex")]
    pub reason: String,
}

/// One item line of an issue.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct IssueLineInput {
    #[serde(deserialize_with = "flex")]
    pub item_id: String,
    #[serde(deserialize_with = "flex")]
    pub quantity: String,
}

/// One person of an issue: a signature (PNG or JPEG data URL), or the leader confirms with a reason.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct IssuePersonInput {
    #[serde(deserialize_with = "flex")]
    pub person_id: String,
    #[serde(deserialize_with = "flex")]
    pub signature: String,
    #[serde(deserialize_with = "flex")]
    pub leader_reason: String,
}

/// 签领: kit to one person, or to everyone of a shift at a post, in one submission.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct IssueInput {
    #[serde(deserialize_with = "flex")]
    pub store_id: String,
    #[serde(deserialize_with = "flex")]
    pub shift_date: String,
    #[serde(deserialize_with = "flex")]
    pub shift: String,
    /// Empty: the standard kit of one shift (every item's `kit_per_shift`).
    pub items: Vec<IssueLineInput>,
    pub people: Vec<IssuePersonInput>,
    /// Why someone already issued kit for this shift gets more.
    #[serde(deserialize_with = "flex")]
    pub repeat_reason: String,
    /// Why an expired batch is issued.
    #[serde(deserialize_with = "flex")]
    pub expired_reason: String,
    /// The issuer's own signature (PNG or JPEG data URL), drawn on the same phone: required when
    /// the submission covers more than one person, optional for one.
    #[serde(deserialize_with = "flex")]
    pub issuer_signature: String,
}

pub(crate) struct ParsedPerson {
    pub person_id: i64,
    pub signature: Option<Signature>,
    pub leader_reason: Option<String>,
}

pub(crate) struct ParsedIssue {
    pub store_id: i64,
    pub shift_date: jiff::civil::Date,
    pub shift: String,
    pub items: Vec<(i64, i64)>,
    pub people: Vec<ParsedPerson>,
    pub repeat_reason: Option<String>,
    pub expired_reason: Option<String>,
    pub issuer_signature: Option<Signature>,
}

/// The field of the issuer's signature.
pub const ISSUER_SIGNATURE: &str = "发放人签名";

/// The most people one submission may cover.
pub const MAX_PEOPLE: usize = 60;

/// Decode `data:image/png;base64,…` (or jpeg) and check it is a real, non-blank picture of
/// bounded size.
pub(crate) fn signature(field: &str, raw: &str) -> Result<Signature, FieldError> {
    let t = raw.trim();
    let payload = ["data:image/png;base64,", "data:image/jpeg;base64,"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .ok_or_else(|| FieldError::new(field, format!("{field}须为 PNG 或 JPEG 图片（data:image/png;base64,…）")))?;
    if payload.len() > bastion_core::supplies::SIGNATURE_MAX_BYTES * 4 / 3 + 4 {
        return Err(FieldError::new(field, format!("{field}图片过大（不超过 200 KB）")));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| FieldError::new(field, format!("{field}不是有效的 base64 编码")))?;
    let sig = Signature::from_bytes(field, bytes)?;
    let format = if sig.mime == "image/png" { image::ImageFormat::Png } else { image::ImageFormat::Jpeg };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(&sig.bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(2000);
    limits.max_image_height = Some(2000);
    limits.max_alloc = Some(32 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|_| FieldError::new(field, format!("{field}图片无法识别或尺寸过大（不超过 2000×2000）")))?;
    let rgba = img.to_rgba8();
    let inked = rgba.pixels().any(|p| p[3] > 32 && (p[0] < 200 || p[1] < 200 || p[2] < 200));
    if !inked {
        return Err(FieldError::new(field, format!("{field}为空白，请本人签名")));
    }
    Ok(sig)
}

impl IssueInput {
    pub(crate) fn parse(&self) -> Result<ParsedIssue, Vec<FieldError>> {
        let mut e = Vec::new();
        let store = id("库点", &self.store_id).map_err(|x| e.push(x)).ok();
        let date = bastion_core::time::parse_date("班次日期", &self.shift_date).map_err(|x| e.push(x)).ok();
        let shift = text("班次", &self.shift, 1, 20).map_err(|x| e.push(x)).ok();
        let mut items = Vec::new();
        for (n, l) in self.items.iter().enumerate() {
            let n = n + 1;
            let item = id(&format!("第{n}项物资"), &l.item_id).map_err(|x| e.push(x)).ok();
            let q = quantity(&format!("第{n}项数量"), &l.quantity, 1).map_err(|x| e.push(x)).ok();
            if let (Some(i), Some(q)) = (item, q) {
                if items.iter().any(|(x, _)| *x == i) {
                    e.push(FieldError::new(format!("第{n}项物资"), format!("第{n}项物资与前面重复")));
                }
                items.push((i, q));
            }
        }
        if self.people.is_empty() {
            e.push(FieldError::new("签领人", "签领人不能为空，至少选择一人"));
        }
        if self.people.len() > MAX_PEOPLE {
            e.push(FieldError::new("签领人", format!("签领人一次最多 {MAX_PEOPLE} 人")));
        }
        let mut people: Vec<ParsedPerson> = Vec::new();
        for (n, p) in self.people.iter().enumerate() {
            let n = n + 1;
            let Some(pid) = id(&format!("第{n}位签领人"), &p.person_id).map_err(|x| e.push(x)).ok() else {
                continue;
            };
            if people.iter().any(|x| x.person_id == pid) {
                e.push(FieldError::new(format!("第{n}位签领人"), format!("第{n}位签领人与前面重复")));
            }
            let reason =
                opt_text(&format!("第{n}位代签原因"), &p.leader_reason, 200).map_err(|x| e.push(x)).ok().flatten();
            let sig = match non_empty(&p.signature) {
                Some(s) => signature(&format!("第{n}位签名"), s).map_err(|x| e.push(x)).ok(),
                None => None,
            };
            if non_empty(&p.signature).is_none() && reason.is_none() {
                e.push(FieldError::new(
                    format!("第{n}位签名"),
                    format!("第{n}位签名不能为空：请本人签名，或由带班负责人填写代签原因"),
                ));
            }
            people.push(ParsedPerson { person_id: pid, signature: sig, leader_reason: reason });
        }
        let repeat = opt_text("重复签领原因", &self.repeat_reason, 200).map_err(|x| e.push(x)).ok().flatten();
        let expired = opt_text("过期发放原因", &self.expired_reason, 200).map_err(|x| e.push(x)).ok().flatten();
        // A whole shift issued on one shared phone: the issuer signs for the hand-over as well.
        let issuer = match non_empty(&self.issuer_signature) {
            Some(s) => signature(ISSUER_SIGNATURE, s).map_err(|x| e.push(x)).ok(),
            None if self.people.len() > 1 => {
                e.push(FieldError::new(
                    ISSUER_SIGNATURE,
                    format!("{ISSUER_SIGNATURE}不能为空：给多人（整个班次）发放时，发放人须在本机手写签名"),
                ));
                None
            }
            None => None,
        };
        match (store, date, shift) {
            (Some(store_id), Some(shift_date), Some(shift)) if e.is_empty() => Ok(ParsedIssue {
                store_id,
                shift_date,
                shift,
                items,
                people,
                repeat_reason: repeat,
                expired_reason: expired,
                issuer_signature: issuer,
            }),
            _ => Err(e),
        }
    }
}

/// One counted line of a stocktake.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct CountInput {
    #[serde(deserialize_with = "flex")]
    pub item_id: String,
    #[serde(deserialize_with = "flex")]
    pub batch: String,
    #[serde(deserialize_with = "flex")]
    pub counted: String,
}

/// 盘点: what was counted in a store; the differences from the ledger are posted as adjustments.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
pub struct StocktakeInput {
    #[serde(deserialize_with = "flex")]
    pub store_id: String,
    #[serde(deserialize_with = "flex")]
    pub reason: String,
    pub lines: Vec<CountInput>,
}
