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
//!
//! The group's own statements (SAVEPOINT, RELEASE, ROLLBACK TO, COMMIT) run on a task of
//! their own: a request dropped midway (a client hanging up) can never leave a savepoint
//! half made or a COMMIT half reported. Any of them failing rolls the whole group back and
//! tells every member so; no member is ever told "committed" for work that was not.
use std::collections::HashMap;
use std::future::Future;
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

/// A group commits once this many writers have joined, even with others waiting, so a
/// queue never holds the write lock (and its writers' answers) indefinitely.
const MAX_MEMBERS: u64 = 32;

/// The savepoint of the member writing now (one at a time: they hold the turn).
const MEMBER_SAVEPOINT: &str = "lg_member";

/// One SQLite file's writer queue and the group its writers share, if one is open.
#[derive(Default)]
struct Writer {
    group: Option<OpenGroup>,
}

struct OpenGroup {
    outer: DatabaseTransaction,
    outcome: watch::Sender<Outcome>,
    /// Someone is queued to commit the group if no member does.
    closer_queued: bool,
    /// A member's savepoint is open: while it writes, and after, if its writer went away
    /// without a commit (the next holder of the turn then rolls back to it first, and
    /// commits the group before anyone joins again).
    member_open: bool,
    /// Writers that joined, and those of them (with the first) that reached their commit.
    joined: u64,
    members: u64,
}

/// A queue per SQLite file (tests open many databases in one process; production one).
struct Queue {
    writer: Arc<Mutex<Writer>>,
    /// Tasks waiting for the turn: a writer that finds none commits its group at once.
    waiting: AtomicUsize,
    /// Groups committed and the transactions they carried (their ratio is the batching).
    groups_committed: AtomicU64,
    writes_committed: AtomicU64,
    /// Where closers run when the turn is let go outside a runtime (a drop at shutdown).
    runtime: Option<tokio::runtime::Handle>,
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
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename();
    let mut queues = QUEUES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    // Looked up by reference: every write transaction passes here (the exchange's too).
    if let Some(queue) = queues.get(file) {
        return Some(queue.clone());
    }
    let queue = Arc::new(Queue {
        writer: Arc::new(Mutex::new(Writer::default())),
        waiting: AtomicUsize::new(0),
        groups_committed: AtomicU64::new(0),
        writes_committed: AtomicU64::new(0),
        runtime: tokio::runtime::Handle::try_current().ok(),
    });
    queues.insert(file.to_path_buf(), queue.clone());
    Some(queue)
}

/// Counts a task as waiting for a queue's turn from now until it holds it (or gives up).
struct Waiting(Arc<Queue>);

impl Waiting {
    fn new(queue: &Arc<Queue>) -> Self {
        queue.waiting.fetch_add(1, Ordering::AcqRel);
        Waiting(queue.clone())
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Holding one SQLite file's writer turn.
struct Held {
    guard: OwnedMutexGuard<Writer>,
    queue: Arc<Queue>,
}

impl Held {
    async fn take(queue: Arc<Queue>) -> Held {
        let waiting = Waiting::new(&queue);
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

    /// Undoes what a member that went away left in its savepoint, then commits the group,
    /// if one is open, and tells its members.
    async fn close_group(&mut self) -> Result<(), DbErr> {
        let Some(mut group) = self.guard.group.take() else {
            return Ok(());
        };
        if group.member_open {
            let undone = match group
                .outer
                .execute_unprepared(&format!("ROLLBACK TO {MEMBER_SAVEPOINT}"))
                .await
            {
                Ok(_) => {
                    group
                        .outer
                        .execute_unprepared(&format!("RELEASE {MEMBER_SAVEPOINT}"))
                        .await
                }
                Err(failure) => Err(failure),
            };
            if let Err(failure) = undone {
                return Err(abandon(group, failure).await);
            }
            group.member_open = false;
        }
        commit_group(group, &self.queue).await
    }

    /// A new member's savepoint; on failure the group is rolled back (its state is unknown).
    async fn open_member(&mut self) -> Result<(), DbErr> {
        let Some(group) = self.guard.group.as_mut() else {
            return Err(DbErr::Custom("no write group to join".to_owned()));
        };
        match group
            .outer
            .execute_unprepared(&format!("SAVEPOINT {MEMBER_SAVEPOINT}"))
            .await
        {
            Ok(_) => {
                group.member_open = true;
                group.joined += 1;
                Ok(())
            }
            Err(failure) => match self.guard.group.take() {
                Some(group) => Err(abandon(group, failure).await),
                None => Err(failure),
            },
        }
    }

    /// The member's work is kept in the group; commits the group now if nobody is waiting
    /// to join it (or it is full), else says what to wait for.
    async fn release_member(&mut self) -> Result<Option<watch::Receiver<Outcome>>, DbErr> {
        let Some(group) = self.guard.group.as_mut() else {
            return Err(DbErr::Custom("the write group is gone".to_owned()));
        };
        if let Err(failure) = group
            .outer
            .execute_unprepared(&format!("RELEASE {MEMBER_SAVEPOINT}"))
            .await
        {
            return match self.guard.group.take() {
                Some(group) => Err(abandon(group, failure).await),
                None => Err(failure),
            };
        }
        group.member_open = false;
        group.members += 1;
        let full = group.joined >= MAX_MEMBERS;
        let outcome = group.outcome.subscribe();
        if full || !self.others_waiting() {
            return self.close_group().await.map(|()| None);
        }
        Ok(Some(outcome))
    }

    /// Leaves the open group to a writer queued behind (or to a task queued to commit it).
    fn ensure_closer(&mut self) {
        let Some(group) = self.guard.group.as_mut() else {
            return;
        };
        if group.closer_queued {
            return;
        }
        let Some(runtime) = tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.queue.runtime.clone())
        else {
            tracing::error!("a SQLite write group was left open with no runtime to commit it");
            return;
        };
        group.closer_queued = true;
        // Counted before it is spawned, so every member after this one leaves the commit to it.
        let waiting = Waiting::new(&self.queue);
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

/// Runs a step of the group on a task of its own with the turn, which comes back with the
/// step's result: a caller that goes away midway cannot cut the step short (the task then
/// lets go of the turn itself).
async fn detached<T: Send + 'static>(
    step: impl Future<Output = (Held, T)> + Send + 'static,
) -> Result<(Held, T), DbErr> {
    tokio::spawn(step)
        .await
        .map_err(|_| DbErr::Custom("a write group's step stopped".to_owned()))
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

/// Rolls the whole group back after one of its own statements failed, and tells its members.
async fn abandon(group: OpenGroup, failure: DbErr) -> DbErr {
    tracing::error!(error = %failure, "a SQLite write group failed and was rolled back");
    let _ = group.outer.rollback().await;
    group.outcome.send_replace(Some(Err(format!(
        "the write group was rolled back: {failure}"
    ))));
    failure
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
        closer_queued: false,
        member_open: false,
        joined: 1,
        members: 1,
    })
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
    /// Joined an open group in a savepoint. Dropped without a commit, its savepoint stays
    /// open (`member_open`) for the next holder of the turn to roll back to.
    Joined(Held),
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
    let joinable = held
        .guard
        .group
        .as_ref()
        .map(|g| !g.member_open && g.joined < MAX_MEMBERS);
    let kind = match joinable {
        Some(true) => {
            let (held, opened) = detached(async move {
                let opened = held.open_member().await;
                (held, opened)
            })
            .await?;
            opened?;
            Kind::Joined(held)
        }
        Some(false) => {
            // Its failure reaches its members; this writer starts afresh either way.
            let (held, _) = detached(async move {
                let closed = held.close_group().await;
                (held, closed)
            })
            .await?;
            Kind::Leading {
                group: begin_group(db).await?,
                held,
            }
        }
        None => Kind::Leading {
            group: begin_group(db).await?,
            held,
        },
    };
    Ok(WriteTransaction { kind })
}

impl WriteTransaction {
    /// Commits this transaction; on SQLite returns once the group it is part of is durable.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.kind {
            Kind::Plain(txn) => txn.commit().await,
            Kind::Leading { group, mut held } => {
                let alone = !held.others_waiting();
                let outcome = group.outcome.subscribe();
                held.guard.group = Some(group);
                if alone {
                    let (_, closed) = detached(async move {
                        let closed = held.close_group().await;
                        (held, closed)
                    })
                    .await?;
                    return closed;
                }
                drop(held);
                shared_outcome(outcome).await
            }
            Kind::Joined(mut held) => {
                let (held, released) = detached(async move {
                    let released = held.release_member().await;
                    (held, released)
                })
                .await?;
                drop(held);
                match released? {
                    None => Ok(()),
                    Some(outcome) => shared_outcome(outcome).await,
                }
            }
        }
    }

    fn connection(&self) -> Result<&DatabaseTransaction, DbErr> {
        match &self.kind {
            Kind::Plain(txn) => Ok(txn),
            Kind::Leading { group, .. } => Ok(&group.outer),
            Kind::Joined(held) => held
                .guard
                .group
                .as_ref()
                .map(|g| &g.outer)
                .ok_or_else(|| DbErr::Custom("the write group is gone".to_owned())),
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
