package isprime

import (
	"fmt"
	"testing"

	"workbook/exercises/internal/exercisetest"
	"workbook/prime"
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
		check(t, c.n, c.want)
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
		{1<<63 - 1, false},         // 7 divides it
	}
	for _, c := range cases {
		check(t, c.n, c.want)
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

// TestRandomNumbers asks about numbers no table can list in advance:
// primes, squares of primes, products of two primes, and any number
// at all, each checked against the workbook's prime package.
func TestRandomNumbers(t *testing.T) {
	exercisetest.Start(t, "isprime.go")
	random := exercisetest.Random(t)
	// randomPrime returns a prime between 1<<10 and 1<<bits.
	randomPrime := func(bits uint) int64 {
		for {
			n := 1<<10 + random.Int64N(1<<bits-1<<10)
			if prime.IsPrime(n) {
				return n
			}
		}
	}
	for range 20 {
		p, q := randomPrime(18), randomPrime(18)
		check(t, randomPrime(34), true)
		check(t, p*p, false, ": it is ", p, " × ", p)
		check(t, p*q, false, ": it is ", p, " × ", q)
		n := random.Int64N(1 << 36)
		check(t, n, prime.IsPrime(n))
		check(t, -n, false)
	}
}

// check runs IsPrime(n) as a subtest named after n, so that a panic
// says which number caused it. why, if not "", says what n is.
func check(t *testing.T, n int64, want bool, why ...any) {
	t.Helper()
	t.Run(fmt.Sprint(n), func(t *testing.T) {
		t.Helper()
		if got := IsPrime(n); got != want {
			t.Errorf("IsPrime(%d) = %v, want %v%s",
				n, got, want, fmt.Sprint(why...))
		}
	})
}
