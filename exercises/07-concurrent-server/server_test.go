package concurrentserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
)

// start runs a Server on a free port; the test shuts it down.
func start(t *testing.T) (*Server, string, <-chan error) {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()
	t.Cleanup(func() { listener.Close() })
	return s, listener.Addr().String(), served
}

// ask sends one request on conn and returns the reply line.
func ask(t *testing.T, conn net.Conn, request string) (string, error) {
	t.Helper()
	if _, err := conn.Write([]byte(request)); err != nil {
		return "", err
	}
	if err := conn.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

// serveResult waits, at most 2 s, for Serve to return after Shutdown.
func serveResult(t *testing.T, served <-chan error) {
	t.Helper()
	select {
	case err := <-served:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve after Shutdown = %v, want "+
				"ErrServerClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("Serve still running 2s after Shutdown")
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func TestServesTwoClientsAtOnce(t *testing.T) {
	exercisetest.Start(t, "server.go")
	s, addr, served := start(t)
	first := dial(t, addr)
	if reply, err := ask(t, first, "17\n"); err != nil || reply != "T\n" {
		t.Fatalf("first client: reply %q, %v; want \"T\\n\"", reply, err)
	}

	// The first client stays connected. The second must be
	// answered anyway.
	second := dial(t, addr)
	reply, err := ask(t, second, "4\n")
	if err != nil || reply != "F\n" {
		t.Errorf("second client, while the first is connected: "+
			"reply %q, %v; want \"F\\n\"", reply, err)
	}

	first.Close()
	second.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown after both clients left = %v, want nil", err)
	}
	serveResult(t, served)
}

func TestShutdownWaitsForTheClientsBeingServed(t *testing.T) {
	exercisetest.Start(t, "server.go")
	s, addr, served := start(t)
	client := dial(t, addr)
	if reply, err := ask(t, client, "17\n"); err != nil || reply != "T\n" {
		t.Fatalf("reply %q, %v; want \"T\\n\"", reply, err)
	}

	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	defer client.Close() // so that a failing test still ends

	// New clients are refused at once...
	serveResult(t, served)
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Error("a new client could connect after Shutdown")
	}
	// ...but the connected one is still served.
	if reply, err := ask(t, client, "4\n"); err != nil || reply != "F\n" {
		t.Errorf("during Shutdown, the connected client got %q, %v; "+
			"want \"F\\n\"", reply, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a client was connected",
			err)
	default:
	}

	// When it hangs up, Shutdown is done.
	client.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Shutdown = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown still waiting 5s after the last client left")
	}
}

func TestShutdownGivesUpWhenTheContextEnds(t *testing.T) {
	exercisetest.Start(t, "server.go")
	s, addr, served := start(t)
	client := dial(t, addr)
	if reply, err := ask(t, client, "17\n"); err != nil || reply != "T\n" {
		t.Fatalf("reply %q, %v; want \"T\\n\"", reply, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(),
		100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	defer client.Close() // so that a failing test still ends
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown with a client that never leaves = %v, "+
				"want context.DeadlineExceeded", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Shutdown still waiting 2s after its context ended " +
			"(100ms): it must give up when ctx is done")
	}
	serveResult(t, served)
	// The connection was closed: the client sees the end.
	if err := client.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the client's Read after Shutdown gave up: %v, "+
			"want EOF", err)
	}
}

func TestShutdownBeforeServe(t *testing.T) {
	exercisetest.Start(t, "server.go")
	s := &Server{}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown of a server not yet serving = %v, want nil",
			err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close() // so that a failing test still ends
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()
	select {
	case err := <-served:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve after Shutdown = %v, want ErrServerClosed",
				err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve, called after Shutdown, still accepting 2s " +
			"later: it must return ErrServerClosed at once")
	}
}

// TestManyClientsAtOnce has 20 clients come, ask and leave at the
// same time, while Serve adds connections to what Shutdown needs and
// their goroutines take them off. Run with -race, the race detector
// reports anything they share without a lock.
func TestManyClientsAtOnce(t *testing.T) {
	exercisetest.Start(t, "server.go")
	s, addr, served := start(t)
	problems := make(chan string, 20)
	var clients sync.WaitGroup
	for range 20 {
		clients.Go(func() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				problems <- err.Error()
				return
			}
			defer conn.Close()
			for _, request := range []string{"17\n", "4\n"} {
				if _, err := ask(t, conn, request); err != nil {
					problems <- fmt.Sprintf("with 20 clients at "+
						"once, %q got no reply: %v", request, err)
					return
				}
			}
		})
	}
	clients.Wait()
	close(problems)
	for problem := range problems {
		t.Error(problem)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown after 20 clients left = %v, want nil", err)
	}
	serveResult(t, served)
}
