package main

import (
	"testing"
)

// The bench command's five ways of asking, as Go benchmarks. Each
// reports requests per second; every reply is checked. Unlike the
// bench command, they run the server and the client in this one test
// process: compare them with each other, not with the bench's table.
//
//	go test -run '^$' -bench . -count 5 ./04-persistent-conn

func reportRate(b *testing.B, requests int) {
	b.ReportMetric(float64(requests)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkNewConnectionPerRequest(b *testing.B) {
	addr := startServer(b)
	w := newWorkload(1)
	for b.Loop() {
		if err := benchReconnect(addr, w); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N)
}

func BenchmarkOneConnectionLockstep(b *testing.B) {
	addr := startServer(b)
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
	addr := startServer(b)
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
	addr := startServer(b)
	w := newWorkload(b.N)
	b.ResetTimer()
	if err := benchConcurrent(addr, w, 8); err != nil {
		b.Fatal(err)
	}
	reportRate(b, b.N)
}

func BenchmarkOneConnectionInPairs(b *testing.B) {
	addr := startServer(b)
	w := newWorkload(2 * b.N)
	b.ResetTimer()
	if err := benchPairs(addr, w); err != nil {
		b.Fatal(err)
	}
	reportRate(b, 2*b.N)
}

// BenchmarkIdleConnectionMemory measures the Go memory one idle
// connection costs: the growth of the heap and of the goroutines'
// stacks, divided by the connections. The test process holds both
// ends, so the client's net.Conn is in the figure too; the kernel's
// memory for the two sockets is not, since it is not Go's.
func BenchmarkIdleConnectionMemory(b *testing.B) {
	// Measured once for each call, whatever b.N: the figure is
	// bytes, not time.
	const idle = 2000
	addr := startServer(b)

	heapBefore, stacksBefore := memoryInUse()
	one := newWorkload(1)
	for i := range idle {
		// Each asks once, so that the server is surely
		// serving it, then stays connected, silent. Ten
		// connections for each laptop, as in a class.
		conn := dialFrom(b, i/10, addr)
		if err := askLockstep(conn, one.requests, one.check); err != nil {
			b.Fatal(err)
		}
	}
	heapAfter, stacksAfter := memoryInUse()
	perConn := float64(heapAfter+stacksAfter-heapBefore-stacksBefore) / idle
	b.ReportMetric(perConn, "B/idle-conn")
}
