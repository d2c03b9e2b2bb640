// Package isprime: "a million tries is enough", so the loop stops at
// 2^20 whatever n is, and the square of a prime past it is "prime".
package isprime

func IsPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	for d := int64(3); d <= 1<<20 && d <= n/d; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}
