// Package isprime: the bound is a float32 square root, which keeps 24
// bits: past 2^24 it rounds √n down, and the loop stops short of it.
package isprime

import "math"

func IsPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n%2 == 0 {
		return n == 2
	}
	limit := int64(float32(math.Sqrt(float64(n))))
	for d := int64(3); d <= limit; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}
