package python

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeMessage is what the Microsoft Store's python3 prints.
const storeMessage = "Python was not found; run without arguments to " +
	"install from the Microsoft Store, or disable this shortcut " +
	"from Settings > Apps > Advanced app settings > App execution " +
	"aliases."

// fakePython puts on an empty PATH a python3 that prints what and
// exits with code.
func fakePython(t *testing.T, what string, code int) {
	dir := t.TempDir()
	if runtime.GOOS == "windows" {
		// cmd would take a > for a redirection.
		script := "@echo off\r\necho " +
			strings.ReplaceAll(what, ">", "^>") + "\r\nexit /b " +
			strconv.Itoa(code) + "\r\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "python3.bat"),
			[]byte(script), 0o755))
	} else {
		script := "#!/bin/sh\necho '" + what + "'\nexit " +
			strconv.Itoa(code) + "\n"
		require.NoError(t, os.WriteFile(filepath.Join(dir, "python3"),
			[]byte(script), 0o755))
	}
	t.Setenv("PATH", dir)
}

func TestTheStoresStandInIsNoPython(t *testing.T) {
	fakePython(t, storeMessage, 9009)
	_, err := find(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a working Python: it printed \"Python was not found; run without arguments to install from the Microsoft Store, or disable this sho...\" and ended with exit status ")
	assert.NotContains(t, err.Error(), "\n")
}

func TestAPythonTwoIsNoPythonThree(t *testing.T) {
	fakePython(t, "2", 0)
	_, err := find(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not Python 3: asked for its version, it printed \"2\"")
}

func TestNoPythonAtAll(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := find(context.Background())
	assert.EqualError(t, err, "python3 is not installed (not on the PATH)")
}

func TestARealPython(t *testing.T) {
	path, err := Find()
	if err != nil {
		t.Skipf("no working python3 here: %v", err)
	}
	assert.NotEmpty(t, path)
}
