package tap

// The tap command: a TCP proxy that sits between a client and a
// server, passes every byte on, unchanged, and shows what crossed the
// wire: each chunk as the tap read it, when, and its bytes quoted.
//
//	go run ./02-byte-semantics tap -listen 127.0.0.1:8810 -to 127.0.0.1:8809
//
// The client connects to the tap (-listen); the tap connects to the
// server (-to). Two options turn loopback into a slower network:
// -delay holds every chunk before passing it on, and -chunk cuts
// what the tap passes on into small pieces.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const usage = `usage: go run ./02-byte-semantics tap [-listen host:port] [-to host:port] [-delay duration] [-chunk bytes]

The tap passes every byte between a client and a server, both ways,
unchanged, and shows each chunk it reads: connection number, time since
the connection opened, direction, size, and the bytes quoted.
Point the client at -listen; the tap connects to -to for it.

flags:
`

// How much the tap holds, and how much it shows.
const (
	// bufferSize and buffers bound what one direction of one
	// connection holds: 4 × 16 KiB. When they are all full, the
	// tap stops reading, and TCP makes the sender wait.
	bufferSize = 16 * 1024
	buffers    = 4

	// shownWidth is how many characters of a chunk's quoted
	// bytes one screen line shows at most.
	shownWidth = 64

	// A terminal shows what a person can read: a burst of lines,
	// then about twenty a second. (Redirected to a file, the tap
	// writes every line it can.) screenQueue lines wait for
	// the screen at most; past that, lines are left out, and the
	// screen says how many.
	screenBurst   = 50
	screenPerSec  = 20
	screenQueue   = 256
	screenPatient = 2 * time.Second

	dialTimeout = 5 * time.Second
)

// A config is what the command line asked for.
type config struct {
	listen    string        // where clients connect
	to        string        // the server the tap connects to
	delay     time.Duration // how long each chunk is held
	pieceSize int           // largest write passed on; 0 for any
}

// Run is the tap command with its inputs passed in, for the
// tests: it runs until ctx ends. It returns the exit code: 0 for
// success, 1 when the network fails, 2 for a command line it cannot
// read.
func Run(ctx context.Context, args []string,
	stdout, stderr io.Writer) int {
	config, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}

	// Listen first: a port another program holds is the most
	// common mistake, and it is said at once, in one line.
	listener, err := net.Listen("tcp", config.listen)
	if err != nil {
		fmt.Fprintf(stderr, "tap: cannot listen on %s: %v\n",
			config.listen, reason(err))
		return 1
	}
	defer listener.Close()

	// A tap that connects to itself would open connections to
	// itself for ever.
	if pointsAtItself(config.to, listener.Addr()) {
		fmt.Fprintf(stderr,
			"tap: -to %s is the tap's own address; give the server's\n",
			config.to)
		return 2
	}

	screen := newScreen(stdout, stderr, isTerminal(stdout))
	go screen.print()
	screen.show(0, fmt.Sprintf(
		"tap | listening on %s, passing every byte to %s",
		listener.Addr(), config.to))
	if config.delay > 0 || config.pieceSize > 0 {
		screen.show(0, "tap | "+describeSlowdown(config))
	}

	tap := &proxy{config: config, screen: screen}
	tap.serve(ctx, listener.(*net.TCPListener))

	// Every connection has ended before the screen closes: no
	// line can come after it.
	tap.links.Wait()
	screen.show(0, "tap | stopped")
	screen.close()
	return 0
}

// parseFlags reads the command line. A mistake gets one line on
// stderr and code 2; -h gets the usage on stdout and code 0.
func parseFlags(args []string, stdout, stderr io.Writer) (
	config config, code int, ok bool) {
	flags := flag.NewFlagSet("tap", flag.ContinueOnError)
	// The flag package would print the whole usage after an
	// error; we print one line instead.
	flags.SetOutput(io.Discard)
	flags.StringVar(&config.listen, "listen", "127.0.0.1:8810",
		"address the clients connect to")
	flags.StringVar(&config.to, "to", "127.0.0.1:8809",
		"address of the server")
	flags.DurationVar(&config.delay, "delay", 0,
		"hold each chunk this long before passing it on, each way (try 10ms)")
	flags.IntVar(&config.pieceSize, "chunk", 0,
		"pass bytes on in writes of at most this many bytes (0: as read)")

	err := flags.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		flags.SetOutput(stdout)
		flags.PrintDefaults()
		return config, 0, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "tap: %v (-h for help)\n", err)
		return config, 2, false
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr,
			"tap: unexpected argument %q (-h for help)\n",
			flags.Arg(0))
		return config, 2, false
	}
	if config.delay < 0 || config.pieceSize < 0 {
		fmt.Fprintln(stderr, "tap: -delay and -chunk cannot be negative")
		return config, 2, false
	}
	if _, _, err := net.SplitHostPort(config.to); err != nil {
		fmt.Fprintf(stderr, "tap: -to %q is not host:port: %v\n",
			config.to, reason(err))
		return config, 2, false
	}
	return config, 0, true
}

// pointsAtItself reports whether the server address is the tap's own.
func pointsAtItself(to string, listening net.Addr) bool {
	server, err := net.ResolveTCPAddr("tcp", to)
	if err != nil {
		// Not resolvable now: connecting will say so later.
		return false
	}
	self := listening.(*net.TCPAddr)
	if server.Port != self.Port {
		return false
	}
	// Listening on every interface (0.0.0.0 or [::]) takes in
	// loopback and this machine's own addresses.
	return server.IP.Equal(self.IP) || (self.IP.IsUnspecified() &&
		(server.IP.IsLoopback() || server.IP.IsUnspecified()))
}

// isTerminal reports whether out is a terminal, where a person
// reads, rather than a file or a pipe.
func isTerminal(out io.Writer) bool {
	file, ok := out.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// describeSlowdown says in words what -delay and -chunk do.
func describeSlowdown(config config) string {
	var parts []string
	if config.delay > 0 {
		parts = append(parts, fmt.Sprintf(
			"holding each chunk %v each way", config.delay))
	}
	if config.pieceSize > 0 {
		parts = append(parts, fmt.Sprintf(
			"passing bytes on in writes of at most %s",
			byteCount(config.pieceSize)))
	}
	return strings.Join(parts, ", ")
}

// reason strips from a network error the operation and address
// it repeats, which the message around it already names.
func reason(err error) error {
	var opError *net.OpError
	if errors.As(err, &opError) {
		return opError.Err
	}
	return err
}

// A proxy accepts clients and connects each to the server.
type proxy struct {
	config config
	screen *screen
	links  sync.WaitGroup
	nextID int
}

// serve accepts clients until ctx ends, each connection handled by
// its own goroutine.
func (t *proxy) serve(ctx context.Context, listener *net.TCPListener) {
	// Stopping closes the listener, which ends Accept's wait.
	stopAccepting := context.AfterFunc(ctx, func() {
		listener.Close()
	})
	defer stopAccepting()

	var backoff time.Duration
	for {
		client, err := listener.AcceptTCP()
		if ctx.Err() != nil {
			if client != nil {
				client.Close()
			}
			return
		}
		if err != nil {
			// Out of file descriptors, say: wait a little
			// longer each time rather than spin.
			backoff = min(max(2*backoff, 5*time.Millisecond),
				time.Second)
			t.screen.show(0, fmt.Sprintf(
				"tap | accepting a client failed: %v; trying again in %v",
				reason(err), backoff))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			continue
		}
		backoff = 0
		t.nextID++
		t.links.Add(1)
		go func(id int) {
			defer t.links.Done()
			t.handle(ctx, id, client)
		}(t.nextID)
	}
}

// handle connects one client to the server and passes bytes both
// ways until both sides have finished, one side fails, or ctx ends.
func (t *proxy) handle(ctx context.Context, id int,
	client *net.TCPConn) {
	link := &link{
		id:     id,
		opened: time.Now(),
		client: client,
		screen: t.screen,
		done:   make(chan struct{}),
	}

	// The tap connects to the server for this client. If the
	// server is not there, the client gets a reset, as it would
	// have got from the server's machine.
	dialer := net.Dialer{Timeout: dialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", t.config.to)
	if err != nil {
		link.show(
			"client %s connected; cannot connect to the server %s: %v; resetting the client",
			client.RemoteAddr(), t.config.to, reason(err))
		_ = client.SetLinger(0)
		client.Close()
		return
	}
	link.server = conn.(*net.TCPConn)
	link.show("client %s connected; tap connected to the server %s",
		client.RemoteAddr(), link.server.RemoteAddr())

	// Ctrl-C closes every connection.
	stopWatching := context.AfterFunc(ctx, func() {
		link.end(false, "the tap is stopping; closing both sides")
	})
	defer stopWatching()

	schedule := schedule{
		opened: link.opened,
		delay:  t.config.delay,
		spaced: t.config.pieceSize > 0,
	}
	up := newDirection(link, "client->server", "client",
		client, link.server, schedule, t.config.pieceSize)
	down := newDirection(link, "server->client", "server",
		link.server, client, schedule, t.config.pieceSize)

	// Each direction is a reader and a writer, with the chunks
	// in between: four goroutines.
	var pumps sync.WaitGroup
	for _, d := range []*direction{up, down} {
		pumps.Add(2)
		go func() { defer pumps.Done(); d.read() }()
		go func() { defer pumps.Done(); d.write() }()
	}
	pumps.Wait()

	// Both sides have said all they had to say, or the link was
	// ended early. Either way, close what is still open.
	link.end(false, "")
	link.show("closed: %s client->server, %s server->client",
		byteCount(up.total), byteCount(down.total))
}

// A link is one client's connection through the tap: the client
// side, the server side, and how to end both.
type link struct {
	id     int
	opened time.Time
	client *net.TCPConn
	server *net.TCPConn
	screen *screen

	ending sync.Once
	done   chan struct{} // closed when the link is ended early
}

// show puts one line about this connection on the screen, with its
// number and the time since it opened.
func (l *link) show(format string, args ...any) {
	elapsed := elapsed(time.Since(l.opened))
	l.screen.show(l.id, fmt.Sprintf("#%d +%v %s", l.id, elapsed,
		fmt.Sprintf(format, args...)))
}

// end closes both sides, once. With reset, it closes them with a
// reset (RST) instead of the usual end of data (FIN): a reset on one
// side is passed on to the other as a reset.
func (l *link) end(reset bool, why string) {
	l.ending.Do(func() {
		// Closing done first tells every goroutine of this link
		// that the errors they are about to see are expected.
		close(l.done)
		if why != "" {
			l.show("%s", why)
		}
		if reset {
			// Linger 0: Close sends a reset and drops
			// whatever was not yet sent.
			_ = l.client.SetLinger(0)
			_ = l.server.SetLinger(0)
		}
		l.client.Close()
		l.server.Close()
	})
}

// ended reports whether the link has been ended early.
func (l *link) ended() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// A chunk is what one Read returned, and when; or, with end set,
// the end of the data (the sender's FIN).
type chunk struct {
	data   []byte
	buffer []byte // to give back once data is passed on
	readAt time.Time
	end    bool
}

// A direction passes bytes one way: a reader that reads chunks
// from one side, a writer that writes them to the other, and a few
// buffers going round between the two.
type direction struct {
	link      *link
	name      string // "client->server"
	sender    string // "client"
	from, to  *net.TCPConn
	schedule  schedule
	pieceSize int

	free   chan []byte // buffers ready to read into
	chunks chan chunk  // read, waiting to be passed on
	total  int         // bytes read; the reader's alone

	lastPiece time.Time // when the last piece left; the writer's
}

func newDirection(link *link, name, sender string,
	from, to *net.TCPConn, schedule schedule,
	pieceSize int) *direction {
	d := &direction{
		link: link, name: name, sender: sender,
		from: from, to: to,
		schedule: schedule, pieceSize: pieceSize,
		free:   make(chan []byte, buffers),
		chunks: make(chan chunk, buffers+1),
	}
	for range buffers {
		d.free <- make([]byte, bufferSize)
	}
	return d
}

// read reads chunks and hands them to the writer. When every buffer
// is in use it waits before reading more, so a receiver that does
// not read makes the sender wait: TCP's backpressure, passed on.
func (d *direction) read() {
	defer close(d.chunks)
	for {
		var buffer []byte
		select {
		case buffer = <-d.free:
		case <-d.link.done:
			return
		}

		n, err := d.from.Read(buffer)
		readAt := time.Now()
		if n > 0 {
			d.total += n
			d.link.show("%s %s %s", d.name, byteCount(n),
				quoteChunk(buffer[:n]))
			chunk := chunk{data: buffer[:n], buffer: buffer,
				readAt: readAt}
			if !d.hand(chunk) {
				return
			}
		} else {
			d.free <- buffer
		}

		// End of data: the sender closed, or shut its writing
		// side. The writer passes the FIN on, in its turn.
		if errors.Is(err, io.EOF) {
			d.link.show("%s end of data (FIN): the %s sends no more",
				d.name, d.sender)
			d.hand(chunk{readAt: readAt, end: true})
			return
		}
		if err != nil {
			if d.link.ended() {
				return
			}
			d.link.end(true, fmt.Sprintf(
				"%s reading failed: %v; resetting both sides",
				d.name, reason(err)))
			return
		}
	}
}

// hand gives a chunk to the writer, unless the link has ended.
func (d *direction) hand(chunk chunk) bool {
	select {
	case d.chunks <- chunk:
		return true
	case <-d.link.done:
		return false
	}
}

// write passes each chunk on when its time comes, in order.
func (d *direction) write() {
	for {
		var chunk chunk
		var ok bool
		select {
		case chunk, ok = <-d.chunks:
			if !ok {
				return
			}
		case <-d.link.done:
			return
		}

		if chunk.end {
			if !d.waitUntil(d.schedule.departure(chunk.readAt,
				d.lastPiece)) {
				return
			}
			// Half-close: the other side reads end of data,
			// and can still send.
			if err := d.to.CloseWrite(); err != nil {
				d.failed(err)
			}
			return
		}
		if err := d.pass(d.to, chunk); err != nil {
			d.failed(err)
			return
		}
		d.free <- chunk.buffer
	}
}

// pass writes one chunk to w, in pieces of at most pieceSize bytes,
// each piece its own Write, each leaving when the schedule says.
func (d *direction) pass(w io.Writer, chunk chunk) error {
	data := chunk.data
	for len(data) > 0 {
		leave := d.schedule.departure(chunk.readAt, d.lastPiece)
		if !d.waitUntil(leave) {
			return nil
		}
		size := len(data)
		if d.pieceSize > 0 {
			size = min(size, d.pieceSize)
		}
		if _, err := w.Write(data[:size]); err != nil {
			return err
		}
		d.lastPiece = time.Now()
		data = data[size:]
	}
	return nil
}

// failed ends the link after a write failed: the receiver is gone.
func (d *direction) failed(err error) {
	if d.link.ended() {
		return
	}
	d.link.end(true, fmt.Sprintf(
		"%s passing bytes on failed: %v; resetting both sides",
		d.name, reason(err)))
}

// waitUntil waits for the moment given, and reports false if the
// link ended first.
func (d *direction) waitUntil(moment time.Time) bool {
	wait := time.Until(moment)
	if wait <= 0 {
		return !d.link.ended()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-d.link.done:
		return false
	}
}

// A schedule says when a chunk leaves the tap, with -delay:
//
//   - each chunk is held delay after it was read, as a link with that
//     latency would; chunks do not wait for each other, so a chunk
//     read 1 ms after another leaves 1 ms after it;
//   - on a real link a new connection costs a round trip (the
//     handshake) before any byte can cross; the system has done that
//     handshake with the tap before the tap hears of the client, so
//     the tap charges it here: nothing leaves before 2 × delay after
//     the connection opened;
//   - with -chunk, the pieces leave one by one, delay apart, so that
//     the other side reads them one at a time.
type schedule struct {
	opened time.Time
	delay  time.Duration
	spaced bool
}

// departure is when a piece of a chunk read at readAt may leave,
// given when the previous piece left (zero if none has).
func (s schedule) departure(readAt, previous time.Time) time.Time {
	if s.delay <= 0 {
		return readAt
	}
	handshakeOver := s.opened.Add(2 * s.delay)
	leave := readAt
	if leave.Before(handshakeOver) {
		leave = handshakeOver
	}
	leave = leave.Add(s.delay)
	if s.spaced && !previous.IsZero() {
		if next := previous.Add(s.delay); next.After(leave) {
			leave = next
		}
	}
	return leave
}

// quoteChunk quotes bytes as %+q does: every control character,
// every byte that is not UTF-8 and every rune that is not ASCII is
// escaped, so nothing a client sends can act on the terminal or pose
// as something else. It shows at most shownWidth characters
// between the quotes, and "…" after them when it cut.
func quoteChunk(data []byte) string {
	var shown strings.Builder
	for len(data) > 0 {
		// One rune at a time, or one byte if it is not UTF-8.
		_, size := utf8.DecodeRune(data)
		quoted := strconv.QuoteToASCII(string(data[:size]))
		escaped := quoted[1 : len(quoted)-1]
		if shown.Len()+len(escaped) > shownWidth {
			return `"` + shown.String() + `"…`
		}
		shown.WriteString(escaped)
		data = data[size:]
	}
	return `"` + shown.String() + `"`
}

// byteCount writes 1 as "1 byte" and 3 as "3 bytes".
func byteCount(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

// elapsed rounds a duration to about three significant digits:
// 17.2µs, 312µs, 10.4ms.
func elapsed(d time.Duration) time.Duration {
	precision := time.Duration(1)
	for limit := time.Duration(1000); d >= limit; limit *= 10 {
		precision *= 10
	}
	return d.Round(precision)
}

// A screen prints lines for the connections without ever making
// them wait: show drops a line rather than block, and the screen
// says how many lines it left out.
type screen struct {
	out     io.Writer
	errOut  io.Writer
	limited bool // to what a person can read
	lines   chan line
	done    chan struct{} // closed when print has returned

	mu     sync.Mutex
	missed leftOut // lines the queue had no room for
}

// A line is one line of text, and the connection it is about
// (0 for the tap itself).
type line struct {
	conn int
	text string
}

// leftOut counts lines left out, and from which connections.
type leftOut struct {
	count       int
	first, last int
}

func (m *leftOut) add(conn, count int) {
	if conn > 0 {
		if m.first == 0 || conn < m.first {
			m.first = conn
		}
		m.last = max(m.last, conn)
	}
	m.count += count
}

func (m *leftOut) merge(other leftOut) {
	if other.count == 0 {
		return
	}
	if other.first > 0 {
		m.add(other.first, 0)
		m.add(other.last, 0)
	}
	m.count += other.count
}

// String is the line that tells the reader what was left out.
func (m leftOut) String() string {
	lines := "lines"
	if m.count == 1 {
		lines = "line"
	}
	text := fmt.Sprintf("… %d %s not shown", m.count, lines)
	switch {
	case m.first == 0:
	case m.first == m.last:
		text += fmt.Sprintf(" (connection #%d)", m.first)
	default:
		text += fmt.Sprintf(" (connections #%d to #%d)",
			m.first, m.last)
	}
	return text
}

// newScreen returns a screen writing to out; limited, it shows
// what a person can read and counts the rest.
func newScreen(out, errOut io.Writer, limited bool) *screen {
	return &screen{
		out:     out,
		errOut:  errOut,
		limited: limited,
		lines:   make(chan line, screenQueue),
		done:    make(chan struct{}),
	}
}

// show queues a line for the screen, or counts it as left out if
// the queue is full. It never waits.
func (s *screen) show(conn int, text string) {
	select {
	case s.lines <- line{conn, text}:
	default:
		s.mu.Lock()
		s.missed.add(conn, 1)
		s.mu.Unlock()
	}
}

// close lets print show what is queued, and waits for it, but not
// for ever: a terminal that stopped reading must not stop the tap
// from exiting.
func (s *screen) close() {
	close(s.lines)
	select {
	case <-s.done:
	case <-time.After(screenPatient):
	}
}

// print is the screen's goroutine: the only one that writes to it,
// so lines are never mixed. Limited, it shows a burst of lines,
// then about screenPerSec a second, and counts the rest. It says
// how many lines it left out once a second, and when it closes.
func (s *screen) print() {
	defer close(s.done)
	tokens := float64(screenBurst)
	refilled := time.Now()
	var missed leftOut
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	writeFailed := false

	write := func(text string) {
		_, err := io.WriteString(s.out, text+"\n")
		if err != nil && !writeFailed {
			writeFailed = true
			fmt.Fprintf(s.errOut,
				"tap: cannot write to the screen: %v; the bytes still flow\n",
				err)
		}
	}
	// tellMissed shows how many lines were left out, if any.
	tellMissed := func() {
		s.mu.Lock()
		missed.merge(s.missed)
		s.missed = leftOut{}
		s.mu.Unlock()
		if missed.count > 0 {
			write(missed.String())
			missed = leftOut{}
		}
	}

	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				tellMissed()
				return
			}
			now := time.Now()
			tokens = min(screenBurst, tokens+
				now.Sub(refilled).Seconds()*screenPerSec)
			refilled = now
			// The tap's own lines are few and always shown.
			if s.limited && tokens < 1 && line.conn > 0 {
				missed.add(line.conn, 1)
				continue
			}
			tokens--
			write(line.text)
		case <-ticker.C:
			// Once a second at most: what was left out.
			tellMissed()
		}
	}
}
