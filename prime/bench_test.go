package prime

import (
	"math/big"
	"testing"
)

// worstCases are primes: a prime makes every test do all its work.
var worstCases = []struct {
	name string
	n    uint64
}{
	{"2^31-1", 2147483647},
	{"2^61-1", 2305843009213693951},
	{"largest_below_2^63", 9223372036854775783},
	{"largest_below_2^64", 18446744073709551557},
}

// sink keeps the compiler from optimising the calls away.
var sink bool

func BenchmarkIsPrime(b *testing.B) {
	for _, c := range worstCases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				sink = isPrime64(c.n)
			}
		})
	}
}

func BenchmarkProbablyPrime0(b *testing.B) {
	for _, c := range worstCases {
		n := new(big.Int).SetUint64(c.n)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				sink = n.ProbablyPrime(0)
			}
		})
	}
}

func BenchmarkTrialDivision(b *testing.B) {
	// Up to 2^63 only: TrialDivision takes int64. Above 2^40 one
	// call takes seconds, so the benchmark runs it once.
	for _, c := range worstCases[:3] {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				sink = TrialDivision(int64(c.n))
			}
		})
	}
}

func BenchmarkJudge(b *testing.B) {
	requests := map[string]string{
		"small":   "17\n",
		"int64":   "9223372036854775783\n",
		"2^127-1": "170141183460469231731687303715884105727\n",
		"invalid": "4j\n",
	}
	for name, request := range requests {
		line := []byte(request)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Judge(line)
			}
		})
	}
}
