package keyvalue

import (
	"bufio"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/exercises/internal/harness"
)

func TestCommands(t *testing.T) {
	exercisetest.Start(t, "store.go")
	store := NewStore()
	steps := []struct{ request, want string }{
		{"GET colour", "NOT FOUND"},
		{"SET colour blue", "OK"},
		{"GET colour", "blue"},
		{"SET colour red", "OK"},
		{"GET colour", "red"},
		{"DEL colour", "OK"},
		{"GET colour", "NOT FOUND"},
		{"DEL colour", "NOT FOUND"},
		{"SET colour", "ERROR usage: SET key value"},
		{"GET", "ERROR usage: GET key"},
		{"DEL a b", "ERROR usage: DEL key"},
		{"PUT colour blue", "ERROR unknown command"},
		{"", "ERROR unknown command"},
	}
	// One subtest per step, in order, on the same store: a panic
	// says which request caused it.
	for _, step := range steps {
		t.Run(step.request, func(t *testing.T) {
			if got := store.Handle(step.request); got != step.want {
				t.Errorf("Handle(%q) = %q, want %q",
					step.request, got, step.want)
			}
		})
	}
}

func TestTwoStoresAreSeparate(t *testing.T) {
	exercisetest.Start(t, "store.go")
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
	store := NewStore()
	var wait sync.WaitGroup
	for client := range 50 {
		wait.Add(1)
		go func() {
			defer wait.Done()
			for i := range 100 {
				key := fmt.Sprintf("k%d-%d", client, i)
				store.Handle("SET " + key + " v")
				store.Handle("SET shared " + key)
				store.Handle("GET shared")
				if i%10 == 0 {
					store.Handle("DEL shared")
				}
				if i%2 == 0 {
					store.Handle("DEL " + key)
				}
			}
		}()
	}
	wait.Wait()
	for client := range 50 {
		for i := range 100 {
			key := fmt.Sprintf("k%d-%d", client, i)
			want := "v"
			if i%2 == 0 {
				want = "NOT FOUND"
			}
			if got := store.Handle("GET " + key); got != want {
				t.Fatalf("after 50 clients, Handle(%q) = %q, "+
					"want %q", "GET "+key, got, want)
			}
		}
	}
}

func TestThroughTheServer(t *testing.T) {
	exercisetest.Start(t, "store.go")
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
