package parserequest

import (
	"strings"
	"testing"

	"workbook/exercises/internal/exercisetest"
)

func TestReply(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	cases := []struct{ request, want string }{
		{"17\n", "T\n"},
		{"17\r\n", "T\n"},
		{"17", "T\n"},
		{" \t17\t \n", "T\n"},
		{"+17\n", "T\n"},
		{"007\n", "T\n"},
		{"4\n", "F\n"},
		{"-17\n", "F\n"},
		{"-0\n", "F\n"},
		{"0\n", "F\n"},
		{"1\n", "F\n"},
		{"1125899906842623\n", "F\n"},
		{"170141183460469231731687303715884105727\n", "T\n"},
		{strings.Repeat("9", 100) + "\n", "F\n"},
		{strings.Repeat("1", 101) + "\n", "E\n"},
		{"\n", "E\n"},
		{"", "E\n"},
		{"4j\n", "E\n"},
		{"0x11\n", "E\n"},
		{"1e3\n", "E\n"},
		{"1_000\n", "E\n"},
		{"3.0\n", "E\n"},
		{"\u0663\n", "E\n"},
		{"1\x007\n", "E\n"},
		{"\xff\n", "E\n"},
		{"+-5\n", "E\n"},
		{"- 5\n", "E\n"},
		{"1 7\n", "E\n"},
		{"4\n5\n", "E\n"},
	}
	for _, c := range cases {
		got := string(Reply([]byte(c.request)))
		if got != c.want {
			t.Errorf("Reply(%q) = %q, want %q",
				c.request, got, c.want)
		}
	}
}

func TestReplyToAHugeRequestIsQuick(t *testing.T) {
	exercisetest.Start(t, "reply.go")
	huge := strings.Repeat("7", 10<<20) + "\n"
	allocations := testing.AllocsPerRun(3, func() {
		if got := string(Reply([]byte(huge))); got != "E\n" {
			t.Fatalf("Reply(10 MB of digits) = %q, want \"E\\n\"",
				got)
		}
	})
	// Converting 10 MB of digits to a number would allocate a lot;
	// checking the length first allocates almost nothing.
	if allocations > 20 {
		t.Errorf("Reply(10 MB of digits) made %v allocations: "+
			"check the length before converting", allocations)
	}
}
