//! Duty's section of a person's page: their places in command structures, their shifts of the
//! coming week and the tasks they own that are still open.

use bastion_core::permission::perm;
use bastion_store::duty::meeting::TaskFilter;

use crate::org::{Person, PersonLine, PersonSection, PersonSource};
use crate::{in_scope, App, AppResult, Ctx};

pub(crate) const PERSON: PersonSource =
    PersonSource { feature: "duty", section: |app, ctx, p| Box::pin(app.duty_person_section(ctx, p)) };

impl App {
    async fn duty_person_section(&self, ctx: &Ctx, p: &Person) -> AppResult<PersonSection> {
        const TITLE: &str = "值班、指挥体系与督办";
        let own = ctx.person_id == Some(p.id);
        let visible = own || ctx.scope(perm::DUTY_READ).is_ok_and(|s| in_scope(&s, &p.unit_path, Some(p.id)));
        if !visible {
            return Ok(PersonSection::refused("duty", TITLE));
        }
        // Links only where the viewer may follow them (their own shifts are on "my shifts").
        let reader = ctx.can(perm::DUTY_READ);
        let mut lines = Vec::new();
        for (g, role) in self.store.person_groups(p.id).await? {
            let href = reader.then(|| "/duty/command".to_string());
            lines.push(PersonLine::new(format!("{} · {}", g.name, role.zh()), g.kind.zh(), href));
        }
        let today = bastion_core::time::today();
        let week = today.checked_add(jiff::Span::new().days(7)).unwrap_or(today);
        for a in self.store.person_assignments(p.id, &today.to_string(), &week.to_string()).await? {
            let state = if a.signed_out_at.is_some() {
                "已签退"
            } else if a.signed_in_at.is_some() {
                "在岗"
            } else {
                "未签到"
            };
            lines.push(PersonLine::new(
                format!("{} {} {}", a.day, a.shift, a.post_name),
                state,
                Some(if reader { format!("/duty/posts/{}?day={}", a.post_id.0, a.day) } else { "/duty/my".into() }),
            ));
        }
        let open = TaskFilter {
            owner: Some(p.id),
            status: Some(bastion_core::duty::TaskStatus::Open),
            ..TaskFilter::default()
        };
        for t in self.store.duty_tasks(&open, 20).await? {
            lines.push(PersonLine::new(
                format!("督办：{}", t.title),
                format!("时限 {}", bastion_core::time::fmt_ms(t.deadline_at)),
                Some(format!("/duty/tasks/{}", t.id.0)),
            ));
        }
        Ok(PersonSection::of("duty", TITLE, lines))
    }
}
