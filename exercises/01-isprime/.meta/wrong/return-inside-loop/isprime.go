// Package isprime: the source text's version, translated as is.
package isprime

import "math"

func IsPrime(n int64) bool {
	if n < 2 {
		return false
	}
	if n == 2 {
		return true
	}
	if n&1 == 0 {
		return false
	}
	for x := int64(3); x < int64(math.Sqrt(float64(n)))+1; x += 2 {
		if n%x == 0 {
			return false
		}
		return true // the bug: inside the loop
	}
	return false // Python's None
}
