//! The party's section of a person's page: their organisation and membership, their secondments
//! to temporary branches, where they stand in the membership pipeline and their petitions.

use crate::org::{Person, PersonLine, PersonSection, PersonSource};
use crate::{App, AppError, AppResult, Ctx};

pub(crate) const PERSON: PersonSource =
    PersonSource { feature: "party", section: |app, ctx, p| Box::pin(app.party_person_section(ctx, p)) };

impl App {
    async fn party_person_section(&self, ctx: &Ctx, p: &Person) -> AppResult<PersonSection> {
        const TITLE: &str = "党员档案";
        let r = match self.party_record(ctx, p.id).await {
            Ok(r) => r,
            Err(AppError::Forbidden(_)) => return Ok(PersonSection::refused("party", TITLE)),
            Err(e) => return Err(e),
        };
        let mut lines = vec![PersonLine::new(r.political_status.zh(), "政治面貌", None)];
        if let Some(m) = &r.member {
            lines.push(PersonLine::new(
                format!("{} · {}", m.branch_name, m.kind.zh()),
                m.joined_on.as_deref().map(|d| format!("{d} 入党")).unwrap_or_default(),
                Some(format!("/party/branches/{}", m.branch_id.0)),
            ));
        }
        for (id, name, role) in &r.secondments {
            let role = if role == "secretary" { "书记" } else { "党员" };
            lines.push(PersonLine::new(
                format!("{name} · {role}"),
                "临时党支部（组织关系不转）",
                Some(format!("/party/branches/{}", id.0)),
            ));
        }
        if let Some(c) = &r.candidate {
            lines.push(PersonLine::new(
                format!("发展党员：{}", c.candidate.stage.zh()),
                c.next.first().map(|n| format!("下一步：{}", n.step.zh())).unwrap_or_default(),
                None,
            ));
        }
        if !r.petitions.is_empty() {
            lines.push(PersonLine::new(format!("请战书 {} 份", r.petitions.len()), "", None));
        }
        Ok(PersonSection::of("party", TITLE, lines))
    }
}
