//! Recall orders (召集令): the per-person state machine and the tally that proves nobody is
//! missing. Pure: the store persists states, this module decides which transitions are allowed
//! and how a transition moves the counts.

use crate::error::FieldError;
use serde::Serialize;

crate::org::labelled_enum!(
    /// Where one person stands in one recall order.
    RecallState, "召集状态", {
    Pending = ("pending", "待通知", "Not yet reached"),
    Delivered = ("delivered", "已送达", "Delivered"),
    Acked = ("acked", "已确认", "Acknowledged"),
    OnPost = ("on_post", "已到岗", "On post"),
    Exempt = ("exempt", "免到", "Exempt"),
    NoResponse = ("no_response", "未响应", "No response"),
});

crate::org::labelled_enum!(
    /// Why a person is excused from reporting.
    ExemptReason, "免到原因", {
    Sick = ("sick", "病假", "Sick"),
    Quarantine = ("quarantine", "隔离", "Quarantined"),
    OtherTask = ("other_task", "执行其他任务", "On another task"),
});

crate::org::labelled_enum!(
    /// Live or drill: drills are marked on every screen and message.
    RecallMode, "召集类型", {
    Live = ("live", "实战", "Live"),
    Drill = ("drill", "演练", "Drill"),
});

crate::org::labelled_enum!(
    /// Where people report.
    ReportTo, "报到地点", {
    AnyPost = ("any_post", "就近任一岗位", "Any post"),
    Assigned = ("assigned", "指定岗位", "An assigned post"),
});

crate::org::labelled_enum!(
    /// The order's life.
    OrderStatus, "召集令状态", {
    AwaitingApproval = ("awaiting_approval", "待审批", "Awaiting approval"),
    Active = ("active", "进行中", "Active"),
    Closed = ("closed", "已结束", "Closed"),
    Cancelled = ("cancelled", "已撤销", "Cancelled"),
});

/// What happens to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A channel reached the person (the link or the in-app notice was opened, the SMS gateway accepted).
    Deliver,
    /// The person confirmed they are coming.
    Ack,
    /// The person reported on post.
    Arrive,
    /// Excused by the desk (or automatically by duty status at issue time).
    Exempt(ExemptReason),
    /// The deadline passed without an answer.
    Expire,
}

/// A refused transition, with the reason an officer reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub &'static str);

impl RecallState {
    /// Counted as accounted for: on post or exempt.
    pub fn accounted(self) -> bool {
        matches!(self, Self::OnPost | Self::Exempt)
    }

    /// Still owes an answer: reminders and escalation go to these.
    pub fn unanswered(self) -> bool {
        matches!(self, Self::Pending | Self::Delivered | Self::NoResponse)
    }

    /// The next state after `event`: `Ok(None)` when the event changes nothing (a second
    /// acknowledgement, a late delivery receipt), `Err` when it is not allowed.
    pub fn next(self, event: Event) -> Result<Option<RecallState>, Refused> {
        use RecallState::*;
        Ok(match (self, event) {
            (Pending, Event::Deliver) => Some(Delivered),
            (_, Event::Deliver) => None,
            (Pending | Delivered | NoResponse, Event::Ack) => Some(Acked),
            (Acked | OnPost | Exempt, Event::Ack) => None,
            (OnPost, Event::Arrive) => None,
            (_, Event::Arrive) => Some(OnPost),
            (Exempt, Event::Exempt(_)) => None,
            (OnPost, Event::Exempt(_)) => return Err(Refused("该人员已到岗，不能再设为免到")),
            (_, Event::Exempt(_)) => Some(Exempt),
            (Pending | Delivered, Event::Expire) => Some(NoResponse),
            (_, Event::Expire) => None,
        })
    }
}

/// Counts by state for one order (or one unit of it). Every person is in exactly one state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Tally {
    pub pending: i64,
    pub delivered: i64,
    pub acked: i64,
    pub on_post: i64,
    pub exempt: i64,
    pub no_response: i64,
}

impl Tally {
    pub fn slot(&mut self, s: RecallState) -> &mut i64 {
        match s {
            RecallState::Pending => &mut self.pending,
            RecallState::Delivered => &mut self.delivered,
            RecallState::Acked => &mut self.acked,
            RecallState::OnPost => &mut self.on_post,
            RecallState::Exempt => &mut self.exempt,
            RecallState::NoResponse => &mut self.no_response,
        }
    }

    pub fn get(&self, s: RecallState) -> i64 {
        let mut c = *self;
        *c.slot(s)
    }

    pub fn add(&mut self, s: RecallState, n: i64) {
        *self.slot(s) += n;
    }

    /// Move one person from `from` to `to`.
    pub fn shift(&mut self, from: RecallState, to: RecallState) {
        *self.slot(from) -= 1;
        *self.slot(to) += 1;
    }

    pub fn merge(&mut self, o: &Tally) {
        for s in RecallState::ALL {
            self.add(*s, o.get(*s));
        }
    }

    pub fn total(&self) -> i64 {
        RecallState::ALL.iter().map(|s| self.get(*s)).sum()
    }

    /// On post plus exempt.
    pub fn accounted(&self) -> i64 {
        self.on_post + self.exempt
    }

    /// Neither on post nor exempt.
    pub fn missing(&self) -> i64 {
        self.total() - self.accounted()
    }

    /// `956/956（到岗 940 + 免到 16）` — "nobody missing" is the statement accounted == total.
    pub fn headline(&self, en: bool) -> String {
        if en {
            format!("{}/{} (on post {} + exempt {})", self.accounted(), self.total(), self.on_post, self.exempt)
        } else {
            format!("{}/{}（到岗 {} + 免到 {}）", self.accounted(), self.total(), self.on_post, self.exempt)
        }
    }
}

/// Who starts exempt because of their duty status when the order is issued. People on leave or
/// away are recalled like everyone else (the reference bureau recalled them too).
pub fn exempt_by_duty(duty: crate::org::DutyStatus) -> Option<ExemptReason> {
    match duty {
        crate::org::DutyStatus::Sick => Some(ExemptReason::Sick),
        crate::org::DutyStatus::Quarantine => Some(ExemptReason::Quarantine),
        _ => None,
    }
}

/// Escalation waves in minutes after issue: remind the unanswered, then tell their unit heads,
/// then tell command. `10,20,30` → `[10, 20, 30]`; each later than the one before.
pub fn parse_waves(raw: &str) -> Result<Vec<i64>, FieldError> {
    const FIELD: &str = "升级提醒";
    let mut out = Vec::new();
    for part in raw.split([',', '，', '、', ' ']).filter(|p| !p.trim().is_empty()) {
        let m: i64 =
            part.trim().parse().map_err(|_| FieldError::new(FIELD, "升级提醒应为以逗号分隔的分钟数，如 10,20,30"))?;
        if !(1..=1440).contains(&m) {
            return Err(FieldError::new(FIELD, "升级提醒的每一档须在 1 到 1440 分钟之间"));
        }
        if out.last().is_some_and(|l| *l >= m) {
            return Err(FieldError::new(FIELD, "升级提醒的各档须依次递增"));
        }
        out.push(m);
    }
    if out.len() > 3 {
        return Err(FieldError::new(FIELD, "升级提醒最多三档：提醒本人、通知单位负责人、报告指挥部"));
    }
    Ok(out)
}

/// What each wave does, in order.
pub const WAVE_NAMES: [&str; 3] = ["提醒未响应人员", "通知单位负责人", "报告指挥部"];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            Just(Event::Deliver),
            Just(Event::Ack),
            Just(Event::Arrive),
            Just(Event::Exempt(ExemptReason::Sick)),
            Just(Event::Exempt(ExemptReason::OtherTask)),
            Just(Event::Expire),
        ]
    }

    #[test]
    fn transitions_people_notice() {
        use RecallState::*;
        assert_eq!(Pending.next(Event::Ack), Ok(Some(Acked)));
        assert_eq!(Acked.next(Event::Ack), Ok(None), "a second acknowledgement changes nothing");
        assert_eq!(Acked.next(Event::Arrive), Ok(Some(OnPost)));
        assert_eq!(OnPost.next(Event::Arrive), Ok(None));
        assert!(OnPost.next(Event::Exempt(ExemptReason::Sick)).is_err());
        assert_eq!(NoResponse.next(Event::Ack), Ok(Some(Acked)), "a late answer still counts");
        assert_eq!(Acked.next(Event::Expire), Ok(None), "acknowledged people are not marked unanswered");
        let mut t = Tally::default();
        t.add(OnPost, 940);
        t.add(Exempt, 16);
        assert_eq!(t.headline(false), "956/956（到岗 940 + 免到 16）");
        assert_eq!(t.missing(), 0);
    }

    #[test]
    fn waves_parse() {
        assert_eq!(parse_waves("10, 20，30").unwrap(), vec![10, 20, 30]);
        assert_eq!(parse_waves("").unwrap(), Vec::<i64>::new());
        assert_eq!(parse_waves("20,10").unwrap_err().message, "升级提醒的各档须依次递增");
        assert!(parse_waves("0").is_err());
        assert!(parse_waves("1,2,3,4").is_err());
        assert!(parse_waves("x").is_err());
    }

    proptest! {
        /// Any sequence of events on any people: the incrementally kept tally equals a recount,
        /// adds up to the audience (nobody counted twice, nobody lost), and the number accounted
        /// for never goes down.
        #[test]
        fn nobody_counted_twice_and_totals_add_up(
            people in 1usize..40,
            events in proptest::collection::vec((0usize..40, event()), 0..300),
        ) {
            let mut states: HashMap<usize, RecallState> = (0..people).map(|p| (p, RecallState::Pending)).collect();
            let mut tally = Tally::default();
            tally.add(RecallState::Pending, people as i64);
            let mut accounted = 0;
            for (who, ev) in events {
                let who = who % people;
                let from = states[&who];
                match from.next(ev) {
                    Ok(Some(to)) => {
                        prop_assert_ne!(from, to);
                        tally.shift(from, to);
                        states.insert(who, to);
                    }
                    Ok(None) => {}
                    Err(_) => prop_assert_eq!(from, RecallState::OnPost),
                }
                let mut recount = Tally::default();
                for s in states.values() {
                    recount.add(*s, 1);
                }
                prop_assert_eq!(tally, recount);
                prop_assert_eq!(tally.total(), people as i64);
                prop_assert!(RecallState::ALL.iter().all(|s| tally.get(*s) >= 0));
                prop_assert!(tally.accounted() >= accounted, "accounted went down");
                accounted = tally.accounted();
            }
        }

        /// Applying the same event twice is the same as applying it once (idempotent answers).
        #[test]
        fn events_are_idempotent(ev in event(), start in proptest::sample::select(RecallState::ALL.to_vec())) {
            if let Ok(once) = start.next(ev) {
                let after = once.unwrap_or(start);
                prop_assert_eq!(after.next(ev), Ok(None));
            }
        }
    }
}
