package runner

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// A test binary built with -race waits a second before it exits,
	// for reports from goroutines still running (GORACE's
	// atexit_sleep_ms). The fake exercises here have none, and the
	// wait would be most of these tests' time.
	if err := os.Setenv("GORACE", "atexit_sleep_ms=0"); err != nil {
		panic(err)
	}
	goleak.VerifyTestMain(m)
}
