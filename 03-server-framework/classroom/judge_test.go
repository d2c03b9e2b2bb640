package classroom

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Which requests take turns (judgeFairly) is decided by their digits:
// beyond 19, a number may pass 64 bits and cost a hundred times more.
// Spaces and signs around it change nothing.
func TestCountDigitsDecidesWhoTakesTurns(t *testing.T) {
	for _, c := range []struct {
		line   string
		digits int
	}{
		{"97\n", 2},
		{"-9223372036854775807\r\n", 19},
		{"  18446744073709551557  \n", 20},
		{"1000000000000000000000000000057\n", 31},
		{"4j\n", 1},
		{"", 0},
	} {
		t.Run(c.line, func(t *testing.T) {
			assert.Equal(t, c.digits, countDigits([]byte(c.line)))
		})
	}
}
