package handler

import (
	"bufio"
	"net"
	"testing"
	"time"

	"workbook/exercises/internal/exercisetest"
	"workbook/exercises/internal/harness"
)

func TestFactorize(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	cases := []struct{ request, want string }{
		{"2", "2"},
		{"12", "2 2 3"},
		{"17", "17"},
		{"1024", "2 2 2 2 2 2 2 2 2 2"},
		{"360", "2 2 2 3 3 5"},
		{"49", "7 7"},
		{"1125899906842623", "3 11 31 251 601 1801 4051"},
		{"2147483647", "2147483647"},
		{"999999000001", "999999000001"},
		{"1", "E"},
		{"0", "E"},
		{"-4", "E"},
		{"+4", "E"},
		{"x", "E"},
		{"", "E"},
		{" 12", "E"},
		{"9223372036854775808", "E"},
	}
	for _, c := range cases {
		if got := Factorize(c.request); got != c.want {
			t.Errorf("Factorize(%q) = %q, want %q",
				c.request, got, c.want)
		}
	}
}

func TestThroughTheServer(t *testing.T) {
	exercisetest.Start(t, "factorize.go")
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- harness.Serve(listener, Factorize) }()
	defer func() {
		listener.Close()
		<-served
	}()

	conn, err := net.Dial("tcp", listener.Addr().String())
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
