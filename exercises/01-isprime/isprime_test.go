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

// TestSquaresOfLargePrimes asks about numbers whose smallest divisor
// is past 2^24: a loop that gives up before √n calls them prime. A
// float32 square root can fall short there (float32 keeps 24 bits,
// so past 2^24 it rounds √n to an even number, down half the time),
// and so does a fixed limit on the divisors, such as "a million
// tries is enough".
func TestSquaresOfLargePrimes(t *testing.T) {
	exercisetest.Start(t, "isprime.go")
	// 1048583 is the first prime past 2^20; 16777289, a prime past
	// 2^24, is 16777288 once rounded to a float32.
	for _, p := range []int64{1048583, 16777289} {
		checkProduct(t, p, p)
	}
	random := exercisetest.Random(t)
	// randomPrime returns a prime between 2^24 and 2^25.
	randomPrime := func() int64 {
		for {
			n := 1<<24 + random.Int64N(1<<24)
			if prime.IsPrime(n) {
				return n
			}
		}
	}
	for i := range 8 {
		p, q := randomPrime(), randomPrime()
		if i%2 == 0 {
			q = p // half of them squares, where √n is p itself
		}
		checkProduct(t, min(p, q), max(p, q))
	}
}

// checkProduct checks that p × q, for primes p <= q, is not called
// prime, and says why a wrong answer is wrong.
func checkProduct(t *testing.T, p, q int64) {
	t.Helper()
	check(t, p*q, false, ": it is ", p, " × ", q, ";\na loop that "+
		"stops before ", p, " (a float32 square root, a fixed "+
		"limit on the divisors) never tries it")
}

// check runs IsPrime(n) as a subtest named after n, so that a panic
// says which number caused it. why, if not "", says what n is. A call
// still running after 10 s fails, and the calls after it are skipped.
func check(t *testing.T, n int64, want bool, why ...any) {
	t.Helper()
	t.Run(fmt.Sprint(n), func(t *testing.T) {
		t.Helper()
		var got bool
		limit.Call(t, fmt.Sprintf("IsPrime(%d)", n),
			func() { got = IsPrime(n) },
			"try divisors only while d*d <= n (d <= n/d), not up to n")
		if got != want {
			t.Errorf("IsPrime(%d) = %v, want %v%s",
				n, got, want, fmt.Sprint(why...))
		}
	})
}

// limit gives each call to IsPrime 10 s.
var limit exercisetest.TimeLimit
