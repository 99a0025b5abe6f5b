//! Petitions (请战书), assault teams (突击队) and their mission results.

use super::*;

impl Store {
    // ------------------------------------------------------------ petitions

    pub async fn insert_petition(&self, tx: &mut Tx, p: &NewPetition) -> StoreResult<PetitionId> {
        let row = sqlx::query(
            "INSERT INTO party_petitions (person_id, account, body, missions, signature, created_at, publish_consent_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(p.person_id.0)
        .bind(&p.account)
        .bind(&p.body)
        .bind(bastion_core::party::format_missions(&p.missions))
        .bind(p.signature.clone())
        .bind(bastion_core::time::now_ms())
        .bind(p.publish_consent.then(bastion_core::time::now_ms))
        .fetch_one(&mut **tx)
        .await?;
        Ok(PetitionId(row.try_get("id")?))
    }

    /// Every petition, newest first.
    pub async fn petitions(&self) -> StoreResult<Vec<Petition>> {
        let rows = sqlx::query(&format!("{PETITION_SELECT} ORDER BY x.created_at DESC, x.id DESC"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(petition_row).collect()
    }

    pub async fn petition(&self, id: PetitionId) -> StoreResult<Petition> {
        let row = sqlx::query(&format!("{PETITION_SELECT} WHERE x.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        petition_row(&row)
    }

    pub async fn petition_signature(&self, id: PetitionId) -> StoreResult<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT signature FROM party_petitions WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("signature")?)
    }

    // ------------------------------------------------------------ teams

    /// A team, its leader and members; each petition named is marked as placed in the team,
    /// only if it was not placed yet (false: a petition was already placed, nothing written).
    pub async fn insert_team(&self, tx: &mut Tx, t: &NewTeam) -> StoreResult<Option<TeamId>> {
        let now = bastion_core::time::now_ms();
        let row = sqlx::query(
            "INSERT INTO party_teams (name, leader_id, missions, flag_date, operation_id, created_by, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        )
        .bind(&t.name)
        .bind(t.leader_id.0)
        .bind(bastion_core::party::format_missions(&t.missions))
        .bind(&t.flag_date)
        .bind(t.operation_id)
        .bind(&t.created_by)
        .bind(now)
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("队名", &t.name))?;
        let id = TeamId(row.try_get("id")?);
        for (person, petition) in &t.members {
            let role = if *person == t.leader_id { "队长" } else { "队员" };
            sqlx::query(
                "INSERT INTO party_team_members (team_id, person_id, role, petition_id, joined_at) VALUES ($1,$2,$3,$4,$5)",
            )
            .bind(id.0)
            .bind(person.0)
            .bind(role)
            .bind(petition.map(|p| p.0))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(unique("队员", "同一人重复编入"))?;
            if let Some(p) = petition {
                let n = sqlx::query("UPDATE party_petitions SET team_id = $1 WHERE id = $2 AND team_id IS NULL")
                    .bind(id.0)
                    .bind(p.0)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Ok(None);
                }
            }
        }
        Ok(Some(id))
    }

    pub async fn teams(&self) -> StoreResult<Vec<Team>> {
        let rows = sqlx::query(&format!(
            "SELECT t.id, t.name, t.leader_id, p.name AS leader_name, t.missions, t.flag_date, t.operation_id, \
             (SELECT COUNT(*) FROM party_team_members m WHERE m.team_id = t.id) AS members, {TOTALS} \
             FROM party_teams t JOIN people p ON p.id = t.leader_id LEFT JOIN party_mission_results r ON r.team_id = t.id \
             GROUP BY t.id, t.name, t.leader_id, p.name, t.missions, t.flag_date, t.operation_id ORDER BY t.id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Team {
                    id: TeamId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    leader_id: PersonId(r.try_get("leader_id")?),
                    leader_name: r.try_get("leader_name")?,
                    missions: bastion_core::party::missions_from_codes(&r.try_get::<String, _>("missions")?),
                    flag_date: r.try_get("flag_date")?,
                    operation_id: r.try_get("operation_id")?,
                    members: r.try_get("members")?,
                    totals: totals_row(r)?,
                })
            })
            .collect()
    }

    pub async fn team_members(&self, team: TeamId) -> StoreResult<Vec<TeamMember>> {
        let rows = sqlx::query(
            "SELECT m.person_id, p.name, p.police_no, m.role, p.political_status FROM party_team_members m \
             JOIN people p ON p.id = m.person_id WHERE m.team_id = $1 \
             ORDER BY CASE m.role WHEN '队长' THEN 0 ELSE 1 END, p.police_no",
        )
        .bind(team.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TeamMember {
                    person_id: PersonId(r.try_get("person_id")?),
                    name: r.try_get("name")?,
                    police_no: r.try_get("police_no")?,
                    role: r.try_get("role")?,
                    political_status: PoliticalStatus::parse(&r.try_get::<String, _>("political_status")?)
                        .unwrap_or(PoliticalStatus::Masses),
                })
            })
            .collect()
    }

    /// The teams a person belongs to.
    pub async fn teams_of(&self, person: PersonId) -> StoreResult<Vec<TeamId>> {
        let rows = sqlx::query("SELECT team_id FROM party_team_members WHERE person_id = $1")
            .bind(person.0)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(TeamId(r.try_get("team_id")?))).collect()
    }

    pub async fn insert_result(&self, tx: &mut Tx, r: &NewResult) -> StoreResult<i64> {
        let row = sqlx::query(
            "INSERT INTO party_mission_results (team_id, day, households, patrols, traffic_stops, cases, persuaded, note, \
             recorded_by, recorded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
        )
        .bind(r.team_id.0)
        .bind(&r.day)
        .bind(r.totals.households)
        .bind(r.totals.patrols)
        .bind(r.totals.traffic_stops)
        .bind(r.totals.cases)
        .bind(r.totals.persuaded)
        .bind(r.note.as_deref())
        .bind(&r.recorded_by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Results summed per team and day, newest day first (of one team when given).
    pub async fn results_by_day(&self, team: Option<TeamId>) -> StoreResult<Vec<DayTotals>> {
        let rows = sqlx::query(&format!(
            "SELECT r.team_id, t.name AS team_name, r.day, {TOTALS} FROM party_mission_results r \
             JOIN party_teams t ON t.id = r.team_id WHERE ($1 = 0 OR r.team_id = $1) \
             GROUP BY r.team_id, t.name, r.day ORDER BY r.day DESC, r.team_id"
        ))
        .bind(team.map(|t| t.0).unwrap_or(0))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DayTotals {
                    team_id: TeamId(r.try_get("team_id")?),
                    team_name: r.try_get("team_name")?,
                    day: r.try_get("day")?,
                    totals: totals_row(r)?,
                })
            })
            .collect()
    }

    /// Results summed over every team of an operation.
    pub async fn results_of_operation(&self, operation: i64) -> StoreResult<Totals> {
        let row = sqlx::query(&format!(
            "SELECT {TOTALS} FROM party_mission_results r JOIN party_teams t ON t.id = r.team_id WHERE t.operation_id = $1"
        ))
        .bind(operation)
        .fetch_one(&self.read)
        .await?;
        totals_row(&row)
    }

    /// Results summed over every team for one day (`YYYY-MM-DD`).
    pub async fn results_of_day(&self, day: &str) -> StoreResult<Totals> {
        let row = sqlx::query(&format!("SELECT {TOTALS} FROM party_mission_results r WHERE r.day = $1"))
            .bind(day)
            .fetch_one(&self.read)
            .await?;
        totals_row(&row)
    }
}
