package concurrentserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
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
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	return bufio.NewReader(conn).ReadString('\n')
}

// serveResult waits, at most 5 s, for Serve to return after Shutdown.
func serveResult(t *testing.T, served <-chan error) {
	t.Helper()
	select {
	case err := <-served:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve after Shutdown = %v, want "+
				"ErrServerClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Serve still running 5s after Shutdown")
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
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown still waiting 5s after its context ended " +
			"(100ms): it must give up when ctx is done")
	}
	serveResult(t, served)
	// The connection was closed: the client sees the end.
	if err := client.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
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
	case <-time.After(5 * time.Second):
		t.Fatal("Serve, called after Shutdown, still accepting 5s " +
			"later: it must return ErrServerClosed at once")
	}
}

// TestShutdownRightAfterServe calls Shutdown just after starting
// Serve in its goroutine, as a program that stops at once does: Serve
// may not have begun, or may be about to store its listener.
// Whatever the two share, the listener included, needs the lock: run
// with -race, the race detector reports a field one reads while the
// other writes it.
func TestShutdownRightAfterServe(t *testing.T) {
	exercisetest.Start(t, "server.go")
	for round := range 20 {
		listener, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer listener.Close() // so that a failing test still ends
		s := &Server{}
		served := make(chan error, 1)
		go func() { served <- s.Serve(listener) }()
		// Every other round, let Serve's goroutine run first, as
		// far as it goes before Accept waits.
		if round%2 == 1 {
			runtime.Gosched()
		}
		ctx, cancel := context.WithTimeout(context.Background(),
			5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Fatalf("Shutdown right after Serve began = %v, want nil",
				err)
		}
		select {
		case err := <-served:
			if !errors.Is(err, ErrServerClosed) {
				t.Fatalf("Serve, with Shutdown right after it "+
					"began, = %v, want ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve, with Shutdown right after it began, " +
				"still accepting 5s later:\nwhether Shutdown comes " +
				"before Serve stores the listener or after, one of " +
				"them must see the other (both under the lock)")
		}
	}
}

// heldListener hands out its first connection only once it has been
// closed, or a second later: as if Accept returned a client at the
// very moment Shutdown closed the listener, and Serve went on only
// after Shutdown had returned.
type heldListener struct {
	net.Listener
	accepted chan struct{} // closed when the first client is in
	release  chan struct{} // closed to hand it out
	first    sync.Once
}

func (l *heldListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	held := false
	l.first.Do(func() { held = true })
	if held {
		close(l.accepted)
		<-l.release
	}
	return conn, nil
}

// TestAClientAcceptedDuringShutdown has Accept return a client just
// as Shutdown closes the listener, and Serve see it only after
// Shutdown has returned: Shutdown waited for no one, so that client
// must not be served now. Serve must look, under the lock, whether
// Shutdown has begun before it takes a connection on, and close it
// if so.
func TestAClientAcceptedDuringShutdown(t *testing.T) {
	exercisetest.Start(t, "server.go")
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listener := &heldListener{Listener: inner,
		accepted: make(chan struct{}), release: make(chan struct{})}
	defer listener.Close() // so that a failing test still ends
	s := &Server{}
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()

	client := dial(t, inner.Addr().String())
	if _, err := client.Write([]byte("17\n")); err != nil {
		t.Fatal(err)
	}
	<-listener.accepted

	// Shutdown, with nobody being served yet; the client goes to
	// Serve once Shutdown has returned, or after a second if
	// Shutdown waits for Serve.
	ctx, cancel := context.WithTimeout(context.Background(),
		5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	var shutdownErr error
	returned := false
	select {
	case shutdownErr = <-done:
		returned = true
	case <-time.After(time.Second):
	}
	close(listener.release)
	serveResult(t, served)

	// The client must see its connection end, unanswered.
	if err := client.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	reply, err := bufio.NewReader(client).ReadString('\n')
	var timeout net.Error
	switch {
	case err == nil && returned:
		t.Errorf("a client accepted as Shutdown began got %q after "+
			"Shutdown returned:\nServe took it on after Shutdown "+
			"had stopped waiting; look whether Shutdown has begun, "+
			"under the lock,\nafter each Accept, and close the "+
			"connection if so", reply)
	case err == nil:
		t.Errorf("a client accepted as Shutdown began got %q: "+
			"close it instead, Shutdown has begun", reply)
	case errors.As(err, &timeout) && timeout.Timeout():
		t.Errorf("a client accepted as Shutdown began was neither " +
			"answered nor closed: close it, Shutdown has begun")
	}
	client.Close()
	if !returned {
		shutdownErr = <-done
	}
	if shutdownErr != nil {
		t.Errorf("Shutdown with no client being served = %v, want "+
			"nil", shutdownErr)
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
