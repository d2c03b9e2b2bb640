package prime_test

import (
	"fmt"
	"math/big"

	"workbook/prime"
)

func ExampleIsPrime() {
	for _, n := range []int64{-5, 1, 2, 25, 29, 1<<50 - 1} {
		fmt.Println(n, prime.IsPrime(n))
	}
	// Output:
	// -5 false
	// 1 false
	// 2 true
	// 25 false
	// 29 true
	// 1125899906842623 false
}

func ExampleTrialDivision() {
	// 25 is where the source text's version goes wrong.
	fmt.Println(prime.TrialDivision(25))
	// Output: false
}

func ExampleIsPrimeBig() {
	mersenne, _ := new(big.Int).SetString(
		"170141183460469231731687303715884105727", 10)
	fmt.Println(prime.IsPrimeBig(mersenne))
	// Output: true
}

func ExampleJudge() {
	requests := []string{"17\n", "17\r\n", "4\n", "4j\n", "-5\n"}
	for _, request := range requests {
		verdict := prime.Judge([]byte(request))
		fmt.Printf("%-8q -> %q (%s)\n",
			request, verdict.Reply(), verdict)
	}
	// Output:
	// "17\n"   -> "T\n" (prime)
	// "17\r\n" -> "T\n" (prime)
	// "4\n"    -> "F\n" (not prime)
	// "4j\n"   -> "E\n" (not an integer)
	// "-5\n"   -> "F\n" (not prime)
}
