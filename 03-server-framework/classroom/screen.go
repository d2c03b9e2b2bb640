package classroom

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// What a person can read on a projected screen: about 20 request
// lines a second, in bursts of up to 10. The rest are counted, and
// the count is shown once a second.
const (
	screenLinesPerSecond = 20
	screenBurst          = 10
	screenTick           = time.Second / screenLinesPerSecond
	summaryEvery         = time.Second
	// The most lines of one summary that name hosts; the others
	// are added up.
	summaryHosts = 5
	// screenRoom is how much may wait for a slow terminal before
	// new lines are left out: a few hundred lines.
	screenRoom = 32 << 10
)

// A Screen is the server's terminal, often on the projector. Showing
// a request never waits for the terminal: a terminal that stops
// reading (Ctrl-S) or reads slowly holds up only the goroutine that
// writes to it. It shows what a person can read and says, once a
// second, how many requests it left out and from which hosts, and
// how many connections ended badly or were refused, host by host.
type Screen struct {
	// spool writes the lines; nil means each line is written at
	// once, under mu (the demo, which shares its terminal with a
	// client and keeps their lines in order).
	spool *spool
	out   io.Writer
	mu    sync.Mutex

	tokens  atomic.Int64 // request lines it may show now
	dropped sync.Map     // host (netip.Addr) → *atomic.Int64, requests not shown

	endingsMu sync.Mutex
	endings   map[ending]int64 // connections that ended badly, not yet said

	stop    chan struct{} // closed by Close: stop ticking
	stopped chan struct{} // closed when the ticking goroutine ends
}

// An ending is a host and why its connections ended: "closed at
// once: over the 32 connections allowed per host".
type ending struct {
	host string
	why  string
}

// NewScreen makes a screen that writes to out in the background,
// rate-limited. Close it when the server has stopped.
func NewScreen(out io.Writer) *Screen {
	s := &Screen{
		spool:   newSpool(out, screenRoom, 0, nil),
		out:     out,
		endings: make(map[ending]int64),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	s.tokens.Store(screenBurst)
	go s.tick()
	return s
}

// ShowEverything makes a screen that writes every line to out at
// once, without a limit: for the demo, whose server and client share
// one terminal and must print in order, and for tests.
func ShowEverything(out io.Writer) *Screen {
	return &Screen{out: out, endings: make(map[ending]int64)}
}

// Write shows p, one whole line of the server's own ("listening on",
// "stopped"): never left out by the rate limit, never waited for.
// A log.Logger can write to a Screen.
func (s *Screen) Write(p []byte) (int, error) {
	// The line is written later: keep a copy, as a Writer must.
	s.emit(bytes.Clone(p))
	return len(p), nil
}

// emit writes one line, or queues it. It reports whether the line
// will be shown.
func (s *Screen) emit(line []byte) bool {
	if s.spool != nil {
		return s.spool.add(line)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.out.Write(line)
	return true
}

// mayShow takes the right to show one request line. When there is
// none, it only counts the request in dropped: a request left out
// costs an atomic addition, nothing is formatted.
func (s *Screen) mayShow(dropped *atomic.Int64) bool {
	if s.spool == nil {
		return true
	}
	if s.tokens.Load() > 0 && s.tokens.Add(-1) >= 0 {
		return true
	}
	dropped.Add(1)
	return false
}

// showRequest shows a request line that mayShow allowed.
func (s *Screen) showRequest(line []byte, dropped *atomic.Int64) {
	if !s.emit(line) {
		dropped.Add(1)
	}
}

// ended counts a connection from addr that ended for the reason why.
// The screen says it with the next summary, one line per host and
// reason, never one per connection.
func (s *Screen) ended(addr net.Addr, why string) {
	key := ending{host: hostOf(addr).String(), why: why}
	s.endingsMu.Lock()
	s.endings[key]++
	s.endingsMu.Unlock()
	if s.spool == nil {
		s.summarize()
	}
}

// tick gives back the right to show a line, screenLinesPerSecond
// times a second, and shows the summary once a second.
func (s *Screen) tick() {
	defer close(s.stopped)
	ticker := time.NewTicker(screenTick)
	defer ticker.Stop()
	ticks := 0
	for {
		select {
		case <-s.stop:
			return
		case <-ticker.C:
		}
		s.refill()
		ticks++
		if ticks%int(summaryEvery/screenTick) == 0 {
			s.summarize()
		}
	}
}

// refill adds one right to show a line, up to screenBurst.
func (s *Screen) refill() {
	for {
		tokens := s.tokens.Load()
		next := min(max(tokens, 0)+1, screenBurst)
		if s.tokens.CompareAndSwap(tokens, next) {
			return
		}
	}
}

// summarize shows how many requests were left out since the last
// summary, and from which hosts, then the connections that ended
// badly.
func (s *Screen) summarize() {
	s.summarizeDropped()
	s.summarizeEndings()
}

// summarizeDropped shows a line such as
//
//	server | 48,213 requests not shown: 127.0.0.2 48,100, 10.0.0.7 113
func (s *Screen) summarizeDropped() {
	type count struct {
		host netip.Addr
		n    int64
	}
	var counts []count
	var total int64
	s.dropped.Range(func(host, n any) bool {
		if taken := n.(*atomic.Int64).Swap(0); taken > 0 {
			counts = append(counts, count{host.(netip.Addr), taken})
			total += taken
		}
		return true
	})
	if total == 0 {
		return
	}
	slices.SortFunc(counts, func(a, b count) int {
		return cmp.Or(cmp.Compare(b.n, a.n), a.host.Compare(b.host))
	})
	var hosts []string
	for i, c := range counts {
		if i == summaryHosts {
			var rest int64
			for _, c := range counts[i:] {
				rest += c.n
			}
			hosts = append(hosts, fmt.Sprintf("%d more hosts %s", len(counts)-i, thousands(rest)))
			break
		}
		hosts = append(hosts, c.host.String()+" "+thousands(c.n))
	}
	noun := "requests"
	if total == 1 {
		noun = "request"
	}
	line := fmt.Sprintf("server | %s %s not shown: %s\n",
		thousands(total), noun, strings.Join(hosts, ", "))
	if !s.emit([]byte(line)) {
		// Not shown either: counted again for the next summary.
		for _, c := range counts {
			s.droppedFromHost(c.host).Add(c.n)
		}
	}
}

// droppedFromHost is droppedFrom for a host already parsed.
func (s *Screen) droppedFromHost(host netip.Addr) *atomic.Int64 {
	if count, ok := s.dropped.Load(host); ok {
		return count.(*atomic.Int64)
	}
	count, _ := s.dropped.LoadOrStore(host, new(atomic.Int64))
	return count.(*atomic.Int64)
}

// summarizeEndings shows, for each host and reason, how many of the
// host's connections ended that way since the last summary:
//
//	server | 127.0.0.2: 2,968 connections closed at once: over the 32 allowed per host
func (s *Screen) summarizeEndings() {
	s.endingsMu.Lock()
	endings := s.endings
	s.endings = make(map[ending]int64)
	s.endingsMu.Unlock()
	if len(endings) == 0 {
		return
	}
	keys := make([]ending, 0, len(endings))
	for key := range endings {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, func(a, b ending) int {
		return cmp.Or(cmp.Compare(endings[b], endings[a]),
			strings.Compare(a.host, b.host), strings.Compare(a.why, b.why))
	})
	for i, key := range keys {
		if i == summaryHosts {
			var rest int64
			for _, key := range keys[i:] {
				rest += endings[key]
			}
			s.emit(fmt.Appendf(nil, "server | %s more connections ended early "+
				"or were refused, for other hosts or reasons\n", thousands(rest)))
			return
		}
		noun := "connections"
		if endings[key] == 1 {
			noun = "connection"
		}
		line := fmt.Appendf(nil, "server | %s: %s %s %s\n",
			key.host, thousands(endings[key]), noun, key.why)
		if !s.emit(line) {
			// Not shown either: counted again for the next
			// summary.
			s.endingsMu.Lock()
			s.endings[key] += endings[key]
			s.endingsMu.Unlock()
		}
	}
}

// Close shows the last summary and what is still queued, waiting for
// the terminal at most until deadline. A terminal that stopped
// reading must not keep the server from exiting.
func (s *Screen) Close(deadline time.Time) {
	if s.spool == nil {
		s.summarize()
		return
	}
	close(s.stop)
	<-s.stopped
	s.summarize()
	s.spool.close(deadline)
}

// hostOf is the address of the machine addr belongs to, without the
// port: the student's laptop. An IPv4 address that arrived over IPv6
// is shown as IPv4.
func hostOf(addr net.Addr) netip.Addr {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.AddrPort().Addr().Unmap()
	}
	host, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Addr{}
	}
	return host.Addr().Unmap()
}
