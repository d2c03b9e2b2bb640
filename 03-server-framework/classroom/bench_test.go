package classroom

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"workbook/prime"
)

// BenchmarkRecording compares what recording a request costs the
// server, with the screen on (and dropping) and the log on, with what
// a minimal server's one Fprintf line per request costs.
func BenchmarkRecording(b *testing.B) {
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	line := []byte("97\n")
	b.Run("judge", func(b *testing.B) {
		screen := NewScreen(io.Discard)
		requestLog := newRequestLog(nopFile{}, "bench.log", 0, 1<<62, func(string) {})
		class := testClass(screen, requestLog)
		b.RunParallel(func(pb *testing.PB) {
			student := class.student(addr.String())
			for pb.Next() {
				class.record(student, line, false, prime.Prime)
			}
		})
		b.StopTimer()
		requestLog.Close(time.Now().Add(time.Second))
		screen.Close(time.Now().Add(time.Second))
	})
	b.Run("fprintf", func(b *testing.B) {
		var mu sync.Mutex
		out := bufio.NewWriterSize(io.Discard, 64<<10)
		b.RunParallel(func(pb *testing.PB) {
			peer := addr.String()
			for pb.Next() {
				mu.Lock()
				fmt.Fprintf(out, "%s %q T\n", peer, line)
				mu.Unlock()
			}
		})
	})
}

type nopFile struct{}

func (nopFile) Write(p []byte) (int, error) { return len(p), nil }
