//! Background work, started in one place: every periodic job of a node is named here with its
//! interval. Each run is timed and counted on `/metrics` (`bastion_job_*`, labelled by job);
//! a failed run is logged with its error and marks the job as failing until a run succeeds.
//! Jobs marked `once_per_cluster` run once per period across every node of one database (a
//! claim on the job's `schedule` row); the others run on every node.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bastion_core::time::now_ms;

use crate::{App, AppResult, Ctx};

type JobFuture<'a> = Pin<Box<dyn Future<Output = AppResult<()>> + Send + 'a>>;

/// One periodic job.
pub struct JobDef {
    pub name: &'static str,
    pub interval: Duration,
    /// Run once per period across the cluster rather than on every node.
    pub once_per_cluster: bool,
    pub run: for<'a> fn(&'a App) -> JobFuture<'a>,
}

/// Every periodic job of a node.
pub const JOBS: &[JobDef] = &[
    JobDef {
        name: "policy_refresh",
        interval: Duration::from_secs(10),
        once_per_cluster: false,
        run: |app| Box::pin(app.refresh_policy()),
    },
    JobDef {
        name: "audit_retention",
        interval: Duration::from_secs(3600),
        once_per_cluster: true,
        run: |app| Box::pin(app.purge_audit_job()),
    },
    JobDef {
        name: "audit_checkpoint_log",
        interval: Duration::from_secs(3600),
        once_per_cluster: true,
        run: |app| Box::pin(app.log_audit_checkpoint()),
    },
    JobDef {
        name: "screening_retention",
        interval: Duration::from_secs(3600),
        once_per_cluster: true,
        run: |app| Box::pin(app.purge_screenings_job()),
    },
    JobDef {
        name: "sqlite_optimize",
        interval: Duration::from_secs(3600),
        once_per_cluster: false,
        run: |app| Box::pin(async move { Ok(app.store.optimize().await?) }),
    },
    JobDef {
        name: "sqlite_wal_checkpoint",
        interval: Duration::from_secs(1),
        once_per_cluster: false,
        run: |app| Box::pin(async move { Ok(app.store.checkpoint_wal().await?) }),
    },
    JobDef {
        name: "replica_check",
        interval: Duration::from_secs(1),
        once_per_cluster: false,
        run: |app| Box::pin(app.replica_check()),
    },
    JobDef {
        name: "publicity_view_flush",
        interval: Duration::from_secs(1),
        once_per_cluster: false,
        run: |app| Box::pin(app.publicity_tick()),
    },
    JobDef {
        name: "notify_delivery",
        interval: Duration::from_millis(500),
        once_per_cluster: false,
        run: |app| Box::pin(async move { app.send_due(now_ms()).await.map(|_| ()) }),
    },
    JobDef {
        name: "inspection_deadlines",
        interval: Duration::from_secs(60),
        once_per_cluster: true,
        run: |app| Box::pin(app.inspection_clock_job()),
    },
    JobDef {
        name: "duty_late_sign_in",
        interval: Duration::from_secs(60),
        once_per_cluster: true,
        run: |app| Box::pin(app.duty_late_clock_job()),
    },
    JobDef {
        name: "supply_alerts",
        interval: Duration::from_secs(60),
        once_per_cluster: true,
        run: |app| Box::pin(app.supply_alerts_job()),
    },
    JobDef {
        name: "duty_task_deadlines",
        interval: Duration::from_secs(60),
        once_per_cluster: true,
        run: |app| Box::pin(app.duty_task_clock_job()),
    },
    JobDef {
        name: "daily_report",
        interval: Duration::from_secs(60),
        once_per_cluster: true,
        run: |app| Box::pin(app.report_clock()),
    },
    JobDef {
        name: "recall_escalation",
        interval: Duration::from_secs(5),
        once_per_cluster: false,
        run: |app| Box::pin(app.recall_tick(now_ms())),
    },
];

/// The running background work of a node; [`Jobs::stop`] ends it.
pub struct Jobs {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    listener: tokio::task::JoinHandle<()>,
    stop: tokio::sync::watch::Sender<bool>,
    app: App,
}

impl App {
    /// Start every periodic job and the long-running listeners (recall's cross-node board feed).
    pub fn start_jobs(&self) -> Jobs {
        let node = uuid::Uuid::now_v7().to_string();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let tasks: Vec<_> = JOBS
            .iter()
            .map(|job| {
                let (app, node, mut stopped) = (self.clone(), node.clone(), stopped.clone());
                metrics::gauge!("bastion_job_interval_seconds", "job" => job.name).set(job.interval.as_secs_f64());
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(job.interval);
                    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        // A run, once started, goes to its end: stopping happens between runs.
                        tokio::select! {
                            _ = tick.tick() => app.run_job(job, &node).await,
                            _ = stopped.changed() => break,
                        }
                    }
                })
            })
            .collect();
        Jobs { tasks, listener: self.start_recall_listener(), stop, app: self.clone() }
    }

    /// One run of `job` if it is this node's to run; records the outcome on `/metrics`.
    pub async fn run_job(&self, job: &JobDef, node: &str) {
        if job.once_per_cluster {
            let interval_ms = i64::try_from(job.interval.as_millis()).unwrap_or(i64::MAX);
            match self.store.claim_scheduled_run(job.name, node, now_ms(), interval_ms).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    Self::job_failed(job.name, &e.to_string());
                    return;
                }
            }
        }
        let started = std::time::Instant::now();
        let result = (job.run)(self).await;
        metrics::histogram!("bastion_job_duration_seconds", "job" => job.name).record(started.elapsed().as_secs_f64());
        metrics::gauge!("bastion_job_last_run_timestamp_seconds", "job" => job.name).set(now_ms() as f64 / 1000.0);
        match result {
            Ok(()) => {
                metrics::counter!("bastion_job_runs_total", "job" => job.name, "outcome" => "ok").increment(1);
                metrics::gauge!("bastion_job_failing", "job" => job.name).set(0.0);
            }
            Err(e) => Self::job_failed(job.name, &e.to_string()),
        }
    }

    fn job_failed(name: &'static str, error: &str) {
        tracing::warn!(job = name, "background job failed: {error}");
        metrics::counter!("bastion_job_runs_total", "job" => name, "outcome" => "error").increment(1);
        metrics::gauge!("bastion_job_failing", "job" => name).set(1.0);
        metrics::gauge!("bastion_job_last_error_timestamp_seconds", "job" => name).set(now_ms() as f64 / 1000.0);
    }

    /// Audit records past their retention period (at least 180 days).
    async fn purge_audit_job(&self) -> AppResult<()> {
        let ctx = Ctx::system(crate::org::UnitId(0));
        let n = self.purge_expired_audit(&ctx, now_ms()).await?;
        if n > 0 {
            tracing::info!(records = n, "purged audit records past retention");
        }
        Ok(())
    }

    /// Screening data past its retention period (PIPL: kept no longer than needed).
    async fn purge_screenings_job(&self) -> AppResult<()> {
        let ctx = Ctx::system(crate::org::UnitId(0));
        let r = self.purge_expired_screenings(&ctx, now_ms()).await?;
        if r.screenings + r.fever_cases + r.passes > 0 {
            tracing::info!(
                screenings = r.screenings,
                fever_cases = r.fever_cases,
                passes = r.passes,
                "purged screening data past retention"
            );
        }
        Ok(())
    }

    /// How many times `name` has run across the cluster (jobs that run once per cluster only).
    pub async fn scheduled_runs(&self, name: &str) -> AppResult<i64> {
        Ok(self.store.scheduled_runs(name).await?)
    }
}

impl Jobs {
    /// Stop every job between runs (a run under way may take up to 5 s to finish; then it is
    /// cut), end the listeners, then flush this node's buffered view counts one last time.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let listener = self.listener;
        listener.abort();
        let _ = listener.await;
        let mut periodic = self.tasks;
        let all = futures_util::future::join_all(periodic.iter_mut());
        if tokio::time::timeout(Duration::from_secs(5), all).await.is_err() {
            tracing::warn!("background jobs still running 5 s after the stop signal; cutting them");
            periodic.iter().for_each(|t| t.abort());
        }
        if let Err(e) = self.app.flush_views().await {
            tracing::error!("publicity: final flush of view counts failed: {e}");
        }
    }
}
