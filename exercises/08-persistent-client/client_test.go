package persistentclient

import (
	"bufio"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"workbook/exercises/internal/exercisetest"
	"workbook/prime"
)

// server is a persistent prime server for the tests. It counts its
// connections and can hang up after a number of replies.
type server struct {
	listener    net.Listener
	connections atomic.Int64
	hangUpAfter int // 0: never
	done        sync.WaitGroup
}

func startServer(t *testing.T, hangUpAfter int) *server {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{listener: listener, hangUpAfter: hangUpAfter}
	s.done.Add(1)
	go s.serve()
	t.Cleanup(func() {
		listener.Close()
		s.done.Wait()
	})
	return s
}

func (s *server) serve() {
	defer s.done.Done()
	for {
		conn, err := s.listener.Accept()
		if err != nil {
			return
		}
		s.connections.Add(1)
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			defer conn.Close()
			lines := bufio.NewScanner(conn)
			for answered := 0; lines.Scan(); answered++ {
				if answered == s.hangUpAfter && s.hangUpAfter > 0 {
					return
				}
				reply := prime.Judge(lines.Bytes()).Reply()
				if _, err := conn.Write(reply); err != nil {
					return
				}
			}
		}()
	}
}

func TestAskAllOnOneConnection(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, 0)
	numbers := []string{"4j", "4", "5", "-5", "17", "29",
		"1125899906842624", "1125899906842623"}
	got, err := AskAll(s.listener.Addr().String(), numbers)
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
	s := startServer(t, 0)
	var numbers, want []string
	for n := range 1000 {
		request := []byte(string(rune('0'+n%10)) + "\n")
		numbers = append(numbers, string(request[:1]))
		want = append(want, string(prime.Judge(request)))
	}
	got, err := AskAll(s.listener.Addr().String(), numbers)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("AskAll(1000 numbers): %v, replies in the wrong "+
			"order or missing", err)
	}
	if n := s.connections.Load(); n != 1 {
		t.Errorf("AskAll used %d connections, want 1", n)
	}
}

func TestAskAllWhenTheServerHangsUp(t *testing.T) {
	exercisetest.Start(t, "client.go")
	s := startServer(t, 2)
	got, err := AskAll(s.listener.Addr().String(),
		[]string{"2", "3", "5", "7"})
	if err == nil {
		t.Errorf("AskAll with a server that hangs up after two "+
			"replies = %q, nil; want an error", got)
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
