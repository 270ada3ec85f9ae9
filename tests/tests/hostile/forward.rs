//! A TCP port in a lab namespace that reaches a server on the root namespace's
//! loopback, through a Unix socket: a forwarder on each side, and no link between the
//! namespaces, so traffic stays on the two loopbacks.

use std::os::unix::net::UnixListener;
use std::path::Path;

/// Copies one direction of a forwarded connection, then half-closes the other side.
pub fn pump(mut from: impl std::io::Read, mut to: impl std::io::Write, done: impl FnOnce()) {
    let _ = std::io::copy(&mut from, &mut to);
    done();
}

/// The root namespace's end of the forwarder: every connection to `sock` is carried to
/// the collector on 127.0.0.1:`port`.
pub fn forward_to_collector(sock: &Path, port: u16) {
    let listener = UnixListener::bind(sock).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(unix) = conn else { continue };
            let Ok(tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            let (u2, t2) = (unix.try_clone().unwrap(), tcp.try_clone().unwrap());
            std::thread::spawn(move || {
                let t3 = t2.try_clone().unwrap();
                pump(u2, t2, move || {
                    let _ = t3.shutdown(std::net::Shutdown::Write);
                });
            });
            std::thread::spawn(move || {
                let u3 = unix.try_clone().unwrap();
                pump(tcp, unix, move || {
                    let _ = u3.shutdown(std::net::Shutdown::Write);
                });
            });
        }
    });
}

/// The scanner namespace's end: 127.0.0.1:`INSIDE_PORT` there, carried to `sock`.
pub const FORWARD_PY: &str = r#"
import socket, sys, threading
port, path, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3]
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", port))
l.listen(64)
open(ready, "w").close()
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass
while True:
    c, _ = l.accept()
    u = socket.socket(socket.AF_UNIX)
    try:
        u.connect(path)
    except OSError:
        c.close()
        continue
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
"#;
