package probe

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The errors a reset, an abort and a refusal give, as Go returns them
// on Linux and macOS, and on Windows, whose socket errors have
// numbers of their own (WSAECONNRESET is 10054, WSAECONNABORTED 10053,
// WSAECONNREFUSED 10061). The probe must know each, on every system,
// by its number and never by its words.
func TestResetsAndRefusalsOfEverySystem(t *testing.T) {
	opError := func(op, call string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "tcp",
			Err: os.NewSyscallError(call, errno)}
	}
	resets := map[string]error{
		"Linux read":       opError("read", "read", syscall.ECONNRESET),
		"Linux write":      opError("write", "write", syscall.EPIPE),
		"Windows read":     opError("read", "wsarecv", 10054),
		"Windows write":    opError("write", "wsasend", 10054),
		"Windows aborted":  opError("read", "wsarecv", 10053),
		"macOS, BSD abort": opError("read", "read", syscall.ECONNABORTED),
	}
	for name, err := range resets {
		t.Run(name, func(t *testing.T) {
			assert.True(t, closed(err), "%v is a close", err)
			problem, cause := describe(firstRequest, exchange{err: err},
				time.Second)
			assert.Equal(t, "the connection was reset without a "+
				"reply", problem)
			assert.Equal(t, resetNoReply, cause)
		})
	}

	for name, err := range map[string]error{
		"Linux":   opError("dial", "connect", syscall.ECONNREFUSED),
		"Windows": opError("dial", "connectex", 10061),
	} {
		t.Run(name+" refusal", func(t *testing.T) {
			assert.True(t, refused(err))
			assert.False(t, closed(err))
		})
	}
}

// A one-shot server whose close comes as a reset, as Windows often
// turns a close into one: still one-shot, and its replies still
// count.
func TestAOneShotServerThatResetsIsOneShot(t *testing.T) {
	// It waits on the network: beside the other tests.
	t.Parallel()
	addr := startTestServer(t, resetServer)
	got := probe(t, addr)
	assertPasses(t, got.stdout, "one-shot or persistent")
	assert.Contains(t, got.stdout, `→ "T\n" then the end: one-shot`)
	assertPasses(t, got.stdout, "source text's list: 17")
	assertPasses(t, got.stdout, "square of 5")
}
