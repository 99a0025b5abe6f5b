//! A meeting's photos and its signed attendance sheet (签到表): pictures checked by their content,
//! decoded under limits that refuse decompression bombs and re-encoded as JPEG, kept with the
//! meeting's archive (never deleted), each picture once per meeting.

use bastion_core::party::{MeetingFileKind, MAX_MEETING_FILES};
use bastion_core::FieldError;
use bastion_store::party::NewMeetingFile;

use super::*;
use crate::{App, AppError, AppResult, Ctx};

impl App {
    /// Attach a photo of a meeting held (today or before) or its signed attendance sheet; the
    /// picture's hash goes into the audit chain. The same picture sent again is the one attached.
    pub async fn add_meeting_file(&self, ctx: &Ctx, meeting: i64, kind: &str, bytes: Vec<u8>) -> AppResult<i64> {
        let kind = match non_empty(kind) {
            None => MeetingFileKind::Photo,
            Some(k) => MeetingFileKind::parse(k).map_err(AppError::invalid)?,
        };
        let (m, org) = self.meeting_to_write(ctx, meeting).await?;
        if m.on_date > bastion_core::time::today().to_string() {
            return Err(AppError::Conflict(format!("会议定于 {} 召开，尚未召开，不能上传{}", m.on_date, kind.zh())));
        }
        if self.store.meeting_files(meeting).await?.len() >= MAX_MEETING_FILES {
            return Err(AppError::Conflict(format!("每次会议最多保存 {MAX_MEETING_FILES} 张照片和签到表")));
        }
        let field = kind.zh();
        let sha = {
            use sha2::{Digest, Sha256};
            hex::encode(Sha256::digest(&bytes))
        };
        let img = tokio::task::spawn_blocking(move || crate::publicity::media::process(&bytes, "meeting"))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("image task: {e}")))?
            .map_err(|e| AppError::invalid(FieldError::new(field, e.message.replace("图片", field))))?;
        let new = NewMeetingFile {
            meeting,
            kind,
            sha256: &sha,
            width: img.width,
            height: img.height,
            data: &img.data,
            by: &ctx.username,
        };
        let mut tx = self.store.begin().await?;
        let (id, added) = self.store.insert_meeting_file(&mut tx, &new).await?;
        if !added {
            return Ok(id);
        }
        self.audit(
            &mut tx,
            ctx,
            "party",
            "上传会议附件",
            &format!("party_meeting:{meeting} file:{id} {}", org.name),
            &format!("{}；SHA-256 {sha}", kind.zh()),
        )
        .await?;
        bastion_store::commit(tx).await?;
        Ok(id)
    }

    /// A meeting picture's JPEG bytes, for those who may see the meeting.
    pub async fn meeting_file(&self, ctx: &Ctx, id: i64) -> AppResult<Vec<u8>> {
        let missing = || AppError::NotFound("会议附件不存在".into());
        let (bytes, meeting) = self.store.meeting_file(id).await.map_err(|_| missing())?;
        self.party_meeting(ctx, meeting).await.map_err(|e| match e {
            AppError::Forbidden(_) => missing(),
            other => other,
        })?;
        Ok(bytes)
    }

    /// The pictures of a meeting the caller may see.
    pub async fn meeting_files(&self, ctx: &Ctx, meeting: i64) -> AppResult<Vec<MeetingFile>> {
        self.party_meeting(ctx, meeting).await?;
        Ok(self.store.meeting_files(meeting).await?)
    }
}
