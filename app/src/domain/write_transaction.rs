//! Transactions that read and then write. On SQLite a plain (deferred) BEGIN that reads first
//! fails with BUSY_SNAPSHOT, unretried, when another connection commits in between; BEGIN
//! IMMEDIATE takes the write lock up front and waits its turn instead. PostgreSQL ignores it.
//!
//! SQLite has one writer at a time, and a writer that finds the lock taken sleeps in SQLite's
//! busy handler (1 ms, then longer and longer), so under load some writers lose every race
//! and wait most of a second (docs/performance.md). On SQLite these transactions therefore
//! also queue in this process, first come first served, before asking for the lock.
//!
//! Group commit (SQLite): the writers queued behind one share its `BEGIN IMMEDIATE … COMMIT`,
//! each in its own savepoint, so one durable commit (one fsync) serves them all. The first of a
//! group runs in the group's transaction itself (a failure there rolls back nothing else); a
//! writer that fails inside a savepoint undoes only its own work and ends the group, so the
//! next writer commits what the group holds before starting a new one. Each caller's `commit`
//! returns only once the shared COMMIT is durable, with its outcome.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseConnectionType, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};
use tokio::sync::{watch, Mutex, OwnedMutexGuard};

use crate::domain::account::answer_cache;

/// What a group's COMMIT came to, as its members learn it.
type Outcome = Option<Result<(), String>>;

/// One SQLite file's writer queue and the group its writers share, if one is open.
#[derive(Default)]
struct Writer {
    group: Option<OpenGroup>,
}

struct OpenGroup {
    outer: DatabaseTransaction,
    outcome: watch::Sender<Outcome>,
    /// A member failed: commit what the group holds before anyone else joins.
    closing: bool,
    /// Someone is queued to commit the group if no member does.
    closer_queued: bool,
    /// Transactions it carries that reached their own commit.
    members: u64,
}

/// A queue per SQLite file (tests open many databases in one process; production one).
struct Queue {
    writer: Arc<Mutex<Writer>>,
    /// Tasks waiting for the turn: a writer that finds none commits its group at once.
    waiting: Arc<AtomicUsize>,
    /// Groups committed and the transactions they carried (their ratio is the batching).
    groups_committed: AtomicU64,
    writes_committed: AtomicU64,
}

static QUEUES: LazyLock<std::sync::Mutex<HashMap<PathBuf, Arc<Queue>>>> =
    LazyLock::new(Default::default);

/// SQLite write groups committed to `db`'s file, and the transactions they carried, since
/// this process started (`None` on PostgreSQL).
pub fn sqlite_commit_counts(db: &DatabaseConnection) -> Option<(u64, u64)> {
    queue_of(db).map(|q| {
        (
            q.groups_committed.load(Ordering::Relaxed),
            q.writes_committed.load(Ordering::Relaxed),
        )
    })
}

fn queue_of(db: &DatabaseConnection) -> Option<Arc<Queue>> {
    if !matches!(
        db.inner,
        DatabaseConnectionType::SqlxSqlitePoolConnection(_)
    ) {
        return None;
    }
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut queues = QUEUES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Some(
        queues
            .entry(file)
            .or_insert_with(|| {
                Arc::new(Queue {
                    writer: Arc::new(Mutex::new(Writer::default())),
                    waiting: Arc::new(AtomicUsize::new(0)),
                    groups_committed: AtomicU64::new(0),
                    writes_committed: AtomicU64::new(0),
                })
            })
            .clone(),
    )
}

/// Counts a task as waiting from now until it holds the turn (or gives up).
struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    fn new(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::AcqRel);
        Waiting(counter.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Holding one SQLite file's writer turn.
struct Held {
    guard: OwnedMutexGuard<Writer>,
    queue: Arc<Queue>,
}

impl Held {
    async fn take(queue: Arc<Queue>) -> Held {
        let waiting = Waiting::new(&queue.waiting);
        Held::take_counted(queue, waiting).await
    }

    async fn take_counted(queue: Arc<Queue>, waiting: Waiting) -> Held {
        let guard = queue.writer.clone().lock_owned().await;
        drop(waiting);
        Held { guard, queue }
    }

    fn others_waiting(&self) -> bool {
        self.queue.waiting.load(Ordering::Acquire) > 0
    }

    /// Commits the open group, if any, and tells its members.
    async fn close_group(&mut self) -> Result<(), DbErr> {
        match self.guard.group.take() {
            Some(group) => commit_group(group, &self.queue).await,
            None => Ok(()),
        }
    }

    /// Leaves the open group to a writer queued behind (or to a task queued to commit it).
    fn ensure_closer(&mut self) {
        let Some(group) = self.guard.group.as_mut() else {
            return;
        };
        if group.closer_queued {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        group.closer_queued = true;
        // Counted before it is spawned, so every member after this one leaves the commit to it.
        let waiting = Waiting::new(&self.queue.waiting);
        let queue = self.queue.clone();
        runtime.spawn(async move {
            let mut held = Held::take_counted(queue, waiting).await;
            // Its failure reaches every member through the group's outcome.
            let _ = held.close_group().await;
        });
    }
}

impl Drop for Held {
    /// Whoever lets go of the turn with a group open makes sure someone will commit it; with
    /// none open, every write so far is settled and the answer cache may keep answers again.
    fn drop(&mut self) {
        if self.guard.group.is_some() {
            self.ensure_closer();
        } else {
            answer_cache::sqlite_turn_ended();
        }
    }
}

async fn commit_group(group: OpenGroup, queue: &Queue) -> Result<(), DbErr> {
    let members = group.members;
    let result = group.outer.commit().await;
    if result.is_ok() {
        queue.groups_committed.fetch_add(1, Ordering::Relaxed);
        queue.writes_committed.fetch_add(members, Ordering::Relaxed);
    }
    group.outcome.send_replace(Some(
        result
            .as_ref()
            .map(|_| ())
            .map_err(|failure| failure.to_string()),
    ));
    result
}

async fn begin_group(db: &DatabaseConnection) -> Result<OpenGroup, DbErr> {
    #[allow(clippy::disallowed_methods)]
    let outer = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(OpenGroup {
        outer,
        outcome: watch::channel(None).0,
        closing: false,
        closer_queued: false,
        members: 1,
    })
}

/// This process's turn to write to SQLite (nothing on PostgreSQL) for one autocommit
/// statement; keep it until the statement is done.
pub struct WriteTurn {
    _held: Option<Held>,
}

/// A turn for one autocommit write on a hot path, so it queues with the transactions above
/// instead of racing them. It commits any open group first (its statement runs on another
/// connection, which the group's write lock would block). Never while this task already holds
/// a turn or a write transaction (it would wait forever).
pub async fn turn(db: &DatabaseConnection) -> WriteTurn {
    let Some(queue) = queue_of(db) else {
        return WriteTurn { _held: None };
    };
    let mut held = Held::take(queue).await;
    // A failed group commit is its members' to report; this write goes on regardless.
    let _ = held.close_group().await;
    WriteTurn { _held: Some(held) }
}

/// A write transaction: on SQLite, part of a group (see above); on PostgreSQL, a plain one.
pub struct WriteTransaction {
    kind: Kind,
}

enum Kind {
    Plain(DatabaseTransaction),
    /// First of its group: works in the group's own transaction.
    Leading {
        group: OpenGroup,
        held: Held,
    },
    /// Joined an open group in a savepoint.
    Joined(Member),
}

struct Member {
    savepoint: Option<DatabaseTransaction>,
    outcome: watch::Receiver<Outcome>,
    held: Option<Held>,
    committed: bool,
}

impl Drop for Member {
    /// Dropped without a commit: the group ends, so that its fate does not depend on what a
    /// failed writer left behind; the savepoint rolls back before the turn is let go.
    fn drop(&mut self) {
        if !self.committed {
            self.mark_closing();
        }
        drop(self.savepoint.take());
        drop(self.held.take());
    }
}

impl Member {
    fn mark_closing(&mut self) {
        if let Some(group) = self.held.as_mut().and_then(|h| h.guard.group.as_mut()) {
            group.closing = true;
        }
    }

    async fn commit(mut self) -> Result<(), DbErr> {
        let Some(savepoint) = self.savepoint.take() else {
            return Err(DbErr::Custom("the savepoint was already used".to_owned()));
        };
        savepoint.commit().await?;
        self.committed = true;
        let Some(mut held) = self.held.take() else {
            return Err(DbErr::Custom(
                "the writer turn was already let go".to_owned(),
            ));
        };
        if let Some(group) = held.guard.group.as_mut() {
            group.members += 1;
        }
        if !held.others_waiting() {
            return held.close_group().await;
        }
        drop(held);
        shared_outcome(self.outcome.clone()).await
    }
}

/// The one door of write transactions (clippy's `disallowed-methods` keeps it so).
#[allow(clippy::disallowed_methods)]
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let Some(queue) = queue_of(db) else {
        return Ok(WriteTransaction {
            kind: Kind::Plain(db.begin().await?),
        });
    };
    let mut held = Held::take(queue).await;
    if held.guard.group.as_ref().is_some_and(|g| g.closing) {
        // Its failure reaches its members; this writer starts afresh either way.
        let _ = held.close_group().await;
    }
    let kind = match held.guard.group.as_mut() {
        None => Kind::Leading {
            group: begin_group(db).await?,
            held,
        },
        Some(group) => {
            let savepoint = match group.outer.begin().await {
                Ok(savepoint) => savepoint,
                Err(failure) => {
                    group.closing = true;
                    return Err(failure);
                }
            };
            let outcome = group.outcome.subscribe();
            Kind::Joined(Member {
                savepoint: Some(savepoint),
                outcome,
                held: Some(held),
                committed: false,
            })
        }
    };
    Ok(WriteTransaction { kind })
}

impl WriteTransaction {
    /// Commits this transaction; on SQLite returns once the group it is part of is durable.
    /// A failed member's savepoint commit (RELEASE) ends the group; the others keep theirs.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.kind {
            Kind::Plain(txn) => txn.commit().await,
            Kind::Leading { group, mut held } => {
                if !held.others_waiting() {
                    return commit_group(group, &held.queue).await;
                }
                let outcome = group.outcome.subscribe();
                held.guard.group = Some(group);
                drop(held);
                shared_outcome(outcome).await
            }
            Kind::Joined(member) => member.commit().await,
        }
    }

    fn connection(&self) -> Result<&DatabaseTransaction, DbErr> {
        match &self.kind {
            Kind::Plain(txn) => Ok(txn),
            Kind::Leading { group, .. } => Ok(&group.outer),
            Kind::Joined(member) => member
                .savepoint
                .as_ref()
                .ok_or_else(|| DbErr::Custom("the savepoint was already used".to_owned())),
        }
    }
}

async fn shared_outcome(mut outcome: watch::Receiver<Outcome>) -> Result<(), DbErr> {
    let settled = outcome.wait_for(Option::is_some).await;
    match settled.as_deref() {
        Ok(Some(Ok(()))) => Ok(()),
        Ok(Some(Err(failure))) => Err(DbErr::Custom(format!(
            "the shared commit failed: {failure}"
        ))),
        Ok(None) | Err(_) => Err(DbErr::Custom("the shared commit was abandoned".to_owned())),
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        match &self.kind {
            Kind::Plain(txn) => txn.get_database_backend(),
            Kind::Leading { .. } | Kind::Joined(_) => DbBackend::Sqlite,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.connection()?.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.connection()?.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.connection()?.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.connection()?.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.connection().is_ok_and(|c| c.support_returning())
    }
}
