//! The demo bureau's duty: the HQ desk, a post per demo checkpoint, and today's assignments.

use bastion_core::duty::{self, PostKind, ShiftDef};
use bastion_store::duty::{NewAssignment, NewPost, PostId};
use bastion_store::org::{PersonId, UnitId};

use crate::{App, AppError, AppResult};

/// Demo posts (the HQ desk and one per demo checkpoint) and today's assignments, written after the
/// checkpoints are committed. `people` are on-duty people with their units; `officer` (the demo
/// officer's person, when on duty) is put on the shift of their unit's post that is running now.
pub(crate) async fn seed_demo(
    app: &App,
    units: &std::collections::HashMap<&str, UnitId>,
    people: &[(PersonId, UnitId)],
    officer: Option<(PersonId, UnitId)>,
) -> AppResult<()> {
    let u = |code: &str| units.get(code).copied().unwrap_or(UnitId(1));
    let pattern =
        |raw: &str| duty::parse_shifts("班次", raw).map_err(|e| AppError::Internal(anyhow::anyhow!(e.message)));
    let three = pattern("早班 08:00-16:00 2\n中班 16:00-24:00 2\n夜班 00:00-08:00 1")?;
    let two = pattern("白班 08:00-20:00 2\n夜班 20:00-08:00 2")?;
    let mut tx = app.store.begin().await?;
    let desk = NewPost {
        name: "指挥部值班台".into(),
        kind: PostKind::Desk,
        unit_id: u("HQ"),
        checkpoint_id: None,
        shifts: three.clone(),
        min_sworn: 1,
        min_party: 0,
        skill: None,
    };
    let mut posts = vec![(app.store.insert_post(&mut tx, &desk).await?, u("HQ"), three)];
    for c in app.store.checkpoints().await? {
        let post = NewPost {
            name: format!("{}岗", c.name),
            kind: PostKind::Checkpoint,
            unit_id: c.unit_id,
            checkpoint_id: Some(c.id.0),
            shifts: two.clone(),
            min_sworn: 1,
            min_party: 1,
            skill: None,
        };
        posts.push((app.store.insert_post(&mut tx, &post).await?, c.unit_id, two.clone()));
    }
    let today = bastion_core::time::today();
    let yesterday = today.yesterday().unwrap_or(today);
    let now = bastion_core::time::now_ms();
    let mut used = std::collections::HashSet::new();
    let add = |post: PostId, person: PersonId, day: jiff::civil::Date, s: &ShiftDef| {
        let (starts_at, ends_at) = s.span(day);
        NewAssignment {
            post_id: post,
            person_id: person,
            day: day.to_string(),
            shift: s.name.clone(),
            starts_at,
            ends_at,
            override_reason: None,
            created_by: "demo".into(),
        }
    };
    let mut rows = Vec::new();
    // The demo officer: the shift of their unit's post running now (last night's or today's).
    if let Some((person, unit)) = officer.filter(|o| people.contains(o)) {
        if let Some((post, _, shifts)) = posts.iter().find(|(_, pu, _)| *pu == unit) {
            let running =
                [yesterday, today].into_iter().flat_map(|d| shifts.iter().map(move |s| (d, s))).find(|(d, s)| {
                    let (a, b) = s.span(*d);
                    a <= now && now < b
                });
            if let Some((d, s)) = running {
                used.insert(person);
                rows.push(add(*post, person, d, s));
            }
        }
    }
    // Everyone else: today's shifts, people of the post's unit, one shift each.
    for (post, unit, shifts) in &posts {
        let mut pool = people
            .iter()
            .filter(|(p, pu)| pu == unit && !used.contains(p))
            .map(|(p, _)| *p)
            .collect::<Vec<_>>()
            .into_iter();
        for s in shifts {
            for _ in 0..s.required {
                let Some(person) = pool.next() else { break };
                used.insert(person);
                rows.push(add(*post, person, today, s));
            }
        }
    }
    for r in &rows {
        app.store.insert_assignment(&mut tx, r).await?;
    }
    bastion_store::commit(tx).await?;
    Ok(())
}
