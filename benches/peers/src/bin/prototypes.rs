//! Bare prototypes of four ways connections can meet a pool of threads, with no HTTP
//! parsing (a request ends at its empty line; every answer is the same 100 bytes), so
//! that what `load.sh --designs` measures is the design alone:
//!
//! - `shared`: every worker blocks in `epoll_wait` on one epoll set; registrations are
//!   one-shot, one event per wait; the woken worker serves and re-arms (Leader/Followers
//!   with the kernel choosing the leader). What the engine does.
//! - `handoff`: classic Leader/Followers: one leader waits on the poller, and before it
//!   serves the event it promotes a follower (a condition variable) to wait next.
//! - `per_worker`: each worker its own epoll set; connections dealt round-robin at
//!   accept (nginx's and memcached's worker loops).
//! - `dispatch`: one thread waits on the poller and queues each ready connection for
//!   the pool (a channel): the previous design's hand-off per request.
//!
//! Run: `prototypes MODE --port P --threads N`; prints `listening on http://ADDR`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};

use rustix::event::epoll::{self, CreateFlags, Event, EventData, EventFlags};

const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\nServer: prototype\r\n\r\nhello, load";

type Conns = Arc<Vec<Mutex<Option<TcpStream>>>>;

fn arm(ep: &OwnedFd, s: &TcpStream, key: usize, add: bool) {
    let flags = EventFlags::IN | EventFlags::ONESHOT;
    let data = EventData::new_u64(key as u64);
    let _ = if add {
        epoll::add(ep, s, data, flags)
    } else {
        epoll::modify(ep, s, data, flags)
    };
}

/// Reads what is there; answers each complete request. `false`: the peer left.
fn serve(s: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        match s.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(_) => return false,
        }
        if buf.ends_with(b"\r\n\r\n") {
            break;
        }
    }
    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
        buf.drain(..end + 4);
        if s.write_all(ANSWER).is_err() {
            return false;
        }
    }
    true
}

fn wait_one(ep: &OwnedFd) -> Option<usize> {
    let mut events = [Event {
        flags: EventFlags::empty(),
        data: EventData::new_u64(0),
    }];
    match epoll::wait(ep, &mut events, None) {
        Ok(1) => Some(events[0].data.u64() as usize),
        _ => None,
    }
}

fn run_event(ep: &OwnedFd, conns: &Conns, key: usize, buf: &mut Vec<u8>) {
    let Some(slot) = conns.get(key) else { return };
    let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
    let keep = match guard.as_mut() {
        Some(s) => serve(s, buf),
        None => return,
    };
    if keep {
        if let Some(s) = guard.as_ref() {
            arm(ep, s, key, false);
        }
    } else {
        *guard = None;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "shared".into());
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let threads = flag("--threads", 8);
    let listener = TcpListener::bind(("127.0.0.1", flag("--port", 8080) as u16))?;
    println!("listening on http://{}", listener.local_addr()?);
    let conns: Conns = Arc::new((0..4096).map(|_| Mutex::new(None)).collect());
    let pollers: Vec<Arc<OwnedFd>> = (0..if mode == "per_worker" { threads } else { 1 })
        .map(|_| epoll::create(CreateFlags::CLOEXEC).map(Arc::new))
        .collect::<Result<_, _>>()?;
    match mode.as_str() {
        "shared" | "per_worker" => {
            for i in 0..threads {
                let ep = Arc::clone(&pollers[i % pollers.len()]);
                let conns = Arc::clone(&conns);
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    while let Some(key) = wait_one(&ep) {
                        run_event(&ep, &conns, key, &mut buf);
                    }
                });
            }
        }
        "handoff" => {
            let leader = Arc::new((Mutex::new(false), Condvar::new()));
            for _ in 0..threads {
                let (ep, conns, leader) = (
                    Arc::clone(&pollers[0]),
                    Arc::clone(&conns),
                    Arc::clone(&leader),
                );
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    loop {
                        // Become the leader: wait until nobody else leads.
                        {
                            let (lock, cv) = &*leader;
                            let mut taken = lock.lock().unwrap_or_else(|p| p.into_inner());
                            while *taken {
                                taken = cv.wait(taken).unwrap_or_else(|p| p.into_inner());
                            }
                            *taken = true;
                        }
                        let key = wait_one(&ep);
                        // Promote a follower, then serve the event.
                        {
                            let (lock, cv) = &*leader;
                            *lock.lock().unwrap_or_else(|p| p.into_inner()) = false;
                            cv.notify_one();
                        }
                        match key {
                            Some(key) => run_event(&ep, &conns, key, &mut buf),
                            None => return,
                        }
                    }
                });
            }
        }
        "dispatch" => {
            let (tx, rx) = mpsc::channel::<usize>();
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..threads {
                let (ep, conns, rx) =
                    (Arc::clone(&pollers[0]), Arc::clone(&conns), Arc::clone(&rx));
                std::thread::spawn(move || {
                    let mut buf = Vec::new();
                    loop {
                        let key = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match key {
                            Ok(key) => run_event(&ep, &conns, key, &mut buf),
                            Err(_) => return,
                        }
                    }
                });
            }
            let ep = Arc::clone(&pollers[0]);
            std::thread::spawn(move || {
                while let Some(key) = wait_one(&ep) {
                    if tx.send(key).is_err() {
                        return;
                    }
                }
            });
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    let next = AtomicUsize::new(0);
    for stream in listener.incoming().flatten() {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        let key = (0..conns.len())
            .map(|i| (next.fetch_add(1, Ordering::Relaxed) + i) % conns.len())
            .find(|&k| conns[k].lock().map(|g| g.is_none()).unwrap_or(false));
        let Some(key) = key else { continue };
        let ep = &pollers[key % pollers.len()];
        let mut slot = conns[key].lock().unwrap_or_else(|p| p.into_inner());
        // Armed under the slot's lock: a worker woken at once waits for the stream.
        arm(ep, &stream, key, true);
        *slot = Some(stream);
    }
    Ok(())
}
