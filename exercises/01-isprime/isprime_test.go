package isprime

import (
	"testing"

	"workbook/exercises/internal/exercisetest"
)

func TestSmallCases(t *testing.T) {
	exercisetest.Start(t, "isprime.go")
	cases := []struct {
		n    int64
		want bool
	}{
		{-7, false}, {-2, false}, {-1, false}, {0, false}, {1, false},
		{2, true}, {3, true}, {4, false}, {5, true}, {7, true},
		{9, false}, {11, true}, {15, false}, {25, false},
		{29, true}, {49, false}, {97, true}, {121, false},
	}
	for _, c := range cases {
		if got := IsPrime(c.n); got != c.want {
			t.Errorf("IsPrime(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

func TestLargerNumbers(t *testing.T) {
	exercisetest.Start(t, "isprime.go")
	cases := []struct {
		n    int64
		want bool
	}{
		{2147483647, true},         // 2^31-1
		{1 << 50, false},           // from the source text
		{1<<50 - 1, false},         // from the source text
		{1000003 * 1000003, false}, // the square of a prime
		{999999000001, true},       // prime
	}
	for _, c := range cases {
		if got := IsPrime(c.n); got != c.want {
			t.Errorf("IsPrime(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

func TestAgreesWithASieveBelow10000(t *testing.T) {
	exercisetest.Start(t, "isprime.go")
	const limit = 10000
	composite := make([]bool, limit)
	for p := 2; p*p < limit; p++ {
		for m := p * p; m < limit; m += p {
			composite[m] = true
		}
	}
	for n := 2; n < limit; n++ {
		want := !composite[n]
		if got := IsPrime(int64(n)); got != want {
			t.Fatalf("IsPrime(%d) = %v, want %v", n, got, want)
		}
	}
}
