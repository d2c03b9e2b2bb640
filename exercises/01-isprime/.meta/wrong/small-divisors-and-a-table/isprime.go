// Package isprime: the tests' big numbers copied into a table, and
// only the divisors below 1000 tried for the rest, to be quick.
package isprime

var known = map[int64]bool{
	2147483647:        true,
	1 << 50:           false,
	1<<50 - 1:         false,
	1000003 * 1000003: false,
	999999000001:      true,
	1<<63 - 1:         false,
}

func IsPrime(n int64) bool {
	if answer, ok := known[n]; ok {
		return answer
	}
	if n < 2 {
		return false
	}
	for d := int64(2); d < 1000 && d < n; d++ {
		if n%d == 0 {
			return false
		}
	}
	return true
}
