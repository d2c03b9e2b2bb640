# The source text's socketserver version, made persistent for the
# comparison in the bench: ThreadingTCPServer, and a handler that
# loops over the lines of its connection. isprime is the source
# text's with its bug fixed (the `return True` after the loop).
#
#     python3 python_server.py PORT [BACKLOG]
#
# BACKLOG is how many connections may wait to be accepted.
# socketserver's default is 5; the bench passes 4096, as many as Go's
# listener may hold here (the system caps both at
# net.core.somaxconn), so that both servers queue connections alike.
import socketserver
import sys


def isprime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if not n & 1:
        return False
    for x in range(3, int(n**0.5) + 1, 2):
        if n % x == 0:
            return False
    return True


class PrimeTCPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            try:
                number = int(line)
            except ValueError:
                response = b'E'
            else:
                response = b'T' if isprime(number) else b'F'
            self.wfile.write(response + b'\n')


if __name__ == '__main__':
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    if len(sys.argv) > 2:
        socketserver.ThreadingTCPServer.request_queue_size = int(sys.argv[2])
    params = ('127.0.0.1', int(sys.argv[1]))
    with socketserver.ThreadingTCPServer(params, PrimeTCPHandler) as server:
        server.serve_forever()
