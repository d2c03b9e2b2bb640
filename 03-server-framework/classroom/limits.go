package classroom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"workbook/03-server-framework/command"
)

// limits is the classroom's listener: it wraps the server's, as
// golang.org/x/net/netutil's LimitListener wraps net/http's, so that
// one laptop cannot take the server from the class.
//
//   - Past MaxConns connections, Accept waits for one to end: new
//     clients wait in the system's queue, as in front of any busy
//     server.
//   - Past MaxConnsPerHost connections from one address, a new one
//     is accepted and closed at once, with a reset, and the screen
//     says so once a second: the laptop fills only its own share.
//   - When Accept fails for a reason that may pass, such as running
//     out of file descriptors, it waits 5 ms, then 10, 20, up to a
//     second, instead of spinning on the error.
//   - Each connection's socket buffers are bounded, so that clients
//     that never read cannot make the system hold gigabytes.
type limits struct {
	net.Listener
	class *Class
	slots chan struct{} // one token per connection served

	mu      sync.Mutex
	perHost map[netip.Addr]int // connections open, by client IP

	closeOnce sync.Once
	closed    chan struct{}
}

func newLimits(listener net.Listener, class *Class) *limits {
	return &limits{
		Listener: listener,
		class:    class,
		slots:    make(chan struct{}, class.MaxConns),
		perHost:  make(map[netip.Addr]int),
		closed:   make(chan struct{}),
	}
}

// Accept returns the next connection within the limits.
func (l *limits) Accept() (net.Conn, error) {
	var backoff time.Duration
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
		conn, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			if !isTemporary(err) {
				return nil, err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			l.class.warn(fmt.Sprintf("cannot accept a connection (%v): "+
				"new clients wait; retrying in %v", command.Reason(err), backoff))
			select {
			case <-time.After(backoff):
			case <-l.closed:
				return nil, net.ErrClosed
			}
			continue
		}
		backoff = 0

		host := hostOf(conn.RemoteAddr())
		if !l.takePlace(host) {
			<-l.slots
			refuse(conn)
			l.class.screen.ended(conn.RemoteAddr(), l.class.whyRefused())
			continue
		}
		boundBuffers(conn)
		return l.class.newStudentConn(conn, host, l), nil
	}
}

// socketBufferBytes bounds what one connection's socket holds in the
// system, each way: a client that sends requests and never reads the
// replies fills the server's buffers, which the system otherwise
// grows to megabytes per connection. Linux counts twice what is asked
// for, so 64 KiB is 128 KiB each way, 8 MiB for one laptop's 32
// connections. A pipelining client still gets its replies at full
// speed.
const socketBufferBytes = 64 << 10

// boundBuffers sets conn's socket buffers to socketBufferBytes. If
// the system refuses, the connection keeps its own.
func boundBuffers(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetReadBuffer(socketBufferBytes)
		_ = tcp.SetWriteBuffer(socketBufferBytes)
	}
}

// Close closes the listener: an Accept that waits for a slot returns.
func (l *limits) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// takePlace counts a connection from host, unless host already has
// all it may have.
func (l *limits) takePlace(host netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perHost[host] >= l.class.MaxConnsPerHost {
		return false
	}
	l.perHost[host]++
	return true
}

// givePlace gives host's place back.
func (l *limits) givePlace(host netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.perHost[host]--
	if l.perHost[host] == 0 {
		delete(l.perHost, host)
	}
}

// refuse closes a connection over its host's limit with a reset
// (SO_LINGER 0) rather than the usual end of data. The client learns
// at once all the same, and the server keeps nothing of it: a
// connection the server ends normally stays a minute in TIME_WAIT,
// and a host that reopens every refused connection would leave tens
// of thousands of them, slowing every other client's turn in the
// queue of connections waiting to be accepted.
func refuse(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		// If it fails, the close is an ordinary one.
		_ = tcp.SetLinger(0)
	}
	conn.Close()
}

// isTemporary reports whether an Accept error may go away by itself:
// too many open files, too little memory for one more socket.
func isTemporary(err error) bool {
	for _, errno := range []syscall.Errno{
		syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
	} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// A studentConn is one student's connection, as the classroom keeps
// it: its host's place and slot, held until the handler is done, what
// the screen and the log need to know of it, and the log lines of
// requests whose replies have not left yet (see requestlog.go).
type studentConn struct {
	net.Conn
	class   *Class
	limits  *limits // nil for a connection the class did not accept
	host    netip.Addr
	peer    string        // the client's address, as shown
	dropped *atomic.Int64 // its host's requests the screen left out
	freed   atomic.Bool   // its place and slot are given back
	sentFIN bool          // CloseWrite sent the end of the data
	sawEOF  bool          // the client ended its side

	// Only the handler's goroutine touches these.
	pending      []byte // log lines waiting for their replies
	pendingLines int
	stamp        []byte // the time, as a log line starts with it
	stampSecond  int64
}

func (class *Class) newStudentConn(conn net.Conn, host netip.Addr,
	l *limits) *studentConn {
	return &studentConn{
		Conn:    conn,
		class:   class,
		limits:  l,
		host:    host,
		peer:    conn.RemoteAddr().String(),
		dropped: class.screen.droppedFromHost(host),
	}
}

// Write sends replies, then logs the requests they answer: a request
// is in the log once its reply has left, never before.
func (c *studentConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if c.pendingLines > 0 {
		// One reply, one '\n'.
		c.commit(bytes.Count(p[:n], newline))
	}
	// A client that keeps sending never makes its handler wait for
	// the network, and a goroutine that never waits keeps its
	// processor until Go's scheduler takes it back, every 10 ms or
	// so: with hundreds of such connections, a new student, the
	// screen and Ctrl-C would wait a full round of them. After each
	// write to the network, let the others run.
	runtime.Gosched()
	return n, err
}

// Read notes when the client ends its side.
func (c *studentConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if errors.Is(err, io.EOF) {
		c.sawEOF = true
	}
	return n, err
}

// CloseWrite sends the end of the data, as the framework's polite
// close asks.
func (c *studentConn) CloseWrite() error {
	half, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.ErrUnsupported
	}
	err := half.CloseWrite()
	c.sentFIN = err == nil
	return err
}

// Close closes the connection and gives its place back. A client that
// has not ended its side is still sending: it is reset, and the
// replies it has not yet taken are lost, though logged. The log
// counts them, where the system says how many (Linux).
func (c *studentConn) Close() error {
	c.freePlace()
	if c.class != nil && c.class.log != nil && !c.sawEOF {
		c.class.log.lostInFlight(repliesLostOnClose(c.Conn, c.sentFIN))
	}
	return c.Conn.Close()
}

// freePlace gives the connection's place and slot back, once: when
// its handler is done (see Guard), or when it closes.
func (c *studentConn) freePlace() {
	if c.limits == nil || c.freed.Swap(true) {
		return
	}
	c.limits.givePlace(c.host)
	<-c.limits.slots
}

// hostOfConn is the host a connection counts against.
func hostOfConn(conn net.Conn) netip.Addr {
	if student, ok := conn.(*studentConn); ok {
		return student.host
	}
	return hostOf(conn.RemoteAddr())
}
