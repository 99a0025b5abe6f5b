//! The county bureau's rules on top of the general model, and a generator of the reference
//! bureau (956 staff, five entry checkpoints on three shifts, the HQ desk with a leader on
//! duty every day, six assault-team patrols, 28 days).
//!
//! Everything bureau-specific is compiled into an [`Instance`]: posts become shift types,
//! eligibility (home post, protective kit) becomes `max_shifts = 0`, leave/sickness/quarantine
//! become excused days off, per-skill and party-member demand become group covers, volunteered
//! extra shifts become on-requests and fairness becomes a per-person quadratic term. So the
//! same solver, evaluator and repair serve the benchmark and the bureau.

use crate::eval::Evaluation;
use crate::model::{Cover, Fairness, Group, GroupCover, Instance, Request, Roster, ShiftType, Staff};
use crate::search::Rng;
use serde::Serialize;

/// Hours of rest required between the end of one shift and the start of the next day's.
pub const MIN_REST_HOURS: u32 = 11;
/// Price of one missing person on a post, a missing skill or party member, or a wrong leader
/// count: far above any fairness or request term, so a solution with it is "not feasible".
pub const POST_WEIGHT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PoliceType {
    Traffic,
    Patrol,
    Criminal,
    Station,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DutyStatus {
    OnDuty,
    Leave,
    Sick,
    Quarantine,
}

/// Which post a person is rostered on: the temporary branch they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Home {
    Checkpoint(usize),
    Hq,
    Team(usize),
    Leader,
}

#[derive(Debug, Clone, Serialize)]
pub struct Officer {
    pub id: String,
    pub police_type: PoliceType,
    /// 辅警 (auxiliary) rather than 民警 (sworn officer).
    pub auxiliary: bool,
    pub party_member: bool,
    pub home: Home,
    /// Issued protective kit; posts that require it may only be worked by protected people.
    pub protected: bool,
    pub status: Vec<DutyStatus>,
    /// Volunteered extra shifts (请战): (day, shift id) granted when possible.
    pub volunteered: Vec<(usize, String)>,
}

/// One shift of a post: id, start hour and length.
#[derive(Debug, Clone, Serialize)]
pub struct PostShift {
    pub id: String,
    pub start_hour: u32,
    pub hours: u32,
    pub night: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Post {
    pub name: String,
    pub home: Home,
    pub shifts: Vec<PostShift>,
    pub demand: u32,
    pub requires_protection: bool,
    pub party_member_each_shift: bool,
    /// At least this many traffic police / sworn officers on each shift.
    pub min_traffic: u32,
    pub min_sworn: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bureau {
    pub days: usize,
    pub officers: Vec<Officer>,
    pub posts: Vec<Post>,
    pub holidays: Vec<bool>,
    pub max_minutes: u32,
    pub max_consecutive: u32,
    pub max_weekends: u32,
    pub fairness_weight: u32,
}

fn shift(id: String, start_hour: u32, hours: u32) -> PostShift {
    PostShift { id, start_hour, hours, night: !(6..20).contains(&start_hour) }
}

/// The reference bureau. Names are invented ids (`K1-023`); `seed` varies attributes only.
pub fn reference_bureau(seed: u64) -> Bureau {
    let days = 28;
    let mut rng = Rng::new(seed);
    let mut posts = Vec::new();
    for k in 0..5 {
        posts.push(Post {
            name: format!("入境卡点{} checkpoint K{}", k + 1, k + 1),
            home: Home::Checkpoint(k),
            shifts: [("D", 8), ("E", 16), ("N", 0)]
                .iter()
                .map(|(s, h)| shift(format!("K{}{s}", k + 1), *h, 8))
                .collect(),
            demand: 8,
            requires_protection: true,
            party_member_each_shift: true,
            min_traffic: 2,
            min_sworn: 2,
        });
    }
    posts.push(Post {
        name: "指挥部专班 HQ desk".into(),
        home: Home::Hq,
        shifts: [("D", 8), ("E", 16), ("N", 0)].iter().map(|(s, h)| shift(format!("HQ{s}"), *h, 8)).collect(),
        demand: 4,
        requires_protection: false,
        party_member_each_shift: true,
        min_traffic: 0,
        min_sworn: 1,
    });
    posts.push(Post {
        name: "领导带班 leader on duty".into(),
        home: Home::Leader,
        shifts: vec![shift("LEAD".into(), 8, 12)],
        demand: 1,
        requires_protection: false,
        party_member_each_shift: false,
        min_traffic: 0,
        min_sworn: 0,
    });
    for t in 0..6 {
        posts.push(Post {
            name: format!("党员突击队{} patrol P{}", t + 1, t + 1),
            home: Home::Team(t),
            shifts: vec![shift(format!("P{}D", t + 1), 8, 12), shift(format!("P{}N", t + 1), 20, 12)],
            demand: 4,
            requires_protection: true,
            party_member_each_shift: true,
            min_traffic: 0,
            min_sworn: 1,
        });
    }

    // 12 leaders, 116 assault-team members, 48 HQ staff, 780 at the checkpoints = 956.
    let mut homes: Vec<(Home, String)> = (0..12).map(|i| (Home::Leader, format!("L-{i:02}"))).collect();
    for (t, size) in [20, 20, 19, 19, 19, 19].into_iter().enumerate() {
        homes.extend((0..size).map(|i| (Home::Team(t), format!("P{}-{i:02}", t + 1))));
    }
    homes.extend((0..48).map(|i| (Home::Hq, format!("HQ-{i:02}"))));
    for k in 0..5 {
        homes.extend((0..156).map(|i| (Home::Checkpoint(k), format!("K{}-{i:03}", k + 1))));
    }
    let mut officers: Vec<Officer> = homes
        .into_iter()
        .map(|(home, id)| {
            let r = rng.below(100);
            let police_type = match r {
                0..=29 => PoliceType::Traffic,
                30..=49 => PoliceType::Patrol,
                50..=59 => PoliceType::Criminal,
                _ => PoliceType::Station,
            };
            let party = match home {
                Home::Leader => true,
                Home::Team(_) => rng.below(10) < 9,
                _ => rng.below(100) < 41,
            };
            Officer {
                id,
                police_type,
                auxiliary: home != Home::Leader && rng.below(100) < 35,
                party_member: party,
                home,
                protected: rng.below(100) >= 3,
                status: vec![DutyStatus::OnDuty; days],
                volunteered: Vec::new(),
            }
        })
        .collect();
    draw_events(&mut officers, days, &mut rng);
    let mut holidays = vec![false; days];
    holidays[..7].fill(true); // the Spring Festival week the operation began in
    Bureau {
        days,
        officers,
        posts,
        holidays,
        max_minutes: 44 * 4 * 60,
        max_consecutive: 6,
        max_weekends: 3,
        fairness_weight: 1,
    }
}

/// A few people fall out — quarantine (14 days), sickness (3), leave (2); leaders excepted —
/// and 30 checkpoint officers petition for 3 extra night shifts each at their own checkpoint.
fn draw_events(officers: &mut [Officer], days: usize, rng: &mut Rng) {
    let n = officers.len();
    for (count, len, status) in [(8, 14, DutyStatus::Quarantine), (5, 3, DutyStatus::Sick), (3, 2, DutyStatus::Leave)] {
        for _ in 0..count {
            let o = 12 + rng.below(n - 12);
            let start = rng.below(days - len);
            officers[o].status[start..start + len].fill(status);
        }
    }
    for _ in 0..30 {
        let o = n - 780 + rng.below(780);
        if let Home::Checkpoint(k) = officers[o].home {
            for _ in 0..3 {
                let day = rng.below(days);
                officers[o].volunteered.push((day, format!("K{}N", k + 1)));
            }
        }
    }
}

/// The month after `b`: the same officers, posts and rules, new absences and volunteers drawn
/// with `seed`, no holidays. With [`carry_over`] of `b`'s roster it is the second month of a
/// rolling fairness window.
pub fn next_month(b: &Bureau, seed: u64) -> Bureau {
    let mut next = b.clone();
    for o in &mut next.officers {
        o.status = vec![DutyStatus::OnDuty; next.days];
        o.volunteered.clear();
    }
    let mut rng = Rng::new(seed.wrapping_mul(0x9E37_79B9).wrapping_add(17));
    draw_events(&mut next.officers, next.days, &mut rng);
    next.holidays = vec![false; next.days];
    next
}

/// Per person `[shifts, nights, weekend days, holidays]` worked in `roster` (counted with
/// `inst`'s fairness flags) plus what `inst` already carries: the carry-over for the next
/// month of the window.
pub fn carry_over(inst: &Instance, roster: &Roster) -> Vec<[u32; 4]> {
    let Some(f) = &inst.fairness else { return vec![[0; 4]; inst.staff.len()] };
    (0..inst.staff.len())
        .map(|e| crate::eval::fairness_counts(inst, f, e, &roster.rows[e]).map(|x| u32::try_from(x).unwrap_or(0)))
        .collect()
}

/// `inst` with `carry` as its fairness carry-over.
pub fn with_carry(inst: &Instance, carry: Vec<[u32; 4]>) -> Instance {
    let mut inst = inst.clone();
    if let Some(f) = &mut inst.fairness {
        f.carry = carry;
    }
    inst
}

/// Compiles the bureau into the general model.
pub fn to_instance(b: &Bureau) -> Instance {
    let days = b.days;
    let all: Vec<&PostShift> = b.posts.iter().flat_map(|p| &p.shifts).collect();
    let shifts: Vec<ShiftType> = all
        .iter()
        .map(|s| ShiftType {
            id: s.id.clone(),
            minutes: s.hours * 60,
            forbidden_next: all
                .iter()
                .enumerate()
                .filter(|(_, n)| 24 + n.start_hour < s.start_hour + s.hours + MIN_REST_HOURS)
                .map(|(i, _)| i)
                .collect(),
        })
        .collect();
    let post_of_shift: Vec<&Post> = b.posts.iter().flat_map(|p| p.shifts.iter().map(move |_| p)).collect();
    let s_n = shifts.len();
    let staff: Vec<Staff> = b
        .officers
        .iter()
        .map(|o| {
            let away: Vec<bool> = o.status.iter().map(|s| *s != DutyStatus::OnDuty).collect();
            Staff {
                id: o.id.clone(),
                max_shifts: post_of_shift
                    .iter()
                    .map(|p| {
                        let ok = p.home == o.home && (o.protected || !p.requires_protection);
                        if ok {
                            days as u32
                        } else {
                            0
                        }
                    })
                    .collect(),
                max_minutes: b.max_minutes,
                min_minutes: 0,
                max_consecutive: b.max_consecutive,
                min_consecutive: 1,
                min_days_off: 1,
                max_weekends: b.max_weekends,
                days_off: away.clone(),
                excused: away,
            }
        })
        .collect();
    let member = |f: &dyn Fn(&Officer) -> bool| b.officers.iter().map(f).collect::<Vec<bool>>();
    let groups = vec![
        Group { name: "党员 party members".into(), members: member(&|o| o.party_member) },
        Group { name: "交警 traffic police".into(), members: member(&|o| o.police_type == PoliceType::Traffic) },
        Group { name: "民警 sworn officers".into(), members: member(&|o| !o.auxiliary) },
    ];
    let mut cover = vec![Cover::default(); days * s_n];
    let mut group_covers = Vec::new();
    for d in 0..days {
        for (s, p) in post_of_shift.iter().enumerate() {
            cover[d * s_n + s] = Cover {
                requirement: p.demand,
                weight_under: POST_WEIGHT,
                // Exactly one leader a day; elsewhere an extra person costs only a little.
                weight_over: if p.home == Home::Leader { POST_WEIGHT } else { 1 },
            };
            for (group, min) in [(0, u32::from(p.party_member_each_shift)), (1, p.min_traffic), (2, p.min_sworn)] {
                if min > 0 {
                    group_covers.push(GroupCover { day: d, shifts: vec![s], group, min, weight_under: POST_WEIGHT });
                }
            }
        }
    }
    let all_ref = &all;
    let on_requests = b
        .officers
        .iter()
        .enumerate()
        .flat_map(|(e, o)| {
            o.volunteered.iter().filter_map(move |(day, id)| {
                let shift = all_ref.iter().position(|s| &s.id == id)?;
                Some(Request { staff: e, day: *day, shift, weight: 5 })
            })
        })
        .collect();
    Instance {
        name: "reference-bureau".into(),
        days,
        shifts,
        staff,
        on_requests,
        off_requests: Vec::new(),
        on_any_requests: Vec::new(),
        cover,
        groups,
        group_covers,
        fairness: Some(Fairness {
            night_shifts: all.iter().map(|s| s.night).collect(),
            holidays: b.holidays.clone(),
            weight: b.fairness_weight,
            carry: Vec::new(),
        }),
    }
}

/// How evenly one burden is spread over the people who can carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub people: usize,
    pub min: u32,
    pub max: u32,
    pub max_minus_min: u32,
    pub mean: f64,
    pub gini: f64,
}

/// Gini coefficient of non-negative counts (0 = perfectly even).
pub fn gini(values: &[u32]) -> f64 {
    let n = values.len() as f64;
    let total: f64 = values.iter().map(|&v| f64::from(v)).sum();
    if values.is_empty() || total == 0.0 {
        return 0.0;
    }
    let mut v: Vec<u32> = values.to_vec();
    v.sort_unstable();
    let weighted: f64 = v.iter().enumerate().map(|(i, &x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * f64::from(x)).sum();
    weighted / (n * total)
}

fn spread(values: Vec<u32>) -> Spread {
    let min = values.iter().copied().min().unwrap_or(0);
    let max = values.iter().copied().max().unwrap_or(0);
    let mean =
        if values.is_empty() { 0.0 } else { values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64 };
    Spread { people: values.len(), min, max, max_minus_min: max - min, mean, gini: gini(&values) }
}

/// Fairness of a bureau roster. Each burden is measured over the people who can carry it
/// (on duty all month and eligible for such a shift), per post group, so that leaders who never
/// work nights do not make the night spread look unfair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FairnessReport {
    pub group: String,
    pub shifts: Spread,
    pub nights: Spread,
    pub weekend_shifts: Spread,
    pub holiday_shifts: Spread,
}

/// Counts over the rolling window: `inst`'s carry-over (if any) plus this roster.
pub fn fairness(b: &Bureau, inst: &Instance, roster: &Roster) -> Vec<FairnessReport> {
    let carry = inst.fairness.as_ref().map(|f| f.carry.clone()).unwrap_or_default();
    fairness_window(b, inst, roster, &carry)
}

/// Fairness over a window: `carry` (per person `[shifts, nights, weekend days, holidays]`
/// from before; empty for none) plus this roster, over the people on duty all this month.
pub fn fairness_window(b: &Bureau, inst: &Instance, roster: &Roster, carry: &[[u32; 4]]) -> Vec<FairnessReport> {
    let night: Vec<bool> = b.posts.iter().flat_map(|p| &p.shifts).map(|s| s.night).collect();
    type Pick = fn(&Home) -> bool;
    let groups: [(&str, Pick); 4] = [
        ("checkpoints", |h| matches!(h, Home::Checkpoint(_))),
        ("hq", |h| *h == Home::Hq),
        ("assault teams", |h| matches!(h, Home::Team(_))),
        ("leaders", |h| *h == Home::Leader),
    ];
    groups
        .iter()
        .map(|(name, pick)| {
            let people: Vec<usize> = (0..b.officers.len())
                .filter(|&e| {
                    let o = &b.officers[e];
                    pick(&o.home)
                        && o.status.iter().all(|s| *s == DutyStatus::OnDuty)
                        && inst.staff[e].max_shifts.iter().any(|&m| m > 0)
                })
                .collect();
            let count = |k: usize, f: &dyn Fn(usize, usize) -> bool| {
                people
                    .iter()
                    .map(|&e| {
                        let before = carry.get(e).map_or(0, |c| c[k]);
                        before + (0..inst.days).filter(|&d| roster.rows[e][d].is_some_and(|s| f(d, s))).count() as u32
                    })
                    .collect::<Vec<u32>>()
            };
            FairnessReport {
                group: (*name).to_string(),
                shifts: spread(count(0, &|_, _| true)),
                nights: spread(count(1, &|_, s| night[s])),
                weekend_shifts: spread(count(2, &|d, _| Instance::is_weekend(d))),
                holiday_shifts: spread(count(3, &|d, _| b.holidays[d])),
            }
        })
        .collect()
}

/// Whether a roster meets the bureau's own demands (beyond the general hard constraints):
/// every post shift staffed, every skill/party minimum met, exactly one leader a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BureauCheck {
    pub hard_violations: usize,
    pub missing_staff: i64,
    pub missing_skill_or_party: i64,
    pub extra_leaders: i64,
}

impl BureauCheck {
    pub fn ok(&self) -> bool {
        self.hard_violations == 0
            && self.missing_staff == 0
            && self.missing_skill_or_party == 0
            && self.extra_leaders == 0
    }
}

pub fn check(inst: &Instance, roster: &Roster, ev: &Evaluation) -> BureauCheck {
    let lead = inst.shift_index("LEAD");
    let extra_leaders = (0..inst.days)
        .map(|d| {
            let n = roster.rows.iter().filter(|r| r[d].is_some() && r[d] == lead).count() as i64;
            (n - 1).max(0)
        })
        .sum();
    BureauCheck {
        hard_violations: ev.violations.len(),
        missing_staff: ev.under / i64::from(POST_WEIGHT),
        missing_skill_or_party: ev.group_under / i64::from(POST_WEIGHT),
        extra_leaders,
    }
}
