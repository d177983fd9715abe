//! Pages: the reads behind the screens people open most (the todo list, Today, search),
//! each one statement whose rows SQLite packs into JSON, run on reader threads of their own.
//!
//! A read through the sqlx pool crosses threads four times: the statement goes to the
//! connection's own thread and its row comes back, then the pool pings that thread again
//! (from a task spawned for it) as the connection is given back. On two cores those
//! crossings were about a sixth of a page's time (BENCHMARKS.md, "HTTP reads, fourth
//! round"). [`Readers`] keeps a few read-only connections, each owned by one thread that
//! takes whole reads from a shared queue and runs them to the end: a page crosses to a
//! reader and back once, and no async worker ever waits on SQLite. Statements are prepared
//! once per connection and kept.
//!
//! Every other read and every write stays on sqlx (`Db::read`, `Db::write`), whose
//! statements are checked at build time; a read comes here when it is a packed page.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use rusqlite::{Connection, OpenFlags, params_from_iter, types::Value};

use crate::infra::error::{Error, Result};

/// The aggregate that packs every row of its input into one JSON text, each row a JSON
/// array of `columns`, in the order the input gives them; read with [`unpack`]. An empty
/// input packs as `[]`.
///
/// The order is the input's: a subquery with `ORDER BY … LIMIT` runs as a co-routine
/// that hands its rows to the aggregate in that order (the test below holds the bundled
/// SQLite to it). An `ORDER BY` inside the aggregate would sort the same rows a second
/// time, through a temporary b-tree built for each statement: with it, 6 % of the
/// server's time for a page of the todo list went to building that b-tree, 13 % for Today,
/// which packs five lists (BENCHMARKS.md, "HTTP reads, third round").
pub fn pack(columns: &str) -> String {
    format!("json_group_array(json_array({columns}))")
}

/// The statement that runs `select` and packs its rows with [`pack`], in `select`'s order
/// (its `ORDER BY`, which comes with a `LIMIT` wherever the order matters).
pub fn packed(columns: &str, select: &str) -> String {
    format!("SELECT {} FROM ({select})", pack(columns))
}

/// Rows that SQLite packed into one JSON text, `json_group_array(json_array(<columns>))`:
/// one array a row, its values in the columns' order, decoded into `T` (a struct whose
/// fields are in that order). A page read this way crosses from the database's thread to
/// the async side once, where row by row it crossed once a row, each time with a thread
/// switch and an allocation a column; serde_json reads the text straight into the rows.
pub fn unpack<T: serde::de::DeserializeOwned>(packed: &str) -> Result<Vec<T>> {
    serde_json::from_str(packed).map_err(|e| Error::Internal(e.into()))
}

/// A flag SQLite stores as 0 or 1, read from a packed row (see [`unpack`]).
pub fn flag<'de, D: serde::Deserializer<'de>>(de: D) -> std::result::Result<bool, D::Error> {
    Ok(<i64 as serde::Deserialize>::deserialize(de)? != 0)
}

/// A read handed to a reader thread, with the connection that thread owns.
type Job = Box<dyn FnOnce(&Connection) + Send>;

/// What a reader thread is handed: a read, or the word to close its connection and end
/// (said once it is done, so that closing can wait for it).
enum Work {
    Read(Job),
    Stop(tokio::sync::oneshot::Sender<()>),
}

/// Read-only connections to the database file, each on a thread of its own, taking reads
/// from one queue (see the module's notes). Cloning shares the same threads; they end at
/// [`Readers::close`], or when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Readers {
    jobs: crossbeam_channel::Sender<Work>,
    threads: usize,
}

/// How a reader opens the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    /// A live database in WAL mode: readers see each commit at once.
    Live,
    /// A file on a disk that cannot be written: WAL's shared memory cannot be made, so
    /// the file is read as one that nothing changes.
    Immutable,
}

impl Readers {
    /// Opens `count` connections to the database at `path` and starts their threads. Each
    /// connection is opened (and checked with a first statement) before this returns, so a
    /// file that cannot be read fails here, at start, not on the first page.
    pub fn open(path: &Path, count: usize, opening: Opening) -> anyhow::Result<Self> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Work>();
        let threads = count.max(1);
        for n in 0..threads {
            let conn = connect(path, opening)?;
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("clawchat-read-{n}"))
                .spawn(move || {
                    for work in queue {
                        match work {
                            // A read that panics answers its caller with an error (its
                            // sender is dropped) and the thread goes on serving.
                            Work::Read(job) => {
                                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&conn)));
                            }
                            Work::Stop(done) => {
                                drop(conn);
                                let _ = done.send(());
                                return;
                            }
                        }
                    }
                })
                .context("cannot start a database reader thread")?;
        }
        Ok(Self { jobs, threads })
    }

    /// Closes every reader's connection, once the reads handed over before are done, and
    /// ends their threads; a read asked for afterwards is an error. Closing twice is
    /// closing once.
    pub async fn close(&self) {
        let mut stopping = Vec::with_capacity(self.threads);
        for _ in 0..self.threads {
            let (done, stopped) = tokio::sync::oneshot::channel();
            if self.jobs.send(Work::Stop(done)).is_ok() {
                stopping.push(stopped);
            }
        }
        for stopped in stopping {
            let _ = stopped.await;
        }
    }

    /// Runs `read` on a reader's connection and gives back what it returns: a page's
    /// statements (with [`one_row`]) and what is made of their rows before the next.
    pub async fn run<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Work::Read(Box::new(move |conn| {
                let _ = answer.send(read(conn));
            })))
            .map_err(|_| Error::Internal(anyhow::anyhow!("the database readers have stopped")))?;
        answered
            .await
            .map_err(|_| Error::Internal(anyhow::anyhow!("a database read failed without an answer")))?
    }

    /// Runs `sql` with `args` on a reader's connection and reads its one row (see
    /// [`one_row`]).
    pub async fn row<T: Send + 'static>(
        &self,
        sql: String,
        args: Vec<Arg>,
        columns: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.run(move |conn| one_row(conn, &sql, args, columns)).await
    }
}

/// Runs `sql` on `conn` with `args` bound to its placeholders in order, and reads its one
/// row with `columns` (such as `|r| Ok((r.get(0)?, r.get(1)?))`). The statement is
/// prepared once per connection and kept.
pub fn one_row<T>(
    conn: &Connection,
    sql: &str,
    args: Vec<Arg>,
    columns: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<T> {
    Ok(conn.prepare_cached(sql)?.query_row(params_from_iter(args.into_iter().map(Value::from)), columns)?)
}

/// A value bound to a page's statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(n)
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_owned())
    }
}

impl From<Arg> for Value {
    fn from(arg: Arg) -> Self {
        match arg {
            Arg::Int(n) => Value::Integer(n),
            Arg::Text(s) => Value::Text(s),
        }
    }
}

/// One reader's connection: read-only, waiting up to 5 s on a lock held by another
/// process (as the pools do), temporary tables in memory, and checked with a statement.
fn connect(path: &Path, opening: Opening) -> anyhow::Result<Connection> {
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    let conn = match opening {
        Opening::Live => Connection::open_with_flags(path, flags),
        Opening::Immutable => Connection::open_with_flags(format!("{}?immutable=1", file_uri(path)), flags),
    }
    .with_context(|| format!("cannot open the database {} for reading", path.display()))?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "temp_store", "memory")?;
    conn.set_prepared_statement_cache_capacity(32);
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0))
        .with_context(|| format!("cannot read the database {}", path.display()))?;
    Ok(conn)
}

/// A failed read in the API's terms: another process holding the file's lock past the
/// wait is a moment's unavailability; anything else is the server's fault.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Unavailable
            }
            _ => Error::Internal(e.into()),
        }
    }
}

/// `path` as an SQLite `file:` URI, with the characters a URI gives meaning to escaped.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => uri.push_str("%25"),
            '?' => uri.push_str("%3f"),
            '#' => uri.push_str("%23"),
            c => uri.push(c),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`pack`] keeps the order of an ordered, limited subquery, with and without an
    /// offset, for rows stored in another order: the lists that rely on it (the todo list,
    /// Today, search) would show their items shuffled if an SQLite upgrade changed that.
    #[tokio::test]
    async fn a_packed_page_keeps_its_subquerys_order() {
        use sqlx::Connection as _;
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await.expect("in-memory database");
        sqlx::query("CREATE TABLE t (seq INTEGER PRIMARY KEY, k INTEGER, name TEXT)")
            .execute(&mut conn)
            .await
            .expect("table");
        sqlx::query("CREATE INDEX t_k ON t (k DESC, seq)").execute(&mut conn).await.expect("index");
        for i in 0..500_i64 {
            sqlx::query("INSERT INTO t (k, name) VALUES (?, ?)")
                .bind((i * 7919) % 503)
                .bind(format!("row {i}"))
                .execute(&mut conn)
                .await
                .expect("insert");
        }
        for (order, offset) in [("k DESC, seq", 0), ("k DESC, seq", 120), ("name, seq DESC", 7)] {
            let select = format!("SELECT seq, k, name FROM t ORDER BY {order} LIMIT 200 OFFSET {offset}");
            let expected: Vec<(i64, i64, String)> =
                sqlx::query_as(&select).fetch_all(&mut conn).await.expect("rows");
            let text: String = sqlx::query_scalar(&packed("seq, k, name", &select))
                .fetch_one(&mut conn)
                .await
                .expect("packed");
            let got: Vec<(i64, i64, String)> = unpack(&text).expect("unpack");
            assert_eq!(got.len(), 200, "{order} offset {offset}");
            assert_eq!(got, expected, "{order} offset {offset}");
        }
    }

    /// A page read on the readers shows each commit made through the write pool at once,
    /// with its values bound in order.
    #[tokio::test]
    async fn a_page_shows_each_commit_at_once() {
        let (_dir, _, db) = store("pages.db").await;
        assert_eq!(setting(&db.pages, "pages.test").await, (0, None));
        crate::infra::db::put_setting(&db.write, "pages.test", "one").await.expect("write");
        assert_eq!(setting(&db.pages, "pages.test").await, (1, Some("one".into())));
        crate::infra::db::put_setting(&db.write, "pages.test", "two").await.expect("write");
        assert_eq!(setting(&db.pages, "pages.test").await, (1, Some("two".into())));
    }

    /// A new store in a temporary folder (kept while the first value lives), as the file
    /// `name`.
    async fn store(name: &str) -> (tempfile::TempDir, std::path::PathBuf, crate::infra::db::Db) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join(name);
        let db = crate::infra::db::Db::open(&path).await.expect("database");
        (dir, path, db)
    }

    /// How many settings are stored under `key`, and the value, read on `pages`.
    async fn setting(pages: &Readers, key: &str) -> (i64, Option<String>) {
        pages
            .row(
                "SELECT count(*), (SELECT value FROM settings WHERE key = ?) FROM settings WHERE key = ?"
                    .into(),
                vec![Arg::from(key), Arg::from(key)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .await
            .expect("read")
    }

    /// A statement SQLite refuses, and a read that panics, each answer their caller with an
    /// error; the readers go on serving the reads after them.
    #[tokio::test]
    async fn a_failed_read_is_an_error_and_the_readers_serve_on() {
        let (_dir, _, db) = store("pages.db").await;
        let refused =
            db.pages.row("SELECT nothing FROM nowhere".into(), vec![], |r| r.get::<_, i64>(0)).await;
        assert!(matches!(refused, Err(Error::Internal(_))), "{refused:?}");
        // More panics than there are readers: each thread survives its own.
        for _ in 0..crate::infra::db::page_readers() + 1 {
            let panicked = db.pages.run(|_| -> Result<i64> { panic!("a read that panics") }).await;
            assert!(matches!(panicked, Err(Error::Internal(_))), "{panicked:?}");
        }
        let two: i64 = db
            .pages
            .row("SELECT ? + ?".into(), vec![Arg::Int(1), Arg::Int(1)], |r| r.get(0))
            .await
            .expect("read");
        assert_eq!(two, 2);
    }

    /// A file that nothing may change (its disk is read-only) is read as immutable, and its
    /// path may hold characters a URI gives meaning to.
    #[tokio::test]
    async fn an_immutable_file_is_read_whatever_its_name() {
        let (_dir, path, db) = store("odd %20 name?#.db").await;
        crate::infra::db::put_setting(&db.write, "pages.test", "kept").await.expect("write");
        db.close().await;
        drop(db);
        let readers = Readers::open(&path, 1, Opening::Immutable).expect("immutable readers");
        let kept: String = readers
            .row("SELECT value FROM settings WHERE key = ?".into(), vec![Arg::from("pages.test")], |r| {
                r.get(0)
            })
            .await
            .expect("read");
        assert_eq!(kept, "kept");
    }

    /// Closing the store closes the readers' connections too: the last connection to go
    /// folds the write-ahead log into the file and removes it, as before the readers; a
    /// page asked for afterwards is an error, not a wait.
    #[tokio::test]
    async fn closing_the_store_closes_the_readers() {
        let (_dir, path, db) = store("pages.db").await;
        crate::infra::db::put_setting(&db.write, "pages.test", "kept").await.expect("write");
        assert_eq!(setting(&db.pages, "pages.test").await, (1, Some("kept".into())));
        db.close().await;
        db.close().await;
        let wal = path.with_file_name("pages.db-wal");
        assert!(!wal.exists(), "the write-ahead log is left behind");
        let after = db.pages.row("SELECT 1".into(), vec![], |r| r.get::<_, i64>(0)).await;
        assert!(matches!(after, Err(Error::Internal(_))), "{after:?}");
    }
}
