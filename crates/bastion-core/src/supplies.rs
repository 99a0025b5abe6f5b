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

/// How many of a store's latest delivery days of an item are kept to project the next one.
pub const DELIVERIES_KEPT: usize = 4;

/// The next delivery of an item to a store, projected from its latest delivery days (Beijing day
/// numbers, newest first, distinct): the last one plus the mean gap between them, rounded to whole
/// days. `None` with fewer than two deliveries — there is no rhythm to go by. A delivery already
/// overdue is expected today.
pub fn next_delivery(days: &[i64], today: i64) -> Option<Delivery> {
    let (&last, &oldest) = (days.first()?, days.last()?);
    if days.len() < 2 || last <= oldest {
        return None;
    }
    let gap = ((last - oldest) as f64 / (days.len() - 1) as f64).round().max(1.0) as i64;
    Some(Delivery { day: (last + gap).max(today), gap, deliveries: days.len() })
}

/// A projected delivery: its day number, the mean gap it was projected with and how many
/// deliveries that gap was taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub day: i64,
    pub gap: i64,
    pub deliveries: usize,
}

/// Whether stock lasting `days_of_supply` days from `today` runs out before the day `delivery`
/// comes: stock that lasts into the delivery day is enough.
pub fn runs_out_before(days_of_supply: f64, today: i64, delivery: i64) -> bool {
    today + (days_of_supply.floor() as i64) < delivery
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

    #[test]
    fn the_next_delivery_follows_the_rhythm_of_the_last_ones() {
        // (delivery days newest first, today) → (projected day, gap) or none
        type Case = (&'static [i64], i64, Option<(i64, i64)>);
        let cases: &[Case] = &[
            (&[], 100, None),
            (&[98], 100, None),
            (&[98, 95], 100, Some((101, 3))),
            (&[98, 95, 92, 89], 100, Some((101, 3))),
            // gaps 2, 3, 4: mean 3
            (&[99, 97, 94, 90], 100, Some((102, 3))),
            // gaps 1 and 2: mean 1.5 rounds to 2
            (&[100, 99, 97], 100, Some((102, 2))),
            // overdue: expected today
            (&[90, 80], 100, Some((100, 10))),
        ];
        for (days, today, want) in cases {
            let got = next_delivery(days, *today).map(|d| (d.day, d.gap));
            assert_eq!(got, *want, "{days:?} today {today}");
        }
        assert_eq!(next_delivery(&[98, 95, 92], 100).unwrap().deliveries, 3);
    }

    #[test]
    fn stock_runs_out_before_a_delivery_only_when_it_ends_before_that_day() {
        // (days of supply, today, delivery day, runs out before)
        let cases = [
            (0.0, 100, 101, true),
            (0.0, 100, 100, false),
            (2.5, 100, 103, true),
            (2.5, 100, 102, false),
            (3.0, 100, 103, false),
            (10.0, 100, 103, false),
        ];
        for (d, today, delivery, want) in cases {
            assert_eq!(runs_out_before(d, today, delivery), want, "{d} days from {today}, delivery {delivery}");
        }
    }
}
