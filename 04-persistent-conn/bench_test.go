package main

import (
	"net"
	"testing"
	"time"
)

// The four ways of asking, as Go benchmarks. Each reports requests
// per second; every reply is checked.
//
//	go test -run '^$' -bench . -count 5 ./04-persistent-conn

func reportRate(b *testing.B, requests int) {
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkNewConnectionPerRequest(b *testing.B) {
	_, addr := startServer(b, nil)
	w := newWorkload(1)
	for b.Loop() {
		if err := benchReconnect(addr, w); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}

func BenchmarkOneConnectionLockstep(b *testing.B) {
	_, addr := startServer(b, nil)
	conn := dialTest(b, addr)
	w := newWorkload(1)
	for b.Loop() {
		if err := askLockstep(conn, w.requests, w.check); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}

func BenchmarkOneConnectionPipelined(b *testing.B) {
	_, addr := startServer(b, nil)
	conn := dialTest(b, addr)
	// Pipelining needs all the requests at once: b.N of them.
	w := newWorkload(b.N)
	b.ResetTimer()
	if err := askPipelined(conn, w.requests, w.check); err != nil {
		b.Fatal(err)
	}
	reportRate(b, b.N)
}

func BenchmarkEightConnectionsLockstep(b *testing.B) {
	_, addr := startServer(b, nil)
	w := newWorkload(b.N)
	b.ResetTimer()
	if err := benchConcurrent(addr, w, 8); err != nil {
		b.Fatal(err)
	}
	reportRate(b, b.N)
}

func BenchmarkOneConnectionInPairs(b *testing.B) {
	_, addr := startServer(b, nil)
	w := newWorkload(2 * b.N)
	b.ResetTimer()
	if err := benchPairs(addr, w); err != nil {
		b.Fatal(err)
	}
	reportRate(b, 2*b.N)
}

// BenchmarkIdleConnectionMemory measures what one idle connection
// costs the server: its goroutine's stack, its buffers, its socket.
// The client's ends are counted too, so this is an upper bound.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	// Measured once for each call, whatever b.N: the figure is
	// bytes, not time.
	const idle = 2000
	s, addr := startServerFor(b, idle)
	defer s.stopForBench(b)
	var before, after runtimeMemory
	before.read()
	conns := make([]net.Conn, 0, idle)
	defer func() {
		for _, conn := range conns {
			conn.Close()
		}
	}()
	for range idle {
		conn, err := dial(addr)
		if err != nil {
			b.Fatal(err)
		}
		conns = append(conns, conn)
	}
	waitForConns(b, s, idle)
	after.read()
	perConn := float64(after.heapInUse+after.stackInUse-
		before.heapInUse-before.stackInUse) / idle
	b.ReportMetric(perConn, "B/idle-conn")
}

// startServerFor starts a server that accepts maxConns connections,
// for a benchmark that stops it itself.
func startServerFor(b *testing.B, maxConns int) (*benchServer, string) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := newServer(1024, 30*time.Second, maxConns+1)
	served := make(chan error, 1)
	go func() { served <- s.serve(listener) }()
	return &benchServer{s, served}, listener.Addr().String()
}

type benchServer struct {
	*server
	served chan error
}

func (s *benchServer) stopForBench(b *testing.B) {
	if err := s.shutdown(contextWithTimeout(10 * time.Second)); err != nil {
		b.Fatal(err)
	}
	<-s.served
}

func waitForConns(b *testing.B, s *benchServer, want int) {
	for start := time.Now(); time.Since(start) < 10*time.Second; {
		s.mu.Lock()
		got := len(s.conns)
		s.mu.Unlock()
		if got == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Fatalf("the server never had %d connections", want)
}
