//! Command structure (指挥体系): an operation's groups and the people in them.

use bastion_core::duty::{GroupKind, GroupRole};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::{unique, Store, StoreError, StoreResult, Tx};
use crate::org::PersonId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct GroupId(pub i64);

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Group {
    pub id: GroupId,
    pub operation_id: i64,
    pub kind: GroupKind,
    pub name: String,
    pub remit: String,
    pub sort_order: i64,
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub operation_id: i64,
    pub kind: GroupKind,
    pub name: String,
    pub remit: String,
    pub sort_order: i64,
}

/// A person in a group, as the chart and the contact sheet show them.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Member {
    pub group_id: GroupId,
    pub person_id: PersonId,
    pub name: String,
    pub police_no: String,
    pub unit_name: String,
    pub position: Option<String>,
    /// Masked (`138****1234`); the clear number is revealed on the person's page, audited.
    pub mobile_masked: Option<String>,
    pub role: GroupRole,
}

fn group_row(r: &AnyRow) -> StoreResult<Group> {
    Ok(Group {
        id: GroupId(r.try_get("id")?),
        operation_id: r.try_get("operation_id")?,
        kind: GroupKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(GroupKind::Work),
        name: r.try_get("name")?,
        remit: r.try_get("remit")?,
        sort_order: r.try_get("sort_order")?,
    })
}

const GROUP_COLS: &str = "id, operation_id, kind, name, remit, sort_order";

impl Store {
    pub async fn insert_group(&self, tx: &mut Tx, g: &NewGroup) -> StoreResult<GroupId> {
        let r = sqlx::query(
            "INSERT INTO duty_groups (operation_id, kind, name, remit, sort_order, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
        )
        .bind(g.operation_id)
        .bind(g.kind.code())
        .bind(&g.name)
        .bind(&g.remit)
        .bind(g.sort_order)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("组名", &g.name))?;
        Ok(GroupId(r.try_get("id")?))
    }

    /// An operation's groups: the leading group, the HQ team, then the work groups, in order.
    pub async fn groups_of(&self, operation: i64) -> StoreResult<Vec<Group>> {
        let rows = sqlx::query(&format!(
            "SELECT {GROUP_COLS} FROM duty_groups WHERE operation_id = $1 \
             ORDER BY CASE kind WHEN 'leading' THEN 0 WHEN 'hq' THEN 1 ELSE 2 END, sort_order, id"
        ))
        .bind(operation)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(group_row).collect()
    }

    pub async fn group(&self, id: GroupId) -> StoreResult<Group> {
        let r = sqlx::query(&format!("SELECT {GROUP_COLS} FROM duty_groups WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        group_row(&r)
    }

    /// The people of the given groups, leader first, then deputies, then members.
    pub async fn group_members(&self, groups: &[GroupId]) -> StoreResult<Vec<Member>> {
        let mut out = Vec::new();
        for g in groups {
            let rows = sqlx::query(
                "SELECT m.group_id, m.person_id, p.name, p.police_no, u.name AS unit_name, p.position, \
                 p.mobile_masked, m.role FROM duty_group_members m JOIN people p ON p.id = m.person_id \
                 JOIN units u ON u.id = p.unit_id WHERE m.group_id = $1 \
                 ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, p.police_no",
            )
            .bind(g.0)
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                out.push(Member {
                    group_id: GroupId(r.try_get("group_id")?),
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    unit_name: r.try_get("unit_name")?,
                    position: r.try_get("position")?,
                    mobile_masked: r.try_get("mobile_masked")?,
                    role: GroupRole::parse(&r.try_get::<String, _>("role")?).unwrap_or(GroupRole::Member),
                });
            }
        }
        Ok(out)
    }

    /// The group's leader other than `person`, read in the writing transaction.
    pub async fn group_leader(&self, tx: &mut Tx, group: GroupId, person: PersonId) -> StoreResult<Option<String>> {
        let r = sqlx::query(
            "SELECT p.name FROM duty_group_members m JOIN people p ON p.id = m.person_id \
             WHERE m.group_id = $1 AND m.role = 'leader' AND m.person_id <> $2",
        )
        .bind(group.0)
        .bind(person.0)
        .fetch_optional(&mut **tx)
        .await?;
        r.map(|r| Ok(r.try_get("name")?)).transpose()
    }

    /// Put a person in a group with a role (a new role replaces the old one).
    pub async fn set_group_member(
        &self,
        tx: &mut Tx,
        group: GroupId,
        person: PersonId,
        role: GroupRole,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM duty_group_members WHERE group_id = $1 AND person_id = $2")
            .bind(group.0)
            .bind(person.0)
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT INTO duty_group_members (group_id, person_id, role) VALUES ($1,$2,$3)")
            .bind(group.0)
            .bind(person.0)
            .bind(role.code())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Take a person out of a group; false when they were not in it.
    pub async fn remove_group_member(&self, tx: &mut Tx, group: GroupId, person: PersonId) -> StoreResult<bool> {
        let n = sqlx::query("DELETE FROM duty_group_members WHERE group_id = $1 AND person_id = $2")
            .bind(group.0)
            .bind(person.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Every group a person is in, with the role: (group, role).
    pub async fn person_groups(&self, person: PersonId) -> StoreResult<Vec<(Group, GroupRole)>> {
        let rows = sqlx::query(
            "SELECT g.id, g.operation_id, g.kind, g.name, g.remit, g.sort_order, m.role FROM duty_group_members m \
             JOIN duty_groups g ON g.id = m.group_id WHERE m.person_id = $1 ORDER BY g.operation_id DESC, g.id",
        )
        .bind(person.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((group_row(r)?, GroupRole::parse(&r.try_get::<String, _>("role")?).unwrap_or(GroupRole::Member)))
            })
            .collect()
    }
}
