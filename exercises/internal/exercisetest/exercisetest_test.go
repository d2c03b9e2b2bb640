package exercisetest

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestQuoteKeepsShortStringsWhole(t *testing.T) {
	if got := Quote("17\r\n"); got != `"17\r\n"` {
		t.Errorf("Quote(%q) = %s", "17\r\n", got)
	}
}

func TestQuoteShowsBothEndsOfALongString(t *testing.T) {
	long := strings.Repeat("9", 100) + "\r"
	got := Quote(long)
	if !strings.HasPrefix(got, `"999`) ||
		!strings.Contains(got, `9\r"`) ||
		!strings.HasSuffix(got, "(101 bytes)") || len(got) > 60 {
		t.Errorf("Quote(100 nines and a \\r) = %s", got)
	}
}

func TestQuoteNeverCutsACharacter(t *testing.T) {
	// After the x, characters of two bytes each: a cut at byte 24
	// would fall inside one, so the head stops at byte 23.
	long := "x" + strings.Repeat("é", 30)
	got := Quote(long)
	if strings.Contains(got, `\x`) {
		t.Errorf("Quote cut a character in two: %s", got)
	}
	if want := `"xééééééééééé"..."éééééé" (61 bytes)`; got != want {
		t.Errorf("Quote = %s, want %s", got, want)
	}
}

func TestFirstDifference(t *testing.T) {
	cases := []struct {
		got, want []string
		says      string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, ""},
		{[]string{"a", "x"}, []string{"a", "b"}, `line 2 is "x", want "b"`},
		{[]string{"a"}, []string{"a", "b"}, "1 line, want 2"},
		{[]string{"a", "b", "c"}, []string{"a", "b"}, "3 lines, want 2"},
	}
	for _, c := range cases {
		if says := FirstDifference(c.got, c.want, "line"); says != c.says {
			t.Errorf("FirstDifference(%q, %q) = %q, want %q",
				c.got, c.want, says, c.says)
		}
	}
}

func TestRandomRepeatsTheSeedItIsGiven(t *testing.T) {
	t.Setenv(SeedEnv, "42")
	first, second := Random(t).Uint64(), Random(t).Uint64()
	if first != second {
		t.Errorf("with %s=42, two sources gave %d and %d",
			SeedEnv, first, second)
	}
}

func TestWithinWaitsForAQuickCall(t *testing.T) {
	called := false
	returned, panicked := within(time.Minute, func() { called = true })
	if !returned || panicked != "" || !called {
		t.Errorf("within(a minute, a quick call) = %v, %q; called: %v",
			returned, panicked, called)
	}
}

func TestWithinGivesUpOnASlowCall(t *testing.T) {
	release := make(chan struct{})
	defer close(release) // so that the slow call ends too
	returned, panicked := within(10*time.Millisecond,
		func() { <-release })
	if returned || panicked != "" {
		t.Errorf("within(10ms, a call that waits) = %v, %q; want "+
			"false, \"\"", returned, panicked)
	}
}

func TestWithinReportsAPanic(t *testing.T) {
	returned, panicked := within(time.Minute, func() { panic("boom") })
	if !returned || !strings.HasPrefix(panicked, "panic: boom") {
		t.Errorf("within(a minute, a call that panics) = %v, %q",
			returned, panicked)
	}
}

func TestWhereInThisPackageKeepsTheExercisesOwnFiles(t *testing.T) {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	stack := "goroutine 7 [running]:\n" +
		"runtime/debug.Stack()\n" +
		"\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\n" +
		"workbook/exercises/01-isprime.IsPrime(0x11)\n" +
		"\t" + dir + "/isprime.go:12 +0x1d\n" +
		"workbook/exercises/01-isprime.check.func1()\n" +
		"\t" + dir + "/isprime_test.go:99 +0x2f\n"
	got := whereInThisPackage([]byte(stack))
	if want := "\n\tat isprime.go:12 in IsPrime"; got != want {
		t.Errorf("whereInThisPackage = %q, want %q", got, want)
	}
}
