//! SQLite group commit: writers queued behind one share its commit, each in a savepoint, and
//! each learns its own outcome only once the shared commit is durable.
use std::sync::Arc;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};

use crate::common::{Backend, TestDatabase};

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// How many rows writer `n` left in each table.
async fn rows_of(reader: &DatabaseConnection, n: i64) -> (i64, i64) {
    (
        count(reader, &format!("SELECT COUNT(*) FROM probe WHERE n = {n}")).await,
        count(
            reader,
            &format!("SELECT COUNT(*) FROM probe_log WHERE n = {n}"),
        )
        .await,
    )
}

/// A SQLite file (WAL, as the server has it) with the tables the writers below fill.
async fn probe_database() -> (TestDatabase, Arc<DatabaseConnection>) {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let db = Database::connect(database.url.clone()).await.unwrap();
    for sql in [
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE probe (n INTEGER PRIMARY KEY)",
        "CREATE TABLE probe_log (n INTEGER NOT NULL)",
    ] {
        db.execute_unprepared(sql).await.unwrap();
    }
    (database, Arc::new(db))
}

/// One writer: inserts `n`; every seventh then fails (a duplicate key) after having written.
async fn write(db: &DatabaseConnection, n: i64) -> Result<(), DbErr> {
    let txn = app::domain::write_transaction::begin_write(db).await?;
    txn.execute_unprepared(&format!("INSERT INTO probe (n) VALUES ({n})"))
        .await?;
    txn.execute_unprepared(&format!("INSERT INTO probe_log (n) VALUES ({n})"))
        .await?;
    if n % 7 == 3 {
        txn.execute_unprepared(&format!("INSERT INTO probe (n) VALUES ({n})"))
            .await?;
    }
    txn.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queued_writers_share_commits_and_keep_their_own_outcomes() {
    let (database, db) = probe_database().await;
    // Another process's view: a connection of its own, outside the writers' pool.
    let reader = Database::connect(database.url.clone()).await.unwrap();
    let before = app::domain::write_transaction::sqlite_commit_counts(&db).unwrap();

    let writers: Vec<_> = (0..120)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move { (n, write(&db, n).await) })
        })
        .collect();
    let mut succeeded = 0;
    for writer in writers {
        let (n, outcome) = writer.await.unwrap();
        let (seen, logged) = rows_of(&reader, n).await;
        if n % 7 == 3 {
            assert!(outcome.is_err(), "writer {n} should have failed");
            assert_eq!((seen, logged), (0, 0), "a failed writer's work is undone");
        } else {
            outcome.unwrap_or_else(|e| panic!("writer {n} failed: {e}"));
            // Told "committed" only once it is: another connection sees it.
            assert_eq!((seen, logged), (1, 1), "writer {n}'s rows");
            succeeded += 1;
        }
    }
    assert_eq!(
        count(&reader, "SELECT COUNT(*) FROM probe").await,
        succeeded
    );

    let after = app::domain::write_transaction::sqlite_commit_counts(&db).unwrap();
    let groups = after.0 - before.0;
    let writes = after.1 - before.1;
    assert_eq!(writes, succeeded as u64, "every success was committed once");
    assert!(
        groups < writes,
        "{writes} writers queued together should share commits, took {groups}"
    );
    database.drop_it().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_writer_dropped_midway_leaves_the_others_whole() {
    let (database, db) = probe_database().await;
    // The first holds the turn while the others queue behind it and join its group.
    let first = app::domain::write_transaction::begin_write(&db)
        .await
        .unwrap();
    first
        .execute_unprepared("INSERT INTO probe (n) VALUES (1000)")
        .await
        .unwrap();
    let queued: Vec<_> = (0..20)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let txn = app::domain::write_transaction::begin_write(&db).await?;
                txn.execute_unprepared(&format!("INSERT INTO probe (n) VALUES ({n})"))
                    .await?;
                if n == 5 {
                    // Cancelled after writing (a client went away): never committed.
                    drop(txn);
                    return Ok::<bool, DbErr>(false);
                }
                txn.commit().await.map(|()| true)
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.unwrap();
    for (n, writer) in queued.into_iter().enumerate() {
        let committed = writer.await.unwrap().unwrap();
        assert_eq!(committed, n != 5);
    }
    let reader = Database::connect(database.url.clone()).await.unwrap();
    assert_eq!(count(&reader, "SELECT COUNT(*) FROM probe").await, 20);
    assert_eq!(
        count(&reader, "SELECT COUNT(*) FROM probe WHERE n = 5").await,
        0
    );
    database.drop_it().await;
}

/// Requests dropped at any point (clients hanging up) never cost another writer its work,
/// never leave half of a writer's work behind, and never leave the queue stuck.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_cancelled_anywhere_leave_every_other_write_whole() {
    let (database, db) = probe_database().await;
    let writers: Vec<_> = (0..300i64)
        .map(|n| {
            let db = db.clone();
            let task = tokio::spawn(async move { write(&db, n * 7 + 1).await });
            (n * 7 + 1, task)
        })
        .collect();
    // Every third is cancelled a little later, at whatever point it has reached.
    for (i, (_, task)) in writers.iter().enumerate() {
        if i % 3 == 0 {
            tokio::time::sleep(std::time::Duration::from_micros(150)).await;
            task.abort();
        }
    }
    let reader = Database::connect(database.url.clone()).await.unwrap();
    let mut committed = 0;
    for (n, task) in writers {
        // Its outcome first: a writer still queued when its rows were read would be missed.
        let outcome = task.await;
        let (seen, logged) = rows_of(&reader, n).await;
        assert_eq!(seen, logged, "writer {n}'s work is whole or absent");
        match outcome {
            Ok(outcome) => {
                outcome.unwrap_or_else(|e| panic!("writer {n} failed: {e}"));
                assert_eq!(seen, 1, "writer {n} was told committed");
                committed += 1;
            }
            Err(cancelled) => assert!(cancelled.is_cancelled()),
        }
    }
    assert!(committed >= 200, "{committed} writers committed");
    // The queue still works.
    write(&db, 100_000).await.unwrap();
    assert_eq!(
        count(&reader, "SELECT COUNT(*) FROM probe WHERE n = 100000").await,
        1
    );
    database.drop_it().await;
}
