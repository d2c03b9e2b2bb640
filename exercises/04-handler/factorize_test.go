package handler

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/exercises/internal/harness"
	"workbook/prime"
)

// check runs Factorize(request) as a subtest named after the request,
// so that a panic says which request caused it. A call still running
// after 10 s fails, and the calls after it are skipped.
func check(t *testing.T, request, want string) {
	t.Helper()
	t.Run(exercisetest.Quote(request), func(t *testing.T) {
		t.Helper()
		var got string
		limit.Call(t, "Factorize("+exercisetest.Quote(request)+")",
			func() { got = Factorize(request) },
			"try divisors only while d*d <= n (d <= n/d), and "+
				"divide n by each factor found")
		if got != want {
			t.Errorf("Factorize(%s) = %q, want %q",
				exercisetest.Quote(request), got, want)
		}
	})
}

// limit gives each call to Factorize 10 s.
var limit exercisetest.TimeLimit

func TestFactorize(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	cases := []struct{ request, want string }{
		{"2", "2"},
		{"12", "2 2 3"},
		{"17", "17"},
		{"017", "17"},
		{"1024", "2 2 2 2 2 2 2 2 2 2"},
		{"360", "2 2 2 3 3 5"},
		{"49", "7 7"},
		{"1125899906842623", "3 11 31 251 601 1801 4051"},
		{"2147483647", "2147483647"},
		{"999999000001", "999999000001"},
		{"9223372036854775807", "7 7 73 127 337 92737 649657"},
		{"1", "E"},
		{"0", "E"},
		{"-4", "E"},
		{"+4", "E"},
		{"x", "E"},
		{"", "E"},
		{" 12", "E"},
		{"12 ", "E"},
		{"0x11", "E"},
		{"0b11", "E"},
		{"0o17", "E"},
		{"1_000", "E"},
		{"9223372036854775808", "E"},
	}
	for _, c := range cases {
		check(t, c.request, c.want)
	}
}

// randomComposite returns a number made of one to four random primes
// below 2^15, and its factors in increasing order, as Factorize says
// them: numbers no table can list in advance.
func randomComposite(random *rand.Rand) (string, string) {
	n := int64(1)
	var factors []int64
	for range 1 + random.IntN(4) {
		p := 2 + random.Int64N(1<<15)
		for !prime.IsPrime(p) {
			p++
		}
		n *= p
		factors = append(factors, p)
	}
	slices.Sort(factors)
	words := make([]string, len(factors))
	for i, p := range factors {
		words[i] = strconv.FormatInt(p, 10)
	}
	return strconv.FormatInt(n, 10), strings.Join(words, " ")
}

func TestRandomNumbers(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	random := exercisetest.Random(t)
	for range 200 {
		request, want := randomComposite(random)
		check(t, request, want)
	}
}

func TestThroughTheServer(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	addr := serve(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	requests := "12\n17\r\nx\n"
	if _, err := conn.Write([]byte(requests)); err != nil {
		t.Fatal(err)
	}
	replies := bufio.NewReader(conn)
	for _, want := range []string{"2 2 3\n", "17\n", "E\n"} {
		got, err := replies.ReadString('\n')
		if err != nil || got != want {
			t.Errorf("reply %q, %v; want %q", got, err, want)
		}
	}
}

// TestManyConnectionsAtOnce has 20 clients ask at the same time, as a
// real server's clients do: the server calls Factorize from one
// goroutine per connection, so Factorize must not share anything
// between calls. Run with -race, the race detector reports a variable
// two calls use at once.
func TestManyConnectionsAtOnce(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	addr := serve(t)
	random := exercisetest.Random(t)

	// Each client's requests and the replies they want, drawn
	// before the clients start.
	const clients, requests = 20, 25
	var asked, wanted [clients][]string
	for c := range clients {
		for range requests {
			request, want := randomComposite(random)
			asked[c] = append(asked[c], request)
			wanted[c] = append(wanted[c], want)
		}
	}

	problems := make(chan string, clients)
	var wait sync.WaitGroup
	for c := range clients {
		wait.Go(func() {
			problems <- askAll(addr, asked[c], wanted[c])
		})
	}
	wait.Wait()
	close(problems)
	for problem := range problems {
		if problem != "" {
			t.Error(problem)
		}
	}
}

// TestManyCallsAtOnce calls Factorize from four goroutines at once,
// thousands of times each, with numbers quick to factor and seldom
// the same: whatever Factorize keeps between calls, four calls write
// it at the same moment. -race reports that at once. Without -race,
// a map kept between calls keeps growing, and Go soon stops the
// program with "concurrent map writes"; a list of factors kept
// between calls mixes up two calls' answers.
func TestManyCallsAtOnce(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	random := exercisetest.Random(t)
	calls := 20000
	if exercisetest.Race {
		calls = 500 // enough for the race detector, and quicker
	}
	// The requests and their replies, drawn before the goroutines
	// start.
	const goroutines = 4
	var asked, wanted [goroutines][]string
	for g := range goroutines {
		for range calls {
			request, want := smoothNumber(random)
			asked[g] = append(asked[g], request)
			wanted[g] = append(wanted[g], want)
		}
	}
	problems := make(chan string, goroutines)
	var wait sync.WaitGroup
	for g := range goroutines {
		wait.Go(func() {
			for i, request := range asked[g] {
				if got := Factorize(request); got != wanted[g][i] {
					problems <- fmt.Sprintf("with four calls at "+
						"once, Factorize(%q) = %q, want %q:\n"+
						"keep the factors in a variable of the call",
						request, got, wanted[g][i])
					return
				}
			}
		})
	}
	wait.Wait()
	close(problems)
	for problem := range problems {
		t.Error(problem)
	}
}

// smoothNumber returns a number made of up to eight 2s, seven 3s,
// five 5s and three 7s, and one prime from 11 to 1009, and its
// factors as Factorize says them: some 280,000 numbers, each
// factored in a few dozen divisions.
func smoothNumber(random *rand.Rand) (string, string) {
	n := int64(1)
	var factors []string
	for _, p := range []int64{2, 3, 5, 7} {
		for range random.IntN(11 - int(p)) {
			n *= p
			factors = append(factors, fmt.Sprint(p))
		}
	}
	q := 11 + random.Int64N(989)
	for !prime.IsPrime(q) {
		q++
	}
	factors = append(factors, fmt.Sprint(q))
	return fmt.Sprint(n * q), strings.Join(factors, " ")
}

// askAll sends every request on one connection, then reads the
// replies, and describes the first wrong one, or returns "".
func askAll(addr string, requests, wants []string) string {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err.Error()
	}
	stream := strings.Join(requests, "\n") + "\n"
	if _, err := conn.Write([]byte(stream)); err != nil {
		return err.Error()
	}
	replies := bufio.NewReader(conn)
	for i, request := range requests {
		got, err := replies.ReadString('\n')
		if err != nil {
			return fmt.Sprintf("reply to %q: %v", request, err)
		}
		if got = strings.TrimSuffix(got, "\n"); got != wants[i] {
			return fmt.Sprintf("with 20 clients at once, %q got %q, "+
				"want %q", request, got, wants[i])
		}
	}
	return ""
}

// serve runs harness.Serve with Factorize behind a free port until
// the test ends.
func serve(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- harness.Serve(listener, Factorize) }()
	t.Cleanup(func() {
		listener.Close()
		<-served
	})
	return listener.Addr().String()
}
