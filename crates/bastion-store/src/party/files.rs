//! A meeting's photos and signed attendance sheet, and a petition published as a story: its
//! author's consent and the article written from it.

use bastion_core::party::MeetingFileKind;

use super::*;

/// A picture attached to a meeting (its bytes are read one at a time).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MeetingFile {
    pub id: i64,
    pub meeting_id: i64,
    pub kind: MeetingFileKind,
    pub width: i64,
    pub height: i64,
    pub uploaded_by: String,
    /// UTC epoch ms
    pub uploaded_at: i64,
}

/// A checked, re-encoded picture to attach.
pub struct NewMeetingFile<'a> {
    pub meeting: i64,
    pub kind: MeetingFileKind,
    pub sha256: &'a str,
    pub width: u32,
    pub height: u32,
    pub data: &'a [u8],
    pub by: &'a str,
}

impl Store {
    /// Attach a picture to a meeting; the one already attached when the same picture was sent
    /// before (false).
    pub async fn insert_meeting_file(&self, tx: &mut Tx, f: &NewMeetingFile<'_>) -> StoreResult<(i64, bool)> {
        let existing = sqlx::query("SELECT id FROM party_meeting_files WHERE meeting_id = $1 AND sha256 = $2")
            .bind(f.meeting)
            .bind(f.sha256)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some(r) = existing {
            return Ok((r.try_get("id")?, false));
        }
        let row = sqlx::query(
            "INSERT INTO party_meeting_files (meeting_id, kind, sha256, width, height, data, uploaded_by, uploaded_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        )
        .bind(f.meeting)
        .bind(f.kind.code())
        .bind(f.sha256)
        .bind(i64::from(f.width))
        .bind(i64::from(f.height))
        .bind(f.data)
        .bind(f.by)
        .bind(bastion_core::time::now_ms())
        .fetch_one(&mut **tx)
        .await
        .map_err(unique("会议附件", f.sha256))?;
        Ok((row.try_get("id")?, true))
    }

    /// The pictures of every meeting of an organisation, oldest first.
    pub async fn meeting_files_of_org(&self, org: OrgId) -> StoreResult<Vec<MeetingFile>> {
        self.meeting_files_where("g.org_id = $1", org.0).await
    }

    /// The pictures of one meeting, oldest first.
    pub async fn meeting_files(&self, meeting: i64) -> StoreResult<Vec<MeetingFile>> {
        self.meeting_files_where("f.meeting_id = $1", meeting).await
    }

    async fn meeting_files_where(&self, filter: &str, value: i64) -> StoreResult<Vec<MeetingFile>> {
        let rows = sqlx::query(&format!(
            "SELECT f.id, f.meeting_id, f.kind, f.width, f.height, f.uploaded_by, f.uploaded_at \
             FROM party_meeting_files f JOIN party_meetings g ON g.id = f.meeting_id WHERE {filter} ORDER BY f.id"
        ))
        .bind(value)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MeetingFile {
                    id: r.try_get("id")?,
                    meeting_id: r.try_get("meeting_id")?,
                    kind: MeetingFileKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(MeetingFileKind::Photo),
                    width: r.try_get("width")?,
                    height: r.try_get("height")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                })
            })
            .collect()
    }

    /// A picture's JPEG bytes and the meeting it belongs to.
    pub async fn meeting_file(&self, id: i64) -> StoreResult<(Vec<u8>, i64)> {
        let r = sqlx::query("SELECT data, meeting_id FROM party_meeting_files WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok((r.try_get("data")?, r.try_get("meeting_id")?))
    }

    // ------------------------------------------------------------ petitions as stories

    /// Record or withdraw the author's consent to publish a petition as a story.
    pub async fn set_petition_consent(&self, tx: &mut Tx, id: PetitionId, consent: bool) -> StoreResult<()> {
        let n = sqlx::query("UPDATE party_petitions SET publish_consent_at = $1 WHERE id = $2")
            .bind(consent.then(bastion_core::time::now_ms))
            .bind(id.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        found(n)
    }

    /// Link the article written from a petition; false when one was linked already (nothing written).
    pub async fn link_petition_article(&self, tx: &mut Tx, id: PetitionId, article: i64) -> StoreResult<bool> {
        let n = sqlx::query(
            "UPDATE party_petitions SET article_id = $1 WHERE id = $2 AND article_id IS NULL \
             AND publish_consent_at IS NOT NULL",
        )
        .bind(article)
        .bind(id.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        Ok(n == 1)
    }
}
