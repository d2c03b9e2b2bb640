package keyvalue

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/exercises/internal/harness"
)

func TestCommands(t *testing.T) {
	exercisetest.Start(t, "store.go")
	store := NewStore()
	// why, if not "", says what a wrong answer misses.
	steps := []struct{ request, want, why string }{
		{"GET colour", "NOT FOUND", ""},
		{"SET colour blue", "OK", ""},
		{"GET colour", "blue", ""},
		{"SET colour red", "OK", ""},
		{"GET colour", "red", ""},
		{"DEL colour", "OK", ""},
		{"GET colour", "NOT FOUND", ""},
		{"DEL colour", "NOT FOUND", ""},
		{"SET colour green", "OK", ""},
		{"SET colour", "ERROR usage: SET key value", ""},
		{"SET colour light blue", "ERROR usage: SET key value",
			": a value has no spaces, so SET with more than " +
				"three words is a usage error"},
		{"GET colour", "green",
			": the SET with too many words must store nothing"},
		{"GET", "ERROR usage: GET key", ""},
		{"GET colour green", "ERROR usage: GET key", ""},
		{"DEL a b", "ERROR usage: DEL key", ""},
		{"PUT colour blue", "ERROR unknown command", ""},
		{"", "ERROR unknown command", ""},
		{"DEL colour", "OK", ""},
	}
	// One subtest per step, in order, on the same store: a panic
	// says which request caused it.
	before := "nothing"
	for _, step := range steps {
		t.Run(step.request, func(t *testing.T) {
			got := handle(t, store, step.request, before)
			if got != step.want {
				t.Errorf("Handle(%q) = %q, want %q%s",
					step.request, got, step.want, step.why)
			}
		})
		if stuck.Load() {
			return // every later step would wait too
		}
		before = fmt.Sprintf("Handle(%q)", step.request)
	}
}

// TestEveryAnswerUnlocks gives a store each kind of request, then a
// SET, which needs the lock: a way out of Handle that forgets to
// unlock makes that SET wait for ever.
func TestEveryAnswerUnlocks(t *testing.T) {
	exercisetest.Start(t, "store.go")
	for _, request := range []string{
		"SET key v", "GET key", "GET other", "DEL key", "DEL other",
		"SET key", "SET key a b", "GET", "GET a b", "DEL", "DEL a b",
		"PUT key v", "",
	} {
		t.Run(request, func(t *testing.T) {
			t.Parallel() // so that stuck ones wait 5 s in all
			store := NewStore()
			handle(t, store, "SET key v", "nothing")
			reply := handle(t, store, request, `Handle("SET key v")`)
			handle(t, store, "SET next v",
				fmt.Sprintf("Handle(%q), which answered %q",
					request, reply))
		})
	}
}

// stuck says that a test found Handle waiting for ever: the tests
// after it would only wait too, so they are skipped.
var stuck atomic.Bool

// notStuck skips a test if an earlier one found Handle waiting for
// ever.
func notStuck(t *testing.T) {
	t.Helper()
	if stuck.Load() {
		t.Skip("skipped: an earlier test found Handle waiting " +
			"for ever")
	}
}

// handle calls store.Handle(request) and returns its reply, or fails
// the test if Handle is still waiting after 5 s: for a lock that the
// call before, after, left held.
func handle(t *testing.T, store *Store, request, after string) string {
	t.Helper()
	replied := make(chan string, 1)
	go func() { replied <- store.Handle(request) }()
	select {
	case reply := <-replied:
		return reply
	case <-time.After(5 * time.Second):
		stuck.Store(true)
		t.Fatalf("Handle(%q) still waiting after 5 s, after %s:\n"+
			"that call left the lock held: an Unlock missing on one "+
			"way out? `defer s.mu.Unlock()` right after Lock "+
			"unlocks on every return", request, after)
		return ""
	}
}

func TestTwoStoresAreSeparate(t *testing.T) {
	exercisetest.Start(t, "store.go")
	notStuck(t)
	first, second := NewStore(), NewStore()
	first.Handle("SET colour blue")
	if got := second.Handle("GET colour"); got != "NOT FOUND" {
		t.Errorf("a key SET in one Store: GET in a second Store = %q, "+
			"want \"NOT FOUND\" (each Store needs its own map, "+
			"made in NewStore)", got)
	}
	second.Handle("SET colour red")
	if got := first.Handle("GET colour"); got != "blue" {
		t.Errorf("SET colour red in a second Store changed the "+
			"first: GET colour = %q, want \"blue\"", got)
	}
}

// TestManyClientsAtOnce calls Handle from 50 goroutines at once, as
// the server does with 50 connections. Run with -race, the race
// detector reports the map if anything touches it unguarded.
func TestManyClientsAtOnce(t *testing.T) {
	exercisetest.Start(t, "store.go")
	notStuck(t)
	store := NewStore()
	clients := crowd{store: store}
	for client := range 50 {
		clients.Go(func() {
			for i := range 100 {
				key := fmt.Sprintf("k%d-%d", client, i)
				clients.handle("SET " + key + " v")
				clients.handle("SET shared " + key)
				clients.handle("GET shared")
				if i%10 == 0 {
					clients.handle("DEL shared")
				}
				if i%2 == 0 {
					clients.handle("DEL " + key)
				}
			}
		})
	}
	clients.wait(t)
	for client := range 50 {
		for i := range 100 {
			key := fmt.Sprintf("k%d-%d", client, i)
			want := "v"
			if i%2 == 0 {
				want = "NOT FOUND"
			}
			got := handle(t, store, "GET "+key, "the 50 clients")
			if got != want {
				t.Fatalf("after 50 clients, Handle(%q) = %q, "+
					"want %q", "GET "+key, got, want)
			}
		}
	}
}

func TestThroughTheServer(t *testing.T) {
	exercisetest.Start(t, "store.go")
	notStuck(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	store := NewStore()
	served := make(chan error, 1)
	go func() { served <- harness.Serve(listener, store.Handle) }()
	defer func() {
		listener.Close()
		<-served
	}()

	// One client sets, another reads: one store for all.
	ask := func(request string) string {
		t.Helper()
		conn, err := net.Dial("tcp", listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write([]byte(request + "\n")); err != nil {
			t.Fatal(err)
		}
		reply, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	if got := ask("SET answer 42"); got != "OK\n" {
		t.Errorf("SET answer 42: got %q, want %q", got, "OK\n")
	}
	if got := ask("GET answer"); got != "42\n" {
		t.Errorf("GET answer, from another client: got %q, want %q",
			got, "42\n")
	}
}

// TestGetsWhileTheMapGrows has four clients GET in a loop while two
// others SET, then DEL, thousands of new keys each: the map grows and
// moves its entries again and again. A GET that does not wait for
// the lock reads the map while another goroutine rewrites it: -race
// reports it at once, and even without -race, Go soon stops the
// program with "concurrent map read and map write".
func TestGetsWhileTheMapGrows(t *testing.T) {
	exercisetest.Start(t, "store.go")
	notStuck(t)
	keys := 20000
	if exercisetest.Race {
		keys = 2000 // enough for the race detector, and quicker
	}
	store := NewStore()
	stop := make(chan struct{})
	readers, writers := crowd{store: store}, crowd{store: store}
	for range 4 {
		readers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
					readers.handle(fmt.Sprintf("GET w0-%d", i%keys))
				}
			}
		})
	}
	for writer := range 2 {
		writers.Go(func() {
			for i := range keys {
				writers.handle(fmt.Sprintf("SET w%d-%d v", writer, i))
			}
			for i := range keys {
				writers.handle(fmt.Sprintf("DEL w%d-%d", writer, i))
			}
		})
	}
	writers.wait(t)
	close(stop)
	readers.wait(t)
}

// TestOneDeleteWins stores a thousand keys, then has eight clients
// delete every one of them at once, in the same order, so that they
// keep asking for the same key at about the same moment: each key
// may be deleted, and its client told OK, only once. Looking for the
// key under one lock and deleting it under another lets two clients
// both find it, and both be told OK. That is no data race, so -race
// says nothing, but the answer is wrong; the test sees it when the
// clients run side by side, on two cores or more.
func TestOneDeleteWins(t *testing.T) {
	exercisetest.Start(t, "store.go")
	notStuck(t)
	store := NewStore()
	const keys, clients = 1000, 8
	rounds := 100
	if exercisetest.Race {
		rounds = 25 // slower, but two clients meet more often
	}
	for round := range rounds {
		setting := crowd{store: store}
		setting.Go(func() {
			for key := range keys {
				setting.handle(fmt.Sprintf("SET k%d v", key))
			}
		})
		setting.wait(t)

		var oks [keys]atomic.Int64
		deleting := crowd{store: store}
		for range clients {
			deleting.Go(func() {
				for key := range keys {
					request := fmt.Sprintf("DEL k%d", key)
					if deleting.handle(request) == "OK" {
						oks[key].Add(1)
					}
				}
			})
		}
		deleting.wait(t)
		for key := range keys {
			if n := oks[key].Load(); n != 1 {
				t.Fatalf("round %d: %d clients sent \"DEL k%d\" at "+
					"about the same moment, and %d were told OK, "+
					"want 1: look for the key and delete it under "+
					"one lock", round+1, clients, key, n)
			}
		}
	}
}

// A crowd is clients calling Handle at once, each in a goroutine.
// It counts the calls that return, so that waiting for the crowd
// tells a lock left held (no call returns any more) from a slow
// machine (calls still return, however slowly).
type crowd struct {
	store    *Store
	clients  sync.WaitGroup
	returned atomic.Int64
}

// Go starts one client.
func (c *crowd) Go(client func()) { c.clients.Go(client) }

// handle is store.Handle, counted.
func (c *crowd) handle(request string) string {
	reply := c.store.Handle(request)
	c.returned.Add(1)
	return reply
}

// wait waits for every client, or fails the test once no call to
// Handle has returned for 10 s: the clients wait for a lock that a
// request left held.
func (c *crowd) wait(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		c.clients.Wait()
		close(done)
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, still := c.returned.Load(), 0
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		if now := c.returned.Load(); now != last {
			last, still = now, 0
			continue
		}
		if still++; still == 10 {
			stuck.Store(true)
			t.Fatalf("clients waiting for Handle, and no call has " +
				"returned for 10 s:\na request left the lock held: " +
				"an Unlock missing on one way out? `defer " +
				"s.mu.Unlock()` right after Lock unlocks on every " +
				"return")
		}
	}
}
