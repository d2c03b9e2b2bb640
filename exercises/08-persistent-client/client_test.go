package persistentclient

import (
	"bufio"
	"fmt"
	"net"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/prime"
)

// slack is how much later than the 5 s it promises AskAll may give up
// on a silent server, on a busy machine running the race detector.
const slack = 3 * time.Second

// A replier writes the reply to the request numbered answered (from
// 0) on one connection. It returns false to hang up instead.
type replier func(conn net.Conn, answered int, request []byte) bool

// honest replies as the protocol says, in one write.
func honest(conn net.Conn, _ int, request []byte) bool {
	_, err := conn.Write(prime.Judge(request).Reply())
	return err == nil
}

// inTwoPieces replies as the protocol says, but writes the verdict's
// letter and its '\n' apart, as TCP may deliver them.
func inTwoPieces(conn net.Conn, _ int, request []byte) bool {
	reply := prime.Judge(request).Reply()
	if _, err := conn.Write(reply[:1]); err != nil {
		return false
	}
	time.Sleep(20 * time.Millisecond)
	_, err := conn.Write(reply[1:])
	return err == nil
}

// hangUpAfterTwo replies to two requests, then hangs up.
func hangUpAfterTwo(conn net.Conn, answered int, request []byte) bool {
	return answered < 2 && honest(conn, answered, request)
}

// secondReply replies honestly, except with bad to the second
// request.
func secondReply(bad string) replier {
	return func(conn net.Conn, answered int, request []byte) bool {
		if answered == 1 {
			_, err := conn.Write([]byte(bad))
			return err == nil
		}
		return honest(conn, answered, request)
	}
}

// silent reads every request and never replies.
func silent(net.Conn, int, []byte) bool { return true }

// server is a persistent prime server for the tests. It counts its
// connections, and replies to each request with its replier.
type server struct {
	listener    net.Listener
	reply       replier
	connections atomic.Int64
	done        sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn // closed when the test ends

	// hungUp is told each time a client closes its connection
	// while the server waits for its next request.
	hungUp chan struct{}
}

func startServer(t *testing.T, reply replier) *server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{listener: listener, reply: reply,
		hungUp: make(chan struct{}, 100)}
	s.done.Add(1)
	go s.serve()
	t.Cleanup(func() {
		listener.Close()
		s.mu.Lock()
		for _, conn := range s.conns {
			conn.Close()
		}
		s.mu.Unlock()
		s.done.Wait()
	})
	return s
}

func (s *server) addr() string { return s.listener.Addr().String() }

func (s *server) serve() {
	defer s.done.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		s.connections.Add(1)
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			defer conn.Close()
			lines := bufio.NewScanner(conn)
			for answered := 0; lines.Scan(); answered++ {
				if !s.reply(conn, answered, lines.Bytes()) {
					return
				}
			}
			// The client closed: its end of data, or a reset if
			// it left replies unread.
			select {
			case s.hungUp <- struct{}{}:
			default:
			}
		}()
	}
}

func TestAskAllOnOneConnection(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, honest)
	numbers := []string{"4j", "4", "5", "-5", "17", "29",
		"1125899906842624", "1125899906842623"}
	got, err := AskAll(s.addr(), numbers)
	want := []string{"E", "F", "T", "F", "T", "T", "F", "F"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("AskAll(%q) = %q, %v; want %q, nil",
			numbers, got, err, want)
	}
	if n := s.connections.Load(); n != 1 {
		t.Errorf("AskAll used %d connections, want 1", n)
	}
}

func TestAskAllManyNumbers(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, honest)
	random := exercisetest.Random(t)
	var numbers, want []string
	for range 1000 {
		number := strconv.Itoa(random.IntN(1000))
		numbers = append(numbers, number)
		want = append(want, string(prime.Judge([]byte(number))))
	}
	got, err := AskAll(s.addr(), numbers)
	if err != nil {
		t.Fatalf("AskAll(1000 numbers): %v", err)
	}
	if diff := exercisetest.FirstDifference(got, want, "verdict"); diff != "" {
		t.Fatalf("AskAll(1000 numbers), verdict by verdict: %s", diff)
	}
	if n := s.connections.Load(); n != 1 {
		t.Errorf("AskAll used %d connections, want 1", n)
	}
}

// TestAskAllWhenAReplyComesInTwoPieces has the server write each
// reply's letter and its '\n' separately, as TCP may deliver them: one
// Read is not one reply.
func TestAskAllWhenAReplyComesInTwoPieces(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, inTwoPieces)
	numbers := []string{"4", "5", "4j", "17", "21"}
	got, err := AskAll(s.addr(), numbers)
	want := []string{"F", "T", "E", "T", "F"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("each reply written in two pieces (\"T\", then "+
			"\"\\n\"): AskAll(%q) = %q, %v; want %q, nil",
			numbers, got, err, want)
	}
}

func TestAskAllWhenTheServerHangsUp(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, hangUpAfterTwo)
	got, err := AskAll(s.addr(), []string{"2", "3", "5", "7"})
	if err == nil {
		t.Errorf("AskAll with a server that hangs up after two "+
			"replies = %q, nil; want an error", got)
	} else if got != nil {
		t.Errorf("AskAll with a server that hangs up after two "+
			"replies = %s, %v; want nil verdicts with the error",
			verdicts(got), err)
	}
}

func TestAskAllWithABadReply(t *testing.T) {
	exercisetest.Start(t, "client.go")
	for _, bad := range []string{"maybe\n", "t\n", "TT\n", "T\r\n",
		"\n", "X\n"} {
		t.Run(exercisetest.Quote(bad), func(t *testing.T) {
			s := startServer(t, secondReply(bad))
			got, err := AskAll(s.addr(), []string{"2", "3", "5"})
			if err == nil || got != nil {
				t.Errorf("the second reply %q: AskAll = %s, %v; want "+
					"nil verdicts and an error", bad, verdicts(got), err)
			}
		})
	}
}

// verdicts shows what AskAll returned, telling nil from an empty
// slice, which %q shows alike, as [].
func verdicts(got []string) string {
	switch {
	case got == nil:
		return "nil"
	case len(got) == 0:
		return "[]string{} (empty, but not nil)"
	}
	return fmt.Sprintf("%q", got)
}

// TestAskAllClosesItsConnection checks that once AskAll has returned,
// whether it got every reply or a bad one, the server sees the
// client's end of data: AskAll closed its connection. (Go closes a
// lost connection by itself when the garbage collector frees it,
// some time later or never; the test holds the collector off, so
// that only AskAll's own Close counts.)
func TestAskAllClosesItsConnection(t *testing.T) {
	exercisetest.Start(t, "client.go")
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cases := []struct {
		name  string
		reply replier
	}{
		{"after every reply", honest},
		{"after a bad reply", secondReply("maybe\n")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, c.reply)
			_, err := AskAll(s.addr(), []string{"2", "3", "5"})
			select {
			case <-s.hungUp:
			case <-time.After(2 * time.Second):
				t.Errorf("AskAll returned (error %v), but 2 s later "+
					"the server still has the connection open: close "+
					"it, `defer conn.Close()` right after the dial",
					err)
			}
		})
	}
}

func TestAskAllWithNoServer(t *testing.T) {
	exercisetest.Start(t, "client.go")
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	listener.Close()
	if _, err := AskAll(addr, []string{"7"}); err == nil {
		t.Errorf("AskAll(%q) with nobody listening = nil error", addr)
	}
}

// TestAskAllGivesUpOnASilentServer: a server that reads the numbers
// and never answers. AskAll promises to wait at most 5 s.
func TestAskAllGivesUpOnASilentServer(t *testing.T) {
	exercisetest.Start(t, "client.go")
	t.Parallel()
	s := startServer(t, silent)
	type result struct {
		verdicts []string
		err      error
	}
	returned := make(chan result, 1)
	go func() {
		verdicts, err := AskAll(s.addr(), []string{"7"})
		returned <- result{verdicts, err}
	}()
	select {
	case r := <-returned:
		if r.err == nil {
			t.Errorf("AskAll with a server that never answers = %q, "+
				"nil; want an error", r.verdicts)
		}
	case <-time.After(5*time.Second + slack):
		// The test's end closes the connection, which ends AskAll.
		t.Errorf("AskAll still waiting for a server silent for %v: "+
			"it promises to give up after 5s", 5*time.Second+slack)
	}
}
