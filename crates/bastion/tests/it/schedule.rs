//! Background work: a job that runs once per period across the cluster runs on exactly one of
//! two nodes sharing the database, however often both try within the period, and again once in
//! the next period; a job that runs on every node runs each time it is asked.

use std::time::Duration;

use bastion_app::schedule::{JobDef, JOBS};
use bastion_testkit::{both_backends, eventually, spawn_app, Backend};

const PROBE: JobDef = JobDef {
    name: "two_node_probe",
    interval: Duration::from_secs(3600),
    once_per_cluster: true,
    run: |_| Box::pin(async { Ok(()) }),
};

async fn a_cluster_job_runs_once_per_period_across_two_nodes(backend: Backend) {
    let t = spawn_app(backend, true).await;
    let other = t.spawn_node().await;
    // Both nodes try twenty times each, at once.
    let tries = (0..20).map(|i| {
        let app = if i % 2 == 0 { t.app.clone() } else { other.app.clone() };
        tokio::spawn(async move { app.run_job(&PROBE, if i % 2 == 0 { "node-a" } else { "node-b" }).await })
    });
    for h in tries.collect::<Vec<_>>() {
        h.await.unwrap();
    }
    assert_eq!(t.app.scheduled_runs(PROBE.name).await.unwrap(), 1, "one run in the period, on one node");
    // The next period (the due time moved into the past, as an hour later): once more, on one node.
    sqlx::query("UPDATE schedule SET next_due_at = 0 WHERE name = $1")
        .bind(PROBE.name)
        .execute(t.app.store.reader())
        .await
        .unwrap();
    let (a, b) = tokio::join!(t.app.run_job(&PROBE, "node-a"), other.app.run_job(&PROBE, "node-b"));
    let _ = (a, b);
    assert_eq!(t.app.scheduled_runs(PROBE.name).await.unwrap(), 2, "the next period runs once more");
    // The retention purges are such jobs, and each node's scheduler tried them at start-up.
    for job in JOBS.iter().filter(|j| j.once_per_cluster) {
        eventually(job.name, Duration::from_secs(30), || async {
            (t.app.scheduled_runs(job.name).await.unwrap() >= 1).then_some(())
        })
        .await;
        assert_eq!(t.app.scheduled_runs(job.name).await.unwrap(), 1, "{} ran once for both nodes", job.name);
    }
    // A job of every node is not claimed: it leaves no schedule row at all.
    let every_node = JOBS.iter().find(|j| !j.once_per_cluster).unwrap();
    t.app.run_job(every_node, "node-a").await;
    assert_eq!(t.app.scheduled_runs(every_node.name).await.unwrap(), 0);
}

both_backends!(a_cluster_job_runs_once_per_period_across_two_nodes);
