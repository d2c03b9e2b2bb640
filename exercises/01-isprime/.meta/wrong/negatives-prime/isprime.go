// Package isprime: only 0 and 1 are ruled out, so negatives pass.
package isprime

func IsPrime(n int64) bool {
	if n == 0 || n == 1 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := int64(3); d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}
