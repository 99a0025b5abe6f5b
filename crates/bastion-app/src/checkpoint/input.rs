//! What officers, travellers and the desk type, as received (phones send strings, scripts
//! numbers) and checked field by field into the store's types, each error naming its field and rule.

use super::*;

use bastion_core::input::flex;

fn flag(raw: &str) -> bool {
    matches!(raw.trim(), "1" | "true" | "on" | "yes" | "是")
}

pub(super) fn uuid_like(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_ascii_lowercase();
    let ok = s.len() == 36
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() });
    if ok {
        Ok(s)
    } else {
        Err(FieldError::new(field, format!("{field}应为 UUID（如 0190b7e2-…）")))
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["name", "kind", "unit_id"]))]
pub struct CheckpointInput {
    #[serde(deserialize_with = "flex")]
    pub name: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::CheckpointKind")]
    pub kind: String,
    #[serde(deserialize_with = "flex")]
    pub location: String,
    #[serde(deserialize_with = "flex")]
    pub hours: String,
    #[serde(deserialize_with = "flex")]
    pub police_types: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "i64")]
    pub unit_id: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::CheckpointStatus")]
    pub status: String,
    #[serde(deserialize_with = "flex")]
    pub leader: String,
    #[serde(deserialize_with = "flex")]
    pub fever_clinic: String,
}

impl CheckpointInput {
    pub fn parse(&self) -> Result<NewCheckpoint, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = text("卡点名称", &self.name, 2, 40).map_err(|x| e.push(x)).ok();
        let kind = CheckpointKind::parse(&self.kind).map_err(|x| e.push(x)).ok();
        let location = text("位置", &self.location, 2, 100).map_err(|x| e.push(x)).ok();
        let hours = match non_empty(&self.hours) {
            None => Some("24小时".to_string()),
            Some(_) => text("值守时间", &self.hours, 1, 40).map_err(|x| e.push(x)).ok(),
        };
        let types = bastion_core::org::police_types(&self.police_types).map_err(|x| e.push(x)).ok();
        let unit = match non_empty(&self.unit_id).map(str::parse::<i64>) {
            Some(Ok(id)) if id > 0 => Some(UnitId(id)),
            None => {
                e.push(FieldError::required("责任单位"));
                None
            }
            _ => {
                e.push(FieldError::new("责任单位", "责任单位应为单位编号"));
                None
            }
        };
        let status = match non_empty(&self.status) {
            None => Some(CheckpointStatus::Open),
            Some(s) => CheckpointStatus::parse(s).map_err(|x| e.push(x)).ok(),
        };
        let leader = opt_text("卡点负责人", &self.leader, 30).map_err(|x| e.push(x)).ok();
        let clinic = opt_text("发热门诊", &self.fever_clinic, 60).map_err(|x| e.push(x)).ok();
        match (name, kind, location, hours, types, unit, status, leader, clinic) {
            (
                Some(name),
                Some(kind),
                Some(location),
                Some(hours),
                Some(police_types),
                Some(unit_id),
                Some(status),
                Some(l),
                Some(c),
            ) if e.is_empty() => Ok(NewCheckpoint {
                name,
                kind,
                location,
                hours,
                police_types,
                unit_id,
                status,
                leader: l.unwrap_or_default(),
                fever_clinic: c.unwrap_or_default(),
            }),
            _ => Err(e),
        }
    }
}

/// The traveller's part of a registration: what the officer types or the traveller fills in.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
pub struct TravellerInput {
    #[serde(deserialize_with = "flex")]
    pub name: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::DocType")]
    pub doc_type: String,
    #[serde(deserialize_with = "flex")]
    pub doc_number: String,
    #[serde(deserialize_with = "flex")]
    pub phone: String,
    #[serde(deserialize_with = "flex")]
    pub plate: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::VehicleType")]
    pub vehicle_type: String,
    #[serde(deserialize_with = "flex")]
    pub passengers: String,
    #[serde(deserialize_with = "flex")]
    pub origin: String,
    #[serde(deserialize_with = "flex")]
    pub destination: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::Reason")]
    pub reason: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bool")]
    pub travel_flag: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::HealthCode")]
    pub health_code: String,
}

/// A traveller, parsed.
#[derive(Debug, Clone)]
pub struct Traveller {
    pub name: String,
    pub doc_type: DocType,
    pub doc_number: String,
    pub sex: Option<String>,
    pub birth_year: Option<i64>,
    pub phone: Option<Phone>,
    pub plate: Option<Plate>,
    pub vehicle_type: VehicleType,
    pub origin: String,
    pub destination: String,
    pub reason: Reason,
    pub travel_flag: bool,
    pub health_code: HealthCode,
}

impl TravellerInput {
    pub fn parse(&self, phone_required: bool, e: &mut Vec<FieldError>) -> Option<Traveller> {
        let today = bastion_core::time::today();
        let name = text("姓名", &self.name, 1, 30).map_err(|x| e.push(x)).ok();
        let doc_type = match non_empty(&self.doc_type) {
            None => Some(DocType::IdCard),
            Some(s) => DocType::parse(s).map_err(|x| e.push(x)).ok(),
        };
        let doc_number = doc_type.and_then(|d| document_number(d, &self.doc_number, today).map_err(|x| e.push(x)).ok());
        let (sex, birth_year) = match (doc_type, &doc_number) {
            (Some(DocType::IdCard), Some(n)) => match IdNumber::parse(n, today) {
                Ok(id) => (
                    Some(if id.is_male() { "male" } else { "female" }.to_string()),
                    Some(i64::from(id.birth_date().year())),
                ),
                Err(_) => (None, None),
            },
            _ => (None, None),
        };
        let phone = match non_empty(&self.phone) {
            None if phone_required => {
                e.push(FieldError::required("手机号"));
                None
            }
            None => Some(None),
            Some(p) => Phone::parse(p).map(Some).map_err(|x| e.push(x)).ok(),
        };
        let plate = Plate::parse(&self.plate).map_err(|x| e.push(x)).ok();
        let vehicle_type = match (non_empty(&self.vehicle_type), &plate) {
            (None, Some(Some(_))) => Some(VehicleType::Car),
            (None, _) => Some(VehicleType::Walk),
            (Some(v), p) => match VehicleType::parse(v) {
                Ok(VehicleType::Walk) if matches!(p, Some(Some(_))) => {
                    e.push(FieldError::new("车辆类型", "填写了车牌号时车辆类型不能为“步行/无车”"));
                    None
                }
                Ok(v) => Some(v),
                Err(x) => {
                    e.push(x);
                    None
                }
            },
        };
        let origin = text("出发地", &self.origin, 1, 60).map_err(|x| e.push(x)).ok();
        let destination = text("目的地", &self.destination, 1, 60).map_err(|x| e.push(x)).ok();
        let reason = Reason::parse(&self.reason).map_err(|x| e.push(x)).ok();
        let health_code = match non_empty(&self.health_code) {
            None => Some(HealthCode::None),
            Some(h) => HealthCode::parse(h).map_err(|x| e.push(x)).ok(),
        };
        Some(Traveller {
            name: name?,
            doc_type: doc_type?,
            doc_number: doc_number?,
            sex,
            birth_year,
            phone: phone?,
            plate: plate?,
            vehicle_type: vehicle_type?,
            origin: origin?,
            destination: destination?,
            reason: reason?,
            travel_flag: flag(&self.travel_flag),
            health_code: health_code?,
        })
    }

    /// Masked one-line summary a pass shows the officer before the temperature is taken.
    pub(super) fn summary(t: &Traveller) -> String {
        format!(
            "{} {} {}{}{} {}→{}",
            bastion_core::mask::name(&t.name),
            t.doc_type.zh(),
            bastion_core::checkpoint::mask_document(&t.doc_number),
            t.plate.as_ref().map(|p| format!(" {}", p.text)).unwrap_or_default(),
            t.phone.as_ref().map(|p| format!(" {}", p.masked())).unwrap_or_default(),
            t.origin,
            t.destination
        )
    }
}

/// One registration as the officer's phone sends it (JSON or form).
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["checkpoint_id", "temp", "decision"]))]
pub struct RegistrationInput {
    /// Client-minted UUID: a resend with the same id is answered with the stored record.
    #[serde(deserialize_with = "flex")]
    #[schemars(extend("format" = "uuid"))]
    pub id: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "i64")]
    pub checkpoint_id: String,
    /// When the phone captured the entry (UTC ms); an offline entry keeps its own time.
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "i64")]
    pub captured_at: String,
    /// A self-registration pass code: the traveller's part comes from the pass.
    #[serde(deserialize_with = "flex")]
    #[schemars(regex(pattern = r"^[0-9]{8}$"))]
    pub pass_code: String,
    #[serde(flatten)]
    pub traveller: TravellerInput,
    /// The driver's record id when this traveller is a passenger of that vehicle.
    #[serde(deserialize_with = "flex")]
    #[schemars(extend("format" = "uuid"))]
    pub driver_id: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "f64", range(min = 34.0, max = 42.0))]
    pub temp: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "f64", range(min = 34.0, max = 42.0))]
    pub temp2: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::TempMethod")]
    pub method: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::Decision")]
    pub decision: String,
    #[serde(deserialize_with = "flex")]
    pub clinic: String,
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::EntryMode")]
    pub mode: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(default)]
#[schemars(transform = bastion_core::input::as_typed)]
#[schemars(extend("required" = ["reason"]))]
pub struct TraceInput {
    #[serde(deserialize_with = "flex")]
    #[schemars(with = "bastion_core::checkpoint::DocType")]
    pub doc_type: String,
    #[serde(deserialize_with = "flex")]
    pub doc_number: String,
    #[serde(deserialize_with = "flex")]
    pub phone: String,
    #[serde(deserialize_with = "flex")]
    pub reason: String,
}

/// What the public form answers: the pass code the officer scans or types.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IssuedPass {
    pub code: String,
    pub expires_at: i64,
    pub checkpoint: String,
}
