//! Petitions (请战书) signed on a phone, assault teams formed from them and their daily results.

use bastion_core::error::{non_empty, opt_text, text};
use bastion_core::party as rules;
use bastion_core::permission::perm;
use bastion_core::FieldError;
use bastion_store::org::{PersonId, RowScope};
use bastion_store::party::{NewPetition, NewResult, NewTeam};

use super::*;
use crate::{in_scope, App, AppError, AppResult, Ctx};

impl App {
    pub async fn submit_petition(&self, ctx: &Ctx, input: &PetitionInput) -> AppResult<PetitionId> {
        ctx.scope(perm::PARTY_PETITION_WRITE)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::invalid(FieldError::new(
                "请战人",
                "您的账号未关联人员档案，不能以本人名义递交请战书",
            )));
        };
        let mut e = Vec::new();
        let body = bastion_core::error::multiline("请战内容", &input.body, 10, 2000).map_err(|x| e.push(x)).ok();
        let missions =
            rules::parse_missions("请战任务", std::slice::from_ref(&input.missions)).map_err(|x| e.push(x)).ok();
        let signature = match non_empty(&input.signature) {
            None => {
                e.push(FieldError::new("签名", "签名不能为空：请在签名框内手写签名，或上传签名按手印的纸质请战书照片"));
                None
            }
            Some(raw) => {
                let raw = raw.to_string();
                tokio::task::spawn_blocking(move || signed_image(&raw))
                    .await
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("image task: {e}")))?
                    .map_err(|x| e.push(x))
                    .ok()
            }
        };
        let (Some(body), Some(missions), Some(signature)) = (body, missions, signature) else {
            return Err(AppError::Invalid(e));
        };
        let new = NewPetition {
            person_id: person,
            account: ctx.username.clone(),
            body,
            missions,
            signature: Some(signature),
            publish_consent: switched_on(&input.publish_consent),
        };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_petition(&mut tx, &new).await?;
        let what: Vec<&str> = new.missions.iter().map(|m| m.zh()).collect();
        self.audit(&mut tx, ctx, "party", "递交请战书", &format!("party_petition:{}", id.0), &what.join("、")).await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// Petitions the caller may see: all (committee), of the units in scope, or one's own.
    pub async fn petitions(&self, ctx: &Ctx) -> AppResult<Vec<Petition>> {
        let scope = match ctx.scope(perm::PARTY_TEAM_WRITE) {
            Ok(s) => s,
            Err(_) => ctx.scope(perm::PARTY_PETITION_WRITE)?,
        };
        Ok(self
            .store
            .petitions()
            .await?
            .into_iter()
            .filter(|p| in_scope(&scope, &p.unit_path, Some(p.person_id)) || Some(p.person_id) == ctx.person_id)
            .collect())
    }

    /// A petition's signature (PNG), within the same scope as the list.
    pub async fn petition_signature(&self, ctx: &Ctx, id: PetitionId) -> AppResult<Vec<u8>> {
        let p = self.store.petition(id).await.map_err(|_| AppError::NotFound("请战书不存在".into()))?;
        let visible = self.petitions(ctx).await?.iter().any(|x| x.id == p.id);
        if !visible {
            return Err(AppError::forbidden_data());
        }
        self.store.petition_signature(id).await?.ok_or_else(|| AppError::NotFound("该请战书没有签名".into()))
    }

    // ------------------------------------------------------------ teams

    pub async fn form_team(&self, ctx: &Ctx, input: &TeamInput) -> AppResult<TeamId> {
        ctx.scope(perm::PARTY_TEAM_WRITE)?;
        let mut e = Vec::new();
        let name = text("队名", &input.name, 4, 40).map_err(|x| e.push(x)).ok();
        let leader = id_of("队长", &input.leader_id, &mut e);
        let petitions = ids_of("请战书", &input.petition_ids, &mut e);
        if petitions.is_empty() && non_empty(&input.petition_ids).is_none() {
            e.push(FieldError::new("请战书", "请战书不能为空：突击队从请战书中组建"));
        }
        let missions =
            rules::parse_missions("任务类型", std::slice::from_ref(&input.missions)).map_err(|x| e.push(x)).ok();
        let flag = bastion_core::time::parse_date("授旗日期", &input.flag_date).map_err(|x| e.push(x)).ok();
        let operation = match non_empty(&input.operation_id) {
            None => Some(None),
            Some(_) => id_of("行动", &input.operation_id, &mut e).map(Some),
        };
        let (Some(name), Some(leader), Some(missions), Some(flag), Some(operation)) =
            (name, leader, missions, flag, operation)
        else {
            return Err(AppError::Invalid(e));
        };
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let leader = self
            .store
            .person(PersonId(leader))
            .await
            .map_err(|_| AppError::invalid(FieldError::new("队长", "队长不存在")))?;
        if let Some(o) = operation {
            self.store
                .operation(crate::operation::OperationId(o))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("行动", "行动不存在")))?;
        }
        let mut members: Vec<(PersonId, Option<PetitionId>)> = Vec::new();
        for pid in &petitions {
            let p = self
                .store
                .petition(PetitionId(*pid))
                .await
                .map_err(|_| AppError::invalid(FieldError::new("请战书", format!("请战书 {pid} 不存在"))))?;
            if let Some(t) = &p.team_name {
                return Err(AppError::invalid(FieldError::new(
                    "请战书",
                    format!("{} 的请战书（{pid}）已编入“{t}”，同一请战书只能编入一支突击队", p.name),
                )));
            }
            if members.iter().any(|(m, _)| *m == p.person_id) {
                continue;
            }
            members.push((p.person_id, Some(p.id)));
        }
        if !members.iter().any(|(m, _)| *m == leader.id) {
            members.insert(0, (leader.id, None));
        }
        let new = NewTeam {
            name,
            leader_id: leader.id,
            missions,
            flag_date: flag.to_string(),
            operation_id: operation,
            created_by: ctx.username.clone(),
            members,
        };
        let mut tx = self.store.begin().await?;
        let Some(id) = self.store.insert_team(&mut tx, &new).await? else {
            return Err(AppError::Conflict("有请战书刚被编入其他突击队，请刷新后重试".into()));
        };
        self.audit(
            &mut tx,
            ctx,
            "party",
            "组建党员突击队",
            &format!("party_team:{} {}", id.0, new.name),
            &format!("队长 {}；队员 {} 人；授旗 {}", leader.name, new.members.len(), new.flag_date),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    pub(super) fn may_see_all_teams(&self, ctx: &Ctx) -> bool {
        matches!(ctx.scope(perm::PARTY_MISSION_WRITE), Ok(RowScope::All))
            || ctx.can(perm::PARTY_TEAM_WRITE)
            || ctx.can(perm::PARTY_ORG_READ)
    }

    /// Teams with members and daily totals: all of them (committee, secretaries), or those the
    /// caller belongs to.
    pub async fn teams(&self, ctx: &Ctx) -> AppResult<Vec<TeamView>> {
        if !ctx.can(perm::PARTY_ORG_READ) && !ctx.can(perm::PARTY_MISSION_WRITE) && !ctx.can(perm::PARTY_TEAM_WRITE) {
            ctx.scope(perm::PARTY_MISSION_WRITE)?;
        }
        let all = self.may_see_all_teams(ctx);
        let mine = match ctx.person_id {
            Some(p) => self.store.teams_of(p).await?,
            None => Vec::new(),
        };
        let record_all = matches!(ctx.scope(perm::PARTY_MISSION_WRITE), Ok(RowScope::All));
        let can_mission = ctx.can(perm::PARTY_MISSION_WRITE);
        let mut out = Vec::new();
        for t in self.store.teams().await? {
            let member = mine.contains(&t.id);
            if !all && !member {
                continue;
            }
            let members = self.store.team_members(t.id).await?;
            let days = self.store.results_by_day(Some(t.id)).await?;
            out.push(TeamView { can_record: record_all || (can_mission && member), team: t, members, days });
        }
        Ok(out)
    }

    /// Enter a day's results of a team (the committee, or a member of the team on a phone).
    pub async fn record_results(&self, ctx: &Ctx, team: TeamId, input: &ResultInput) -> AppResult<Totals> {
        let scope = ctx.scope(perm::PARTY_MISSION_WRITE)?;
        let mut e = Vec::new();
        let day = date_not_future("日期", &input.day, &mut e);
        let totals = Totals {
            households: count("摸底排查户数", &input.households, &mut e),
            patrols: count("巡逻次数", &input.patrols, &mut e),
            traffic_stops: count("交通查控车次", &input.traffic_stops, &mut e),
            cases: count("处置案件数", &input.cases, &mut e),
            persuaded: count("劝导人数", &input.persuaded, &mut e),
        };
        let note = opt_text("备注", &input.note, 500).map_err(|x| e.push(x)).ok().flatten();
        let Some(day) = day else { return Err(AppError::Invalid(e)) };
        if totals == Totals::default() && e.is_empty() {
            e.push(FieldError::new("战果", "战果各项均为 0：请至少填写一项"));
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let t = self
            .store
            .teams()
            .await?
            .into_iter()
            .find(|t| t.id == team)
            .ok_or_else(|| AppError::NotFound("突击队不存在".into()))?;
        if scope != RowScope::All {
            let member = match ctx.person_id {
                Some(p) => self.store.teams_of(p).await?.contains(&team),
                None => false,
            };
            if !member {
                return Err(AppError::Forbidden(format!("您不是“{}”的队员，不能填报其战果", t.name)));
            }
        }
        if let Ok(flag) = bastion_core::time::parse_date("授旗日期", &t.flag_date) {
            if day < flag {
                e.push(FieldError::new("日期", format!("日期不能早于“{}”的授旗日期 {flag}", t.name)));
            }
        }
        if !e.is_empty() {
            return Err(AppError::Invalid(e));
        }
        let new = NewResult { team_id: team, day: day.to_string(), totals, note, recorded_by: ctx.username.clone() };
        let mut tx = self.store.begin().await?;
        let id = self.store.insert_result(&mut tx, &new).await?;
        self.audit(&mut tx, ctx, "party", "填报突击队战果", &format!("party_result:{} {} {}", id, t.name, new.day), "")
            .await?;
        bastion_store::commit(tx).await?;
        Ok(self
            .store
            .results_by_day(Some(team))
            .await?
            .into_iter()
            .find(|d| d.day == new.day)
            .map(|d| d.totals)
            .unwrap_or_default())
    }

    /// Results summed over every team of an operation (the committee's figure).
    pub async fn operation_results(&self, ctx: &Ctx, operation: i64) -> AppResult<Totals> {
        if !self.may_see_all_teams(ctx) {
            return Err(AppError::forbidden_data());
        }
        Ok(self.store.results_of_operation(operation).await?)
    }
}

/// The petition's signature: drawn on the screen (a PNG, checked as a signature and written again
/// as PNG) or a photo of the signed paper with its red fingerprint (a JPEG, checked by the picture
/// rules — content, size, decompression bombs — and re-encoded).
fn signed_image(raw: &str) -> Result<Vec<u8>, FieldError> {
    use crate::publicity::media;
    use base64::Engine as _;
    let Some(payload) = raw.trim().strip_prefix("data:image/jpeg;base64,") else {
        return crate::supplies::input::signature("签名", raw).and_then(|s| reencode_png("签名", &s.bytes));
    };
    if payload.len() > media::MAX_UPLOAD_BYTES * 4 / 3 + 4 {
        return Err(FieldError::new(
            "签名",
            format!("纸质请战书照片过大（不超过 {} MB）", media::MAX_UPLOAD_BYTES / 1048576),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .map_err(|_| FieldError::new("签名", "纸质请战书照片不是有效的 base64 编码"))?;
    media::process(&bytes, "petition")
        .map(|img| img.data)
        .map_err(|x| FieldError::new("签名", x.message.replace("图片", "纸质请战书照片")))
}

/// Decode a checked signature and write it again as PNG (drops anything hidden in the file).
fn reencode_png(field: &str, bytes: &[u8]) -> Result<Vec<u8>, FieldError> {
    let img = image::load_from_memory(bytes).map_err(|_| FieldError::new(field, format!("{field}图片无法识别")))?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|_| FieldError::new(field, format!("{field}图片无法保存")))?;
    Ok(out.into_inner())
}
