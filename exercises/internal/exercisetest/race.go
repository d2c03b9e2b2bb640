//go:build race

package exercisetest

// Race says whether the tests run under the race detector (go test
// -race), which sees two goroutines using the same memory without a
// lock the first time they do. Without it, a test must repeat the
// mistake until Go's own checks see it, such as its "concurrent map
// writes".
const Race = true
