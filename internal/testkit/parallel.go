package testkit

import (
	"flag"
	"strconv"
)

// WaitersInParallel lets up to n of a package's parallel tests run at
// once, instead of go test's default of one for each CPU, unless the
// command line sets -parallel itself. It is for a TestMain whose
// parallel tests spend their time waiting (for a timeout, for
// another program, for the network), not computing: on a machine
// with two CPUs, two at a time would leave it idle.
//
//	func TestMain(m *testing.M) {
//		testkit.WaitersInParallel(8)
//		goleak.VerifyTestMain(m)
//	}
func WaitersInParallel(n int) {
	// TestMain may parse the flags itself; m.Run then does not.
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "test.parallel" {
			given = true
		}
	})
	if given {
		return
	}
	if err := flag.Set("test.parallel", strconv.Itoa(n)); err != nil {
		panic("testkit: cannot set -test.parallel: " + err.Error())
	}
}
