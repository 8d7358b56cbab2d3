import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); s.settimeout(10)
c, _ = s.accept(); c.settimeout(5)
c.sendall(b"220 mail.example.test ESMTP ready\r\n")
try:
    d = c.recv(4096)
    if d: c.sendall(b"500 5.5.1 command unrecognized\r\n")
except Exception: pass
c.close(); s.close()
