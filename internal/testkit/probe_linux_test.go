package testkit

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestListenAloneRefusesAPortInTimeWait(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := listener.Addr().String()
	client, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	server, err := listener.Accept()
	require.NoError(t, err)
	// The server closes first: its side, on addr's port, waits
	// in TIME-WAIT once the client has closed too.
	require.NoError(t, server.Close())
	_, err = io.ReadAll(client)
	require.NoError(t, err)
	require.NoError(t, client.Close())
	require.NoError(t, listener.Close())

	_, err = listenAlone(addr)
	require.Error(t, err, "listened on a port in TIME-WAIT")
	// Go's own listeners set SO_REUSEADDR, and may.
	again, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	require.NoError(t, again.Close())
}
