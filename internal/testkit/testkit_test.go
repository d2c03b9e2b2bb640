package testkit

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaskHidesPortsAndDurations(t *testing.T) {
	got := Mask("from 127.0.0.1:53412 in 1.25ms, then 3s\n")
	assert.Equal(t, "from 127.0.0.1:PORT in DURATION, then DURATION\n",
		got)
}

func TestMaskHidesThePortsOfEveryAddress(t *testing.T) {
	got := Mask("[::]:8809 [::1]:41234 0.0.0.0:5 127.0.0.1:7\n")
	assert.Equal(t, "[::]:PORT [::1]:PORT 0.0.0.0:PORT 127.0.0.1:PORT\n", got)
}

func TestMaskShowsControlCharacters(t *testing.T) {
	got := Mask("\x1b[31mred\x1b[0m\x00\tok\n")
	assert.Equal(t, "␛[31mred␛[0m␀\tok\n", got)
}

func TestMaskKeepsNumbersThatAreNotDurations(t *testing.T) {
	got := Mask("sending 1125899906842623, 4j and 17s\n")
	assert.Equal(t, "sending 1125899906842623, 4j and DURATION\n", got)
}

// fakeT records failures instead of ending the test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }

func TestCheckTranscript(t *testing.T) {
	readme := filepath.Join(t.TempDir(), "README.md")
	content := "# Demo\n\n<!-- transcript: demo -->\n" +
		"```text\nhello 127.0.0.1:PORT\n```\n"
	err := os.WriteFile(readme, []byte(content), 0o644)
	assert.NoError(t, err)

	t.Run("equal output passes", func(t *testing.T) {
		fake := &fakeT{TB: t}
		CheckTranscript(fake, readme, "demo", "hello 127.0.0.1:9\n")
		assert.False(t, fake.failed)
	})
	t.Run("different output fails", func(t *testing.T) {
		fake := &fakeT{TB: t}
		CheckTranscript(fake, readme, "demo", "goodbye\n")
		assert.True(t, fake.failed)
	})
	t.Run("missing block fails", func(t *testing.T) {
		fake := &fakeT{TB: t}
		CheckTranscript(fake, readme, "other", "hello\n")
		assert.True(t, fake.failed)
	})
}

func TestCheckPortInUse(t *testing.T) {
	// A server command that fails as it should: one line, code 1.
	good := func(_ context.Context, args []string,
		_, stderr io.Writer) int {
		fmt.Fprintf(stderr, "server: cannot listen on %s: in use\n",
			args[2])
		return 1
	}
	// One that ignores the problem.
	bad := func(context.Context, []string, io.Writer, io.Writer) int {
		return 0
	}

	fake := &fakeT{TB: t}
	CheckPortInUse(fake, good)
	assert.False(t, fake.failed)

	fake = &fakeT{TB: t}
	CheckPortInUse(fake, bad)
	assert.True(t, fake.failed)
}

func TestAloneRunsTheTestInAProcessOfItsOwn(t *testing.T) {
	if !Alone(t) {
		return
	}
	// Only the copy of the test binary that Alone started gets
	// here, and it was told which test to run.
	assert.Equal(t, t.Name(), os.Getenv(aloneEnv))
}

func TestFreeAddrIsFreeAndBelowTheEphemeralPorts(t *testing.T) {
	addr := FreeAddr(t)
	listener, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	listener.Close()
	low, high, ok := belowEphemeral()
	if !ok {
		t.Skip("this system does not say which ports are ephemeral")
	}
	_, portText, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	port, err := strconv.Atoi(portText)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, port, low)
	assert.Less(t, port, high)
}

func TestAnAddressInUseIsKnownInEachSystemsWords(t *testing.T) {
	for _, message := range []string{
		"server: cannot listen on 127.0.0.1:8809: listen tcp 127.0.0.1:8809: bind: address already in use",
		"server: cannot listen on 127.0.0.1:8809: listen tcp 127.0.0.1:8809: bind: Only one usage of each socket address (protocol/network address/port) is normally permitted.",
		"server: cannot listen on 127.0.0.1:8809: listen tcp 127.0.0.1:8809: bind: Address already in use.",
	} {
		assert.True(t, addressInUse(message), message)
	}
	assert.False(t, addressInUse("server: cannot listen on 127.0.0.1:80: bind: permission denied"))
}

func TestStartServerTriesAgainWhenItsPortWasTaken(t *testing.T) {
	// A server whose first Listen finds the port taken, as when
	// another program takes it between FreeAddr and Listen.
	var tries []string
	server := func(ctx context.Context, args []string,
		stdout, stderr io.Writer) int {
		tries = append(tries, args[2])
		if len(tries) == 1 {
			fmt.Fprintf(stderr, "server: cannot listen on %s: bind: address already in use\n", args[2])
			return 1
		}
		fmt.Fprintf(stdout, "server | listening on %s\n", args[2])
		<-ctx.Done()
		return 0
	}
	addr, stop := StartServer(t, server)
	stopped := stop()
	assert.Equal(t, 0, stopped.Code)
	require.Len(t, tries, 2)
	assert.Equal(t, tries[1], addr)
	assert.NotEqual(t, tries[0], tries[1])
}
