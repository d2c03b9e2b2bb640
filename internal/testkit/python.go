package testkit

import (
	"testing"

	"workbook/internal/python"
)

// NeedPython returns the path of a python3 that works, or skips the
// test with a line that says why there is none: not installed, or
// not a Python (the Microsoft Store's stand-in on Windows).
func NeedPython(t testing.TB) string {
	t.Helper()
	path, err := python.Find()
	if err != nil {
		t.Skipf("the comparison with Python needs a working python3: %v", err)
	}
	return path
}
