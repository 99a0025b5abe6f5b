//! Calendar feeds (日历订阅): each officer may make an iCalendar address of their own shifts, to
//! subscribe to from a phone's calendar. The address carries an unguessable token, kept only as its
//! hash (shown once, when made); making a new one or stopping the feed revokes the old address.

use bastion_core::permission::perm;
use rand::RngCore;

use crate::auth::token_hash;
use crate::{App, AppError, AppResult, Ctx};

/// How far back and ahead a feed lists shifts.
const PAST_DAYS: i64 = 7;
const AHEAD_DAYS: i64 = 60;

fn ics_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n")
}

fn ics_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

impl App {
    /// Make (or remake, revoking the old) the caller's feed; returns the token, shown once.
    pub async fn make_calendar_feed(&self, ctx: &Ctx) -> AppResult<String> {
        ctx.scope(perm::DUTY_SIGN)?;
        let Some(person) = ctx.person_id else {
            return Err(AppError::Forbidden("您的账号未关联人员档案，没有班次可订阅".into()));
        };
        let mut raw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = hex::encode(raw);
        let mut tx = self.store.begin().await?;
        self.store.set_calendar_token(&mut tx, person, &token_hash(&token)).await?;
        self.audit(&mut tx, ctx, "duty", "生成日历订阅", &format!("person:{}", person.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(token)
    }

    /// Stop the caller's feed: the address answers 404 from now on.
    pub async fn stop_calendar_feed(&self, ctx: &Ctx) -> AppResult<()> {
        ctx.scope(perm::DUTY_SIGN)?;
        let Some(person) = ctx.person_id else { return Err(AppError::NotFound("没有日历订阅".into())) };
        let mut tx = self.store.begin().await?;
        if !self.store.delete_calendar_token(&mut tx, person).await? {
            return Err(AppError::NotFound("没有日历订阅".into()));
        }
        self.audit(&mut tx, ctx, "duty", "停用日历订阅", &format!("person:{}", person.0), "").await?;
        bastion_store::commit(tx).await?;
        Ok(())
    }

    /// When the caller's feed was made (None: no feed).
    pub async fn calendar_feed_made(&self, ctx: &Ctx) -> AppResult<Option<i64>> {
        ctx.scope(perm::DUTY_SIGN)?;
        match ctx.person_id {
            Some(p) => Ok(self.store.calendar_token_made(p).await?),
            None => Ok(None),
        }
    }

    /// The feed of a token (no sign-in: the token is the key): the person's shifts as iCalendar.
    pub async fn calendar_feed(&self, token: &str) -> AppResult<String> {
        let not_found = || AppError::NotFound("日历订阅不存在或已停用".into());
        let token = token.trim_end_matches(".ics");
        if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let person = self.store.calendar_person(&token_hash(token)).await?.ok_or_else(not_found)?;
        let today = bastion_core::time::today();
        let from = today.checked_sub(jiff::Span::new().days(PAST_DAYS)).unwrap_or(today).to_string();
        let to = today.checked_add(jiff::Span::new().days(AHEAD_DAYS)).unwrap_or(today).to_string();
        let shifts = self.store.person_assignments(person, &from, &to).await?;
        let stamp = ics_time(bastion_core::time::now_ms());
        let mut out = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bastion//duty//ZH\r\nCALSCALE:GREGORIAN\r\nX-WR-CALNAME:我的班次\r\n",
        );
        for a in shifts {
            out.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:duty-{}@bastion\r\nDTSTAMP:{stamp}\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:{}\r\nLOCATION:{}\r\nEND:VEVENT\r\n",
                a.id.0,
                ics_time(a.starts_at),
                ics_time(a.ends_at),
                ics_text(&format!("{} {}", a.post_name, a.shift)),
                ics_text(&a.post_name),
            ));
        }
        out.push_str("END:VCALENDAR\r\n");
        Ok(out)
    }
}
