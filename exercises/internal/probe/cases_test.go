package probe

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// byName finds a case, or fails.
func byName(t *testing.T, cases []Case, name string) Case {
	t.Helper()
	for _, c := range cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no case named %q", name)
	return Case{}
}

// The replies come from prime.Judge; these are checked by hand, so
// that a mistake in Judge or in the list cannot hide.
func TestRepliesCheckedByHand(t *testing.T) {
	cases := Cases(Persistent)
	want := map[string]string{
		"source text's list: 4j":      "E\n",
		"source text's list: 5":       "T\n",
		"source text's list: -5":      "F\n",
		"source text's list: 2**50-1": "F\n",
		"square of 5":                 "F\n",
		"Carmichael 561":              "F\n",
		"strong pseudoprime 2047":     "F\n",
		"minus zero":                  "F\n",
		"leading zeros":               "T\n",
		"tabs around":                 "T\n",
		"vertical tab":                "E\n",
		"underscore":                  "E\n",
		"\\r\\r\\n":                   "E\n",
		"17 at the end, no \\n":       "T\n",
		"17\\r at the end, no \\n":    "E\n",
		"100 digits, prime":           "T\n",
		"100 digits, negative":        "F\n",
		"101 digits":                  "E\n",
		"2^64+13, prime above 2^64":   "T\n",
		"2^127-1, prime":              "T\n",
		"2^128+1, composite":          "F\n",
		"request split in 4 writes":   "T\n",
		"line over 1 KiB, no \\n":     "E\n",
		"8 requests in lock-step":     "E\nF\nT\nF\nT\nT\nF\nF\n",
		"96 requests pipelined": strings.Repeat(
			"E\nF\nT\nF\nT\nT\nF\nF\n", 12),
	}
	for name, reply := range want {
		assert.Equal(t, reply, byName(t, cases, name).Want, name)
	}
}

func TestTheNumbersAreWhatTheirNamesSay(t *testing.T) {
	assert.Len(t, prime100, 100)
	assert.Len(t, power99, 100)
	assert.Len(t, power100, 101)
	n, ok := new(big.Int).SetString(prime100, 10)
	require.True(t, ok)
	assert.True(t, n.ProbablyPrime(20))
	// 10^99 + 289 is the smallest: nothing between is prime.
	power, _ := new(big.Int).SetString(power99, 10)
	for k := new(big.Int).Set(power); k.Cmp(n) < 0; k.Add(k,
		big.NewInt(1)) {
		require.False(t, k.ProbablyPrime(20), k.String())
	}

	long := byName(t, Cases(OneShot), "line over 1 KiB, no \\n")
	assert.Greater(t, len(long.Request()), 1024)
	assert.NotContains(t, long.Request(), "\n")
}

func TestEveryCaseHasOneReplyPerLine(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Cases(Persistent) {
		assert.False(t, names[c.Name], "two cases named %q", c.Name)
		names[c.Name] = true

		lines := strings.Count(c.Request(), "\n")
		if c.EndWrite || !strings.HasSuffix(c.Request(), "\n") {
			lines++
		}
		assert.Equal(t, lines, strings.Count(c.Want, "\n"), c.Name)
		if c.Lockstep {
			for _, w := range c.Writes {
				assert.Equal(t, 1, strings.Count(w, "\n"), c.Name)
			}
		}
	}
}

func TestPersistentCasesOnlyForPersistentServers(t *testing.T) {
	oneShot, persistent := Cases(OneShot), Cases(Persistent)
	assert.Equal(t, oneShot, Cases(Unknown))
	assert.Len(t, persistent, len(oneShot)+2)
	for _, c := range oneShot {
		assert.False(t, c.Lockstep, c.Name)
		assert.Equal(t, 1, strings.Count(c.Want, "\n"), c.Name)
	}
}

// The phases: quick cases first, heavy ones last, and a heavy case is
// one that trial division cannot settle quickly.
func TestPhases(t *testing.T) {
	// It divides for a while: beside the other tests.
	t.Parallel()
	cases := Cases(Persistent)
	for i := 1; i < len(cases); i++ {
		assert.LessOrEqual(t, cases[i-1].phase, cases[i].phase,
			"%s before %s", cases[i-1].Name, cases[i].Name)
	}

	// A number is quick for trial division when it is small or
	// has a factor below a million.
	million := big.NewInt(1_000_000)
	quickForTrialDivision := func(number string) bool {
		n, ok := new(big.Int).SetString(number, 10)
		if !ok || n.Sign() <= 0 ||
			n.Cmp(new(big.Int).Mul(million, million)) < 0 {
			return true
		}
		if n.Bit(0) == 0 {
			return true
		}
		remainder := new(big.Int)
		for d := big.NewInt(3); d.Cmp(million) < 0; d.Add(d,
			big.NewInt(2)) {
			if remainder.Mod(n, d).Sign() == 0 {
				return true
			}
		}
		return false
	}
	for _, c := range cases {
		if c.phase == holding || c.phase == last {
			continue
		}
		number := strings.TrimSuffix(c.Request(), "\n")
		assert.Equal(t, c.phase == quick,
			quickForTrialDivision(number), c.Name)
	}
}
