package prime

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// primality is one known answer and the reason it is worth checking.
type primality struct {
	n     uint64
	prime bool
	why   string
}

// knownAnswers are the numbers a primality test most often gets wrong.
var knownAnswers = []primality{
	{0, false, "zero is not prime"},
	{1, false, "one is not prime"},
	{2, true, "the only even prime"},
	{3, true, "the source text's loop never runs for 3"},
	{4, false, "the smallest composite"},
	{5, true, "the source text returns None for 5"},
	{9, false, "3², the first odd square"},
	{25, false, "5², which the source text calls prime"},
	{49, false, "7², a square of a prime"},
	{3481, false, "59², the first square past the small primes"},
	{13, true, "divides Miller–Rabin base 325"},
	{19, true, "divides Miller–Rabin base 450775"},
	{73, true, "divides bases 28178 and 450775"},
	{193, true, "divides Miller–Rabin base 28178"},
	{407521, true, "divides Miller–Rabin base 9780504"},
	{299210837, true, "divides Miller–Rabin base 1795265022"},
	{2047, false, "strong pseudoprime to base 2 (23·89)"},
	{3277, false, "strong pseudoprime to base 2 (29·113)"},
	{4033, false, "strong pseudoprime to base 2 (37·109)"},
	{4681, false, "strong pseudoprime to base 2 (31·151)"},
	{8321, false, "strong pseudoprime to base 2 (53·157)"},
	{3215031751, false, "strong pseudoprime to bases 2, 3, 5, 7"},
	{561, false, "Carmichael number 3·11·17"},
	{1105, false, "Carmichael number 5·13·17"},
	{1729, false, "Carmichael number 7·13·19"},
	{2465, false, "Carmichael number 5·17·29"},
	{2821, false, "Carmichael number 7·13·31"},
	{6601, false, "Carmichael number 7·23·41"},
	{8911, false, "Carmichael number 7·19·67"},
	{2147483647, true, "2^31-1, Mersenne prime, largest below 2^31"},
	{4294967291, true, "the largest prime below 2^32"},
	{4294049777, false, "65521·65537, two primes, product near 2^32"},
	{2305843009213693951, true, "2^61-1, Mersenne prime"},
	{9223372036854775783, true, "the largest prime below 2^63"},
	{9223372036854775807, false, "2^63-1 = 7²·73·127·337·92737·649657"},
	{1 << 50, false, "2**50 from the source text's client"},
	{1<<50 - 1, false, "2**50-1 from the source text's client"},
	{18446744073709551557, true, "the largest prime below 2^64"},
	{18446744030759878681, false, "4294967291², square of a prime"},
	{18446743979220271189, false, "4294967291·4294967279, primes near 2^32"},
	{18446744073709551615, false, "2^64-1, the largest uint64"},
}

func TestKnownAnswers(t *testing.T) {
	for _, c := range knownAnswers {
		t.Run(c.why, func(t *testing.T) {
			got := isPrime64(c.n)
			assert.Equal(t, c.prime, got,
				"isPrime64(%d) = %v, want %v", c.n, got, c.prime)

			asBig := new(big.Int).SetUint64(c.n)
			got = IsPrimeBig(asBig)
			assert.Equal(t, c.prime, got,
				"IsPrimeBig(%d) = %v, want %v", c.n, got, c.prime)

			// IsPrime takes int64: only the numbers that fit.
			if c.n <= 1<<63-1 {
				got = IsPrime(int64(c.n))
				assert.Equal(t, c.prime, got,
					"IsPrime(%d) = %v, want %v", c.n, got, c.prime)
			}
			// TrialDivision only where it finishes quickly.
			if c.n < 1<<40 {
				got = TrialDivision(int64(c.n))
				assert.Equal(t, c.prime, got,
					"TrialDivision(%d) = %v, want %v",
					c.n, got, c.prime)
			}
		})
	}
}

func TestNegativeNumbersAreNotPrime(t *testing.T) {
	for _, n := range []int64{-1, -2, -3, -5, -17, -1 << 63} {
		assert.False(t, IsPrime(n), "IsPrime(%d) = true, want false", n)
		assert.False(t, TrialDivision(n),
			"TrialDivision(%d) = true, want false", n)
		assert.False(t, IsPrimeBig(big.NewInt(n)),
			"IsPrimeBig(%d) = true, want false", n)
	}
}

func TestTrialDivisionDoesNotOverflowNearMaxInt64(t *testing.T) {
	// With the bound d*d <= n, d*d wraps past 2^63 before the loop
	// ends; d <= n/d cannot. 2^63-1 has the factor 7, found at once.
	assert.False(t, TrialDivision(1<<63-1))
}

func TestEveryPrimePassesEveryBase(t *testing.T) {
	// Includes primes that divide a base: such a base says nothing
	// and must be skipped, not counted as a failure.
	primes := []uint64{13, 19, 73, 193, 407521, 299210837, 4294967291}
	for _, p := range primes {
		m := newMontgomery(p)
		for _, base := range basesAllUint64 {
			assert.True(t, m.passesPair(base, base),
				"prime %d failed Miller–Rabin base %d", p, base)
		}
	}
}

// sieve returns isPrime[n] for every n below limit.
func sieve(limit int) []bool {
	isPrime := make([]bool, limit)
	for n := 2; n < limit; n++ {
		isPrime[n] = true
	}
	for p := 2; p*p < limit; p++ {
		if !isPrime[p] {
			continue
		}
		for multiple := p * p; multiple < limit; multiple += p {
			isPrime[multiple] = false
		}
	}
	return isPrime
}

func TestAgreesWithSieveBelowOneMillion(t *testing.T) {
	const limit = 1_000_000
	want := sieve(limit)
	count := 0
	for n := range int64(limit) {
		if want[n] {
			count++
		}
		if got := IsPrime(n); got != want[n] {
			t.Fatalf("IsPrime(%d) = %v, want %v", n, got, want[n])
		}
		if got := TrialDivision(n); got != want[n] {
			t.Fatalf("TrialDivision(%d) = %v, want %v",
				n, got, want[n])
		}
	}
	// π(10^6) = 78498: the sieve itself is right.
	require.Equal(t, 78498, count)
}

func TestAgreesWithMathBigOnRandomNumbers(t *testing.T) {
	// math/big's ProbablyPrime is documented to be exact below 2^64.
	random := rand.New(rand.NewPCG(1, 2))
	samples := 20_000
	if testing.Short() {
		samples = 2_000
	}
	primesSeen := 0
	for range samples {
		// Odd numbers of every size up to 64 bits: a random
		// uint64 is almost always 64 bits long.
		bitLength := 2 + random.IntN(63)
		n := random.Uint64()>>(64-bitLength) | 1
		want := new(big.Int).SetUint64(n).ProbablyPrime(0)
		if want {
			primesSeen++
		}
		if got := isPrime64(n); got != want {
			t.Fatalf("isPrime64(%d) = %v, want %v", n, got, want)
		}
	}
	// Enough primes came up for the comparison to mean something.
	assert.Greater(t, primesSeen, samples/100)
}

func TestIsPrimeBigBeyond64Bits(t *testing.T) {
	cases := []struct {
		n     string
		prime bool
		why   string
	}{
		{"18446744073709551629", true, "the first prime past 2^64"},
		{"18446744073709551617", false, "2^64+1 = 274177·67280421310721"},
		{"618970019642690137449562111", true, "2^89-1, Mersenne prime"},
		{"170141183460469231731687303715884105727", true,
			"2^127-1, Mersenne prime"},
		{"170141183460469231731687303715884105729", false,
			"2^127+1, divisible by 3"},
	}
	for _, c := range cases {
		t.Run(c.why, func(t *testing.T) {
			n, ok := new(big.Int).SetString(c.n, 10)
			require.True(t, ok)
			got := IsPrimeBig(n)
			assert.Equal(t, c.prime, got,
				"IsPrimeBig(%s) = %v, want %v", c.n, got, c.prime)
		})
	}
}

func TestIsPrimeDoesNotAllocate(t *testing.T) {
	allocations := testing.AllocsPerRun(100, func() {
		IsPrime(9223372036854775783)
	})
	assert.Zero(t, allocations)
}
