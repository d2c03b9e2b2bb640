// Package isprime is exercise 01: the source text's isprime, right.
package isprime

// IsPrime reports whether n is prime, by trial division.
//
// Negative numbers, 0 and 1 are not prime. 2 is the only even prime.
// An odd n is prime when no odd number d from 3 up to √n divides it:
// loop while d <= n/d, which is d*d <= n without the overflow of d*d
// near 2^63. Answer "prime" only after the loop has tried every
// divisor: the source text answers inside its loop, and calls 25
// prime.
func IsPrime(n int64) bool {
	// TODO: write the trial division described above.
	return false
}
