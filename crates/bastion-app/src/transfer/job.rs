//! Imports run in the background: the page starts one and polls its progress, kept in the
//! database so any node can answer.

use bastion_core::permission::perm;

use super::{ImportOptions, ImportReport};
use crate::{App, AppError, AppResult, Ctx};

/// What a page shows of an import running in the background.
#[derive(Debug, Clone)]
pub enum ImportJob {
    Running { done: i64, total: i64 },
    Done(ImportReport),
    Failed(String),
}

impl App {
    /// Start an import in the background (the page polls [`App::import_job`]); returns the job's id.
    /// `kind` is "units" or "people". The caller's permission is checked now and again by the import.
    pub async fn start_import(
        &self,
        ctx: &Ctx,
        kind: &str,
        file_name: String,
        bytes: Vec<u8>,
        opts: ImportOptions,
    ) -> AppResult<String> {
        ctx.scope(perm::PERSON_IMPORT)?;
        let units = kind == "units";
        let id = uuid::Uuid::now_v7().to_string();
        self.store.create_job(&id, if units { "import:units" } else { "import:people" }, ctx.account_id.0, 0).await?;
        let (app, ctx, job_id) = (self.clone(), ctx.clone(), id.clone());
        tokio::spawn(async move {
            let progress_store = app.store.clone();
            let pid = job_id.clone();
            let handle = tokio::runtime::Handle::current();
            let progress = move |done: usize, total: usize| {
                let (s, pid) = (progress_store.clone(), pid.clone());
                handle.spawn(async move {
                    if let Err(e) = s.job_progress(&pid, done as i64, total as i64).await {
                        tracing::warn!("import job {pid}: recording progress: {e}");
                    }
                });
            };
            let result = if units {
                app.import_units(&ctx, &file_name, &bytes, opts).await
            } else {
                app.import_people(&ctx, &file_name, &bytes, opts, &progress).await
            };
            let (status, msg) = match &result {
                Ok(r) => ("done", serde_json::to_string(r).unwrap_or_default()),
                Err(AppError::Invalid(v)) => {
                    ("failed", v.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("；"))
                }
                Err(AppError::Internal(e)) => {
                    tracing::error!(job = %job_id, error = ?e, "import failed");
                    ("failed", format!("导入失败（服务器内部错误），未写入任何数据；任务号 {job_id}"))
                }
                Err(e) => ("failed", e.to_string()),
            };
            let done = result.as_ref().map(|r| r.total as i64).unwrap_or(0);
            if let Err(e) = app.store.update_job(&job_id, status, done, &msg, None).await {
                tracing::error!("import job {job_id}: {e}");
            }
        });
        Ok(id)
    }

    /// The state of one of the caller's own imports; another account's job does not exist for them.
    pub async fn import_job(&self, ctx: &Ctx, id: &str) -> AppResult<ImportJob> {
        let not_found = || AppError::NotFound("导入任务不存在".into());
        let job = match self.store.job(id).await {
            Ok(j) if j.account_id == ctx.account_id.0 => j,
            Ok(_) | Err(bastion_store::StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        Ok(match job.status.as_str() {
            "running" => ImportJob::Running { done: job.done, total: job.message.parse().unwrap_or(0) },
            "done" => ImportJob::Done(
                serde_json::from_str(&job.message)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("import job {id}: unreadable report: {e}")))?,
            ),
            _ => ImportJob::Failed(job.message),
        })
    }
}
