// Package isprime: every even number is called composite, 2 too.
package isprime

func IsPrime(n int64) bool {
	if n < 2 || n%2 == 0 {
		return false
	}
	for d := int64(3); d <= n/d; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}
