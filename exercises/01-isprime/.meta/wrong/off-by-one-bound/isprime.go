// Package isprime: the loop stops one divisor short (x*x < n).
package isprime

func IsPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for x := int64(3); x*x < n; x += 2 {
		if n%x == 0 {
			return false
		}
	}
	return true
}
