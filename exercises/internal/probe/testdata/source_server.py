#!/usr/bin/python3
# The source text's socketserver version, as it is, with two changes:
# isprime's `return True` moved out of the loop (the source text has
# it inside, which makes 25 prime), and the address taken from the
# command line, with a line that says when the server is listening,
# so that a test can start it on a free port:
#
#     python3 source_server.py 127.0.0.1 8809
import socketserver
import sys


def isprime(n):
    '''check if integer n is a prime'''
    # negative numbers, 0 and 1 are not primes
    if n < 2:
        return False
    # 2 is the only even prime number
    if n == 2:
        return True
    # all other even numbers are not primes
    if not n & 1:
        return False
    # range starts with 3 and only needs to go up the square root
    # of n for all odd numbers
    for x in range(3, int(n**0.5) + 1, 2):
        if n % x == 0:
            return False
    return True


params = (sys.argv[1], int(sys.argv[2]))
datos = {}


class PrimeTCPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        data = self.rfile.readline().strip()
        try:
            number = int(data)
        except:
            response = b'E'
            phrase = "'%s' is not an integer" % data
        else:
            if isprime(number):
                phrase = "'%s' is a prime number" % number
                response = b'T'
            else:
                phrase = "'%s' is not a prime number" % number
                response = b'F'
        finally:
            print(response)
        with open("prime_server.log", "a") as f:
            f.write(phrase + '\n')
        return self.wfile.write(response + b'\n')


if __name__ == '__main__':
    server = socketserver.TCPServer(params, PrimeTCPHandler)
    print('listening on %s:%d' % server.server_address, flush=True)
    server.serve_forever()
