//! The party's to-do items on the home page.

use bastion_core::party::{OrgStatus, Step};
use bastion_core::permission::perm;

use crate::{App, AppResult, Ctx};

// ---------------------------------------------------------------- to-do

/// Party's to-do items: temporary branches awaiting the viewer's approval (proposed by someone
/// else), and for pipeline keepers the candidates whose next step can be recorded now or is
/// overdue (the talk within a month, the approval within three months).
pub(crate) const TODO: crate::home::TodoSource =
    crate::home::TodoSource { feature: "党建", items: |app, ctx| Box::pin(app.party_todo(ctx)) };

impl App {
    async fn party_todo(&self, ctx: &Ctx) -> AppResult<Vec<crate::home::TodoItem>> {
        let mut out = Vec::new();
        let item =
            |title: String, href: String, urgent: bool| crate::home::TodoItem {
                feature: "党建", title, href, urgent
            };
        if ctx.can(perm::PARTY_ORG_APPROVE) {
            for o in self.party_orgs(ctx).await? {
                if o.status == OrgStatus::Proposed && o.proposed_by.as_deref() != Some(ctx.username.as_str()) {
                    out.push(item(format!("{} 待批准成立", o.name), format!("/party/branches/{}", o.id.0), true));
                }
            }
        }
        if ctx.can(perm::PARTY_PIPELINE_WRITE) {
            let mut n = 0;
            for row in self.pipeline(ctx, None).await? {
                for next in &row.next {
                    if n >= 8 {
                        break;
                    }
                    if next.overdue {
                        n += 1;
                        out.push(item(
                            format!(
                                "{}：{} 已逾期（{}）",
                                row.candidate.name,
                                next.step.zh(),
                                next.due.clone().unwrap_or_default()
                            ),
                            "/party/pipeline".into(),
                            true,
                        ));
                    } else if next.possible_now && matches!(next.step, Step::Talked | Step::Approved | Step::Full) {
                        n += 1;
                        out.push(item(
                            format!("{}：可办理“{}”", row.candidate.name, next.step.zh()),
                            "/party/pipeline".into(),
                            false,
                        ));
                    }
                }
            }
        }
        Ok(out)
    }
}
