//! Supplies' section of a person's page: the kit issued to them lately.

use crate::org::{Person, PersonLine, PersonSection, PersonSource};
use crate::{App, AppError, AppResult, Ctx};

pub(crate) const PERSON: PersonSource =
    PersonSource { feature: "supplies", section: |app, ctx, p| Box::pin(app.supplies_person_section(ctx, p)) };

/// Issues listed on the page (the whole history is one link away).
const SHOWN: usize = 10;

impl App {
    async fn supplies_person_section(&self, ctx: &Ctx, p: &Person) -> AppResult<PersonSection> {
        const TITLE: &str = "防护物资签领";
        let issues = match self.supply_issues(ctx, Some(p.id)).await {
            Ok(i) => i,
            Err(AppError::Forbidden(_)) => return Ok(PersonSection::refused("supplies", TITLE)),
            Err(e) => return Err(e),
        };
        let all = format!("/supplies/kit?person_id={}", p.id.0);
        let mut lines: Vec<PersonLine> = issues
            .iter()
            .take(SHOWN)
            .map(|i| {
                let how = if i.signed { "本人签名" } else { "带班负责人代签" };
                PersonLine::new(
                    format!("{} {} {}", i.shift_date, i.shift, i.lines),
                    format!("{} · {how}", i.store_name),
                    Some(all.clone()),
                )
            })
            .collect();
        if issues.len() > SHOWN {
            lines.push(PersonLine::new(format!("共 {} 次签领，查看全部", issues.len()), "", Some(all)));
        }
        Ok(PersonSection::of("supplies", TITLE, lines))
    }
}
