package runner

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A wrong version that only the race detector catches says so with a
// file of its own, race-only, beside its replacement file.
func TestAWrongVersionSaysItIsRaceOnlyWithAFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"racy", "plain"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, name), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name, "server.go"), nil, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "racy", "race-only"), []byte("why\n"), 0o644))
	assert.True(t, raceOnly(filepath.Join(dir, "racy", "server.go")))
	assert.False(t, raceOnly(filepath.Join(dir, "plain", "server.go")))
}
