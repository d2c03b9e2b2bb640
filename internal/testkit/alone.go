package testkit

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// aloneEnv names the one test that a process started by Alone runs.
const aloneEnv = "WORKBOOK_TEST_ALONE"

// Alone runs the calling test again in a process of its own, a copy
// of the test binary that runs that test and no other, and tells
// whether the caller is in that process:
//
//	if !testkit.Alone(t) {
//		return // the process of its own ran the test
//	}
//	... the test, measuring the whole process ...
//
// It is for a top-level test that measures its whole process (the
// memory in use, the goroutines alive), which other tests running
// beside it would disturb. The test binary that starts the copy
// runs the caller in parallel with the other tests meanwhile, fails
// if the copy fails, and skips if the copy skipped.
func Alone(t *testing.T) bool {
	t.Helper()
	if os.Getenv(aloneEnv) == t.Name() {
		return true
	}
	t.Parallel()
	binary, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	// -test.v shows whether the copy skipped the test.
	command := exec.CommandContext(t.Context(), binary,
		"-test.run=^"+regexp.QuoteMeta(t.Name())+"$",
		"-test.count=1", "-test.v=true")
	command.Env = append(os.Environ(), aloneEnv+"="+t.Name())
	output, err := command.CombinedOutput()
	if err != nil {
		t.Fatalf("%s, in a process of its own: %v\n%s", t.Name(), err, output)
	}
	if strings.Contains(string(output), "--- SKIP: "+t.Name()) {
		t.Skipf("in a process of its own:\n%s", output)
	}
	if !strings.Contains(string(output), "--- PASS: "+t.Name()) {
		t.Fatalf("%s did not run in a process of its own:\n%s", t.Name(), output)
	}
	t.Logf("in a process of its own:\n%s", output)
	return false
}
