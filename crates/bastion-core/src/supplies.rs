//! Protective supplies (防护物资): the kinds of stores and ledger movements, receipt sources,
//! quantities in whole units, and the signature image of an issue (签领).

use crate::error::FieldError;

labelled_enum!(
    /// 库点类型: the bureau warehouse, or a stock point of a post.
    StoreKind, "库点类型", {
    Warehouse = ("warehouse", "局装备仓库", "Bureau warehouse"),
    Checkpoint = ("checkpoint", "卡点物资点", "Checkpoint stock point"),
    Desk = ("desk", "指挥部值班台", "HQ desk"),
    Team = ("team", "队组物资点", "Team stock point"),
});

labelled_enum!(
    /// 变动类型: every change of stock is one of these ledger movements.
    MovementKind, "变动类型", {
    Receipt = ("receipt", "入库", "Receipt"),
    Transfer = ("transfer", "调拨", "Transfer"),
    Issue = ("issue", "签领发放", "Issue"),
    Return = ("return", "退还", "Return"),
    Disposal = ("disposal", "报废", "Disposal"),
    Adjust = ("adjust", "盘点调整", "Stocktake adjustment"),
});

labelled_enum!(
    /// 来源: where a receipt came from.
    ReceiptSource, "来源", {
    Purchase = ("purchase", "采购", "Purchase"),
    Allocation = ("allocation", "上级调拨", "Allocation from above"),
    Donation = ("donation", "社会捐赠", "Donation"),
});

/// A quantity of whole units of issue, at least `min`, at most one million.
pub fn quantity(field: &str, raw: &str, min: i64) -> Result<i64, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::required(field));
    }
    let n: i64 = t.parse().map_err(|_| FieldError::new(field, format!("{field}须为整数（按发放单位计）")))?;
    if n < min {
        return Err(FieldError::new(field, format!("{field}不能小于 {min}")));
    }
    if n > 1_000_000 {
        return Err(FieldError::new(field, format!("{field}不能大于 1000000")));
    }
    Ok(n)
}

/// A signature image: PNG or JPEG bytes as the browser's canvas gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// The most a signature may weigh once decoded.
pub const SIGNATURE_MAX_BYTES: usize = 200 * 1024;

impl Signature {
    /// Checks the magic bytes only; the application layer also decodes the picture.
    pub fn from_bytes(field: &str, bytes: Vec<u8>) -> Result<Self, FieldError> {
        if bytes.len() > SIGNATURE_MAX_BYTES {
            return Err(FieldError::new(field, format!("{field}图片过大（不超过 200 KB）")));
        }
        let mime = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else {
            return Err(FieldError::new(field, format!("{field}须为 PNG 或 JPEG 图片")));
        };
        Ok(Signature { mime, bytes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_and_signatures() {
        assert_eq!(quantity("数量", " 40 ", 1), Ok(40));
        assert!(quantity("数量", "0", 1).unwrap_err().message.contains("不能小于"));
        assert!(quantity("数量", "1.5", 1).unwrap_err().message.contains("整数"));
        assert!(Signature::from_bytes("签名", b"<svg/>".to_vec()).is_err());
        assert_eq!(Signature::from_bytes("签名", b"\x89PNG\r\n\x1a\nxx".to_vec()).unwrap().mime, "image/png");
        assert_eq!(MovementKind::parse("盘点调整"), Ok(MovementKind::Adjust));
    }
}
