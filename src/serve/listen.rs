//! Accepting connections with bounds a hostile client cannot outlast: a cap on open
//! connections, a bound on reading a request's head (which also closes an idle kept-alive
//! connection), a bound on a connection's life, and a shutdown that waits for the requests
//! being answered, never for idle or half-sent ones.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

/// A request's head (request line and headers) must arrive within this, counted from when
/// the connection waits for it: a client that trickles its headers, or keeps a connection
/// idle, loses it. Prometheus sends a scrape's head in one write.
pub const HEAD_READ: Duration = Duration::from_secs(10);
/// A request's head is at most this big (hyper's own cap is larger).
pub const MAX_HEAD: usize = 16 * 1024;
/// After this a connection answers the request in flight, if any, and closes; one whose
/// client stops reading the answer is dropped `GRACE` later.
const LIFE: Duration = Duration::from_secs(600);
const GRACE: Duration = Duration::from_secs(360);

/// The requests being answered: the shutdown waits for these alone.
#[derive(Clone, Default)]
pub struct InFlight(Arc<AtomicUsize>);

/// Held while one request is answered.
pub struct Answering(Arc<AtomicUsize>);

impl InFlight {
    pub fn enter(&self) -> Answering {
        self.0.fetch_add(1, Ordering::SeqCst);
        Answering(self.0.clone())
    }
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What the accept loop counts, for `/metrics`.
#[derive(Default)]
pub struct Counts {
    pub open: AtomicUsize,
    pub refused: AtomicUsize,
}

/// Serve `app` on `listener` until `stop` turns true; then stop accepting, let the requests
/// being answered finish within `drain`, and drop every connection left (idle, half-sent,
/// or a client that stopped reading).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    max_connections: usize,
    in_flight: InFlight,
    counts: Arc<Counts>,
    mut stop: watch::Receiver<bool>,
    drain: Duration,
) {
    let slots = Arc::new(Semaphore::new(max_connections));
    let mut conns = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            a = listener.accept() => a,
            // Reap finished connection tasks as they end, so the set does not grow.
            Some(_) = conns.join_next(), if !conns.is_empty() => continue,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // Out of file descriptors or a connection reset before accept: pause, go on.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (app, stop, counts) = (app.clone(), stop.clone(), counts.clone());
        conns.spawn(async move {
            let _slot = slot;
            counts.open.fetch_add(1, Ordering::Relaxed);
            connection(stream, app, stop).await;
            counts.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    drop(listener);
    // The requests being answered finish (each is bounded by its probe's deadline); the
    // connections told to close after them; whatever is left then is dropped.
    let until = Instant::now() + drain;
    while in_flight.count() > 0 && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if in_flight.count() > 0 {
        eprintln!(
            "zencheck serve: in-flight probes did not finish within {} s; stopping anyway",
            drain.as_secs()
        );
    }
    // A second for the answers just made to be written (the connections were told to close
    // after them), then whatever is still open is dropped.
    let flushed = tokio::time::Instant::now() + Duration::from_secs(1);
    while !conns.is_empty() {
        tokio::select! {
            _ = conns.join_next() => {}
            _ = tokio::time::sleep_until(flushed) => break,
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

async fn connection(stream: tokio::net::TcpStream, app: Router, mut stop: watch::Receiver<bool>) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEAD_READ)
        .max_buf_size(MAX_HEAD)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(conn);
    let life = tokio::time::sleep(LIFE);
    tokio::pin!(life);
    let hard = tokio::time::sleep(LIFE + GRACE);
    tokio::pin!(hard);
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = &mut hard => return,
            _ = &mut life, if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = stop.wait_for(|s| *s), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
        }
    }
}
