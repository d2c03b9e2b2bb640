# Python's socket.send may send only part of what it is given, and
# says so only by its return value.
# Run from the workbook's root: python3 02-byte-semantics/testdata/send.py
import socket

listener = socket.create_server(('127.0.0.1', 0))
client = socket.create_connection(listener.getsockname())
server, _ = listener.accept()  # the server never reads

data = b'7' * (64 << 20)
client.settimeout(1)
sent = client.send(data)  # with sendall, a timeout error instead
print('send was given', len(data), 'bytes')
print('it returned', 'all of them' if sent == len(data) else 'a smaller number', 'and raised nothing')
