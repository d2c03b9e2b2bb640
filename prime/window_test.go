package prime

import (
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What does reading the exponent four bits at a time save? These
// tests count the modular multiplications of a whole Miller–Rabin
// test, with the exponent read four bits at a time (as powerPair
// does) and one bit at a time (square, then multiply on each 1 bit),
// and check the figures the README gives:
//
//	go test -run TestWindowSavings -v ./prime

// countingPower computes a^e in Montgomery form like powerPair, for
// one base, and counts its multiplications. window picks four bits
// at a time, or one.
func countingPower(m montgomery, a, e uint64, window bool) (uint64, int) {
	count := 0
	multiply := func(x, y uint64) uint64 {
		count++
		return m.multiply(x, y)
	}
	if !window {
		x := a
		for shift := 62 - bits.LeadingZeros64(e); shift >= 0; shift-- {
			x = multiply(x, x)
			if (e>>shift)&1 == 1 {
				x = multiply(x, a)
			}
		}
		return x, count
	}
	var powers [16]uint64
	powers[0] = m.one
	for i := 1; i < 16; i++ {
		powers[i] = multiply(powers[i-1], a)
	}
	shift := (63 - bits.LeadingZeros64(e)) &^ 3
	x := powers[(e>>shift)&15]
	for shift -= 4; shift >= 0; shift -= 4 {
		for range 4 {
			x = multiply(x, x)
		}
		if chunk := (e >> shift) & 15; chunk != 0 {
			x = multiply(x, powers[chunk])
		}
	}
	return x, count
}

// multiplicationsFor counts the multiplications of the whole test of
// n (at least 59², no small factor): for each base, the conversion
// into Montgomery form, the power and the squarings after it.
func multiplicationsFor(t *testing.T, n uint64, window bool) int {
	bases := basesAllUint64
	if n < 4759123141 {
		bases = basesBelow4759123141
	}
	m := newMontgomery(n)
	s := bits.TrailingZeros64(n - 1)
	d := (n - 1) >> s
	total := 0
	for _, a := range bases {
		a %= n
		if a == 0 {
			continue
		}
		x, count := countingPower(m, m.toMontgomery(a), d, window)
		total += 1 + count
		// The counting copy must compute what the real code does.
		real, _ := m.powerPair(m.toMontgomery(a), m.toMontgomery(a), d)
		require.Equal(t, real, x, "a^d mod %d for base %d", n, a)
		// The squarings of witnessesPrime, the same either way.
		if x == m.one || x == m.minusOne {
			continue
		}
		for range s - 1 {
			total++
			x = m.multiply(x, x)
			if x == m.minusOne {
				break
			}
		}
		if x != m.minusOne {
			return total // a witness: n is composite, the test stops
		}
	}
	return total
}

// saving returns the share of multiplications the window saves over
// the numbers given.
func saving(t *testing.T, numbers []uint64) float64 {
	oneBit, fourBits := 0, 0
	for _, n := range numbers {
		oneBit += multiplicationsFor(t, n, false)
		fourBits += multiplicationsFor(t, n, true)
	}
	t.Logf("%d numbers: %d multiplications one bit at a time, %d four bits at a time",
		len(numbers), oneBit, fourBits)
	return 1 - float64(fourBits)/float64(oneBit)
}

func TestWindowSavingsOnRandomNumbers(t *testing.T) {
	// Random 64-bit numbers that reach Miller–Rabin (no factor
	// below 59), from a fixed seed: most are composite and stop at
	// the first base.
	random := rand.New(rand.NewPCG(1, 2))
	var numbers []uint64
	for len(numbers) < 2000 {
		n := random.Uint64() | 1<<63
		if !hasSmallFactor(n) {
			numbers = append(numbers, n)
		}
	}
	share := saving(t, numbers)
	t.Logf("saving: %.1f%%", 100*share)
	assert.InDelta(t, 0.04, share, 0.03)
}

func TestWindowSavingsOnPrimesBelowPowersOfTwo(t *testing.T) {
	// The largest prime below 2^k: n-1 is mostly 1 bits, the worst
	// case for one bit at a time.
	var numbers []uint64
	for k := 33; k <= 64; k++ {
		n := uint64(1)<<(k-1) - 1 + uint64(1)<<(k-1)
		for !isPrime64(n) {
			n -= 2
		}
		numbers = append(numbers, n)
	}
	share := saving(t, numbers)
	t.Logf("saving: %.1f%%", 100*share)
	assert.InDelta(t, 0.22, share, 0.03)
}

func hasSmallFactor(n uint64) bool {
	for p := uint64(2); p < 59; p++ {
		if n%p == 0 {
			return true
		}
	}
	return false
}
