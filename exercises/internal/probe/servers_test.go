package probe

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"workbook/prime"
)

// The servers in this file are broken on purpose, each in one way, for
// the tests to check that the probe notices. They frame lines as the
// protocol says (1 KiB at most, a last line at the end of the
// connection), so that only their one fault shows.

// startTestServer serves on a free loopback port until the test ends,
// calling handle for each connection in a goroutine of its own.
func startTestServer(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	serve(t, listener, handle, false)
	return listener.Addr().String()
}

// startOneAtATime serves as the most common student server does, the
// source text's among them: it accepts a client, serves it to the
// end, and only then accepts the next one.
func startOneAtATime(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	serve(t, listener, handle, true)
	return listener.Addr().String()
}

// startOnce serves one client, then stops listening, as a server
// without a loop around accept does.
func startOnce(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	once := onceListener{Listener: listener}
	serve(t, &once, handle, true)
	return listener.Addr().String()
}

// onceListener accepts one connection, then closes.
type onceListener struct {
	net.Listener
	accepted bool
}

func (l *onceListener) Accept() (net.Conn, error) {
	if l.accepted {
		l.Listener.Close()
		return nil, net.ErrClosed
	}
	l.accepted = true
	return l.Listener.Accept()
}

// serve accepts connections on listener until the test ends, and
// hands each to handle: in a goroutine of its own, or, oneAtATime,
// in the accepting goroutine.
func serve(t *testing.T, listener net.Listener, handle func(net.Conn),
	oneAtATime bool) {

	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	var handlers sync.WaitGroup
	accepting := make(chan struct{})
	go func() {
		defer close(accepting)
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[conn] = struct{}{}
			mu.Unlock()
			if oneAtATime {
				handle(conn)
				conn.Close()
				continue
			}
			handlers.Go(func() {
				defer conn.Close()
				handle(conn)
			})
		}
	}()

	// At the end: no new connections, then end the ones left.
	t.Cleanup(func() {
		listener.Close()
		<-accepting
		mu.Lock()
		for conn := range conns {
			conn.Close()
		}
		mu.Unlock()
		handlers.Wait()
	})
}

// lineServer answers lines as the protocol frames them: persistent or
// one-shot, each reply given by reply.
type lineServer struct {
	reply      func(line []byte) []byte
	persistent bool
	// reverse: a persistent server that answers the lines it has
	// received so far in reverse order, a crude picture of a
	// server whose replies overtake each other.
	reverse bool
}

func (s lineServer) handle(conn net.Conn) {
	defer closeGently(conn)
	reader := bufio.NewReaderSize(conn, 1024)
	var pending [][]byte
	for {
		line, err := reader.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line over 1 KiB: E (reply says so too, as
			// for any number over 100 digits), and hang up.
			_, _ = conn.Write(s.reply(line))
			return
		}
		if len(line) == 0 {
			return
		}
		pending = append(pending, s.reply(line))

		// Reply now, unless another line is already waiting
		// and this server reverses what it has.
		waiting, _ := reader.Peek(reader.Buffered())
		if !s.reverse || !bytes.Contains(waiting, []byte("\n")) {
			for i := range pending {
				j := i
				if s.reverse {
					j = len(pending) - 1 - i
				}
				if _, err := conn.Write(pending[j]); err != nil {
					return
				}
			}
			pending = nil
		}
		if !s.persistent || err != nil {
			return
		}
	}
}

// closeGently closes after reading what the client still sends, for a
// moment: closing with unread bytes resets the connection, and the
// reset may destroy the reply before the client reads it.
func closeGently(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
		_ = tcp.SetReadDeadline(time.Now().Add(time.Second))
		_, _ = io.Copy(io.Discard, tcp)
	}
}

// judge is the correct reply.
func judge(line []byte) []byte {
	return prime.Judge(line).Reply()
}

// sourceIsPrime is the source text's isprime as it is printed, its
// `return True` inside the loop: the loop tries 3 and returns at once,
// and when it is empty (3, 5 and 7) the function ends without a return
// and gives None, which is false.
func sourceIsPrime(n *big.Int) bool {
	two := big.NewInt(2)
	if n.Cmp(two) < 0 {
		return false
	}
	if n.Cmp(two) == 0 {
		return true
	}
	if n.Bit(0) == 0 {
		return false
	}
	// range(3, int(n**0.5)+1, 2)
	end := new(big.Int).Add(new(big.Int).Sqrt(n), big.NewInt(1))
	for x := big.NewInt(3); x.Cmp(end) < 0; x.Add(x, two) {
		if new(big.Int).Mod(n, x).Sign() == 0 {
			return false
		}
		//lint:ignore SA4004 the source text's bug, on purpose
		return true
	}
	return false
}

// sourceReply answers with the source text's isprime; what is an
// integer is decided as the protocol says.
func sourceReply(line []byte) []byte {
	if prime.Judge(line) == prime.Invalid {
		return prime.Invalid.Reply()
	}
	n, ok := new(big.Int).SetString(
		string(bytes.Trim(line, " \t\r\n")), 10)
	if !ok {
		return prime.Invalid.Reply()
	}
	if sourceIsPrime(n) {
		return prime.Prime.Reply()
	}
	return prime.NotPrime.Reply()
}

// The broken servers, by name.

// sourceIsPrimeServer: one-shot, with the source text's isprime.
func sourceIsPrimeServer(conn net.Conn) {
	lineServer{reply: sourceReply}.handle(conn)
}

// noNewlineServer: one-shot, replies "T", "F", "E" without "\n".
func noNewlineServer(conn net.Conn) {
	lineServer{reply: func(line []byte) []byte {
		return judge(line)[:1]
	}}.handle(conn)
}

// silentServer reads everything and never answers.
func silentServer(conn net.Conn) {
	_, _ = io.Copy(io.Discard, conn)
}

// hangUpServer closes every connection at once.
func hangUpServer(net.Conn) {}

// outOfOrderServer: persistent, answers pipelined lines in reverse.
func outOfOrderServer(conn net.Conn) {
	lineServer{reply: judge, persistent: true, reverse: true}.handle(conn)
}

// goodServer: persistent, and right.
func goodServer(conn net.Conn) {
	lineServer{reply: judge, persistent: true}.handle(conn)
}

// firstPieceServer takes what its first Read returns for the whole
// request, as a server that calls recv() once does; then it waits
// for the client to finish before it closes, so that no reset or
// broken pipe gives it away.
func firstPieceServer(conn net.Conn) {
	buffer := make([]byte, 1024)
	n, err := conn.Read(buffer)
	if err != nil {
		return
	}
	_, _ = conn.Write(judge(buffer[:n]))
	closeGently(conn)
}

// bigNumbers reports whether a request is one of the probe's heavy
// cases: a number that trial division takes minutes or more to
// decide.
func bigNumbers(line []byte) bool {
	return heavyRequests()[string(line)]
}

// heavyRequests are the requests of the heavy cases, found once.
var heavyRequests = sync.OnceValue(func() map[string]bool {
	requests := map[string]bool{}
	for _, c := range Cases(Persistent) {
		if c.phase == heavy {
			requests[c.Request()] = true
		}
	}
	return requests
})

// slowServer: persistent and right, but a big number keeps its
// connection busy for ever, as trial division would, while other
// clients are served.
func slowServer(conn net.Conn) {
	lineServer{reply: func(line []byte) []byte {
		if bigNumbers(line) {
			// Until the client gives up, and the test ends.
			_, _ = io.Copy(io.Discard, conn)
			return nil
		}
		return judge(line)
	}, persistent: true}.handle(conn)
}

// stuckServer returns a server that answers until the first big
// number, then never again, to anyone: a trial division that holds
// a lock, or a single-threaded event loop.
func stuckServer() func(net.Conn) {
	stuck := make(chan struct{})
	var once sync.Once
	return func(conn net.Conn) {
		lineServer{reply: func(line []byte) []byte {
			if bigNumbers(line) {
				once.Do(func() { close(stuck) })
			}
			select {
			case <-stuck:
				_, _ = io.Copy(io.Discard, conn)
				return nil
			default:
				return judge(line)
			}
		}, persistent: true}.handle(conn)
	}
}

// busyServer returns a server that answers right, but its first
// reply a second late: a server still busy with an earlier run's big
// numbers when the probe starts.
func busyServer() func(net.Conn) {
	var first sync.Once
	return func(conn net.Conn) {
		lineServer{reply: func(line []byte) []byte {
			first.Do(func() { time.Sleep(time.Second) })
			return judge(line)
		}, persistent: true}.handle(conn)
	}
}

// resetServer is one-shot, and ends its connections with a reset:
// after its reply it waits for whatever the client sends next (the
// probe's second request), then closes with SO_LINGER 0, which sends
// a reset (RST) instead of the end of the data.
func resetServer(conn net.Conn) {
	reader := bufio.NewReaderSize(conn, 1024)
	line, err := reader.ReadSlice('\n')
	if len(line) == 0 && err != nil {
		return
	}
	if _, err := conn.Write(judge(line)); err != nil {
		return
	}
	// More bytes, or the end: either way, a reset.
	_, _ = reader.ReadByte()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
}
