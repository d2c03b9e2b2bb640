package exercisetest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A TimeLimit gives each call it runs 10 s. Once one has run out of
// time, the calls after it are skipped: each would only wait as long,
// and go test's own limit would stop the tests before they end.
type TimeLimit struct {
	ranOut atomic.Bool
}

// limit is how long a TimeLimit waits for a call: far longer than
// right code takes, even on a slow machine.
const limit = 10 * time.Second

// Call runs f as Within does. If f is still running after 10 s, it
// fails the test, saying that call (such as "IsPrime(17)") is still
// working, then advice.
func (l *TimeLimit) Call(t *testing.T, call string, f func(),
	advice string) {
	t.Helper()
	if l.ranOut.Load() {
		t.Skipf("skipped: a call before it was still working after %v",
			limit)
	}
	if !Within(t, limit, f) {
		l.ranOut.Store(true)
		t.Fatalf("%s still working after %v: %s", call, limit, advice)
	}
}

// Within calls f in a goroutine of its own and waits for it at most
// limit, so that a test can say in its own words what is too slow,
// instead of waiting for go test's time limit. It reports whether f
// returned in time; if not, f is left running, since Go cannot stop
// a goroutine from outside. A panic in f fails the test, with the
// panic's value and where in the exercise's files it happened.
func Within(t *testing.T, limit time.Duration, f func()) bool {
	t.Helper()
	returned, panicked := within(limit, f)
	if panicked != "" {
		t.Fatal(panicked)
	}
	return returned
}

// within is Within without the test: it returns whether f returned
// in time, and, if f panicked, what to say about it.
func within(limit time.Duration, f func()) (bool, string) {
	done := make(chan string, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Sprintf("panic: %v%s", p,
					whereInThisPackage(debug.Stack()))
			}
		}()
		f()
		done <- ""
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case panicked := <-done:
		return true, panicked
	case <-timer.C:
		return false, ""
	}
}

// whereInThisPackage picks from a goroutine's stack the calls made in
// the files of the directory the test runs in (the exercise's),
// other than its tests, each as "\n\tat file.go:12 in Func".
func whereInThisPackage(stack []byte) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	var where strings.Builder
	lines := strings.Split(string(stack), "\n")
	for i := 1; i < len(lines); i++ {
		// A call is two lines: the function, then "\tfile:line +0x1f".
		file, _, _ := strings.Cut(strings.TrimSpace(lines[i]), " +")
		path, line, found := strings.Cut(file, ".go:")
		if !found || filepath.Dir(path) != dir ||
			strings.HasSuffix(path, "_test") {
			continue
		}
		function := lines[i-1]
		if open := strings.LastIndex(function, "("); open > 0 {
			function = function[:open]
		}
		function = function[strings.LastIndex(function, ".")+1:]
		fmt.Fprintf(&where, "\n\tat %s.go:%s in %s",
			filepath.Base(path), line, function)
	}
	return where.String()
}
