package testkit

import (
	"bufio"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// moduleRoot is the workbook's root, seen from this package.
const moduleRoot = "../.."

// readmeCommands returns every line of a code block in the
// workbook's READMEs that starts with prefix, and the README's path.
func readmeCommands(t *testing.T, prefix string) map[string]string {
	t.Helper()
	commands := make(map[string]string)
	err := filepath.WalkDir(moduleRoot, func(path string,
		entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() && strings.HasPrefix(entry.Name(), ".") &&
			path != moduleRoot {
			return filepath.SkipDir
		}
		if entry.Name() != "README.md" {
			return nil
		}
		file, err := os.Open(path)
		if err != nil {
			return err
		}
		defer file.Close()
		inBlock := false
		lines := bufio.NewScanner(file)
		for lines.Scan() {
			line := lines.Text()
			if strings.HasPrefix(line, "```") {
				inBlock = !inBlock
				continue
			}
			if inBlock && strings.HasPrefix(line, prefix) {
				commands[line] = path
			}
		}
		return lines.Err()
	})
	require.NoError(t, err)
	return commands
}

func TestEveryGoBuildTheREADMEsGiveWorksAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
	}
	builds := readmeCommands(t, "go build")
	require.NotEmpty(t, builds, "the top README gives the teacher a go build")
	for command, readme := range builds {
		// As a learner would type it, from the workbook's root, in
		// any shell: words apart, no quotes.
		args := strings.Fields(command)
		require.NotContains(t, command, "'", "%s: %s", readme, command)
		build := exec.Command(args[0], args[1:]...)
		build.Dir = moduleRoot
		output, err := build.CombinedOutput()
		assert.NoError(t, err, "%s: %s\n%s", readme, command, output)
		// The program it wrote is one git ignores; remove it.
		for i, arg := range args {
			if arg == "-o" && i+1 < len(args) {
				program := filepath.Join(moduleRoot, args[i+1])
				ignored := exec.Command("git", "check-ignore", "-q", args[i+1])
				ignored.Dir = moduleRoot
				if _, err := exec.LookPath("git"); err == nil {
					assert.NoError(t, ignored.Run(), "git does not ignore %s", args[i+1])
				}
				assert.NoError(t, os.Remove(program))
			}
		}
	}
}

func TestREADMECommandsWorkInEveryShell(t *testing.T) {
	for _, prefix := range []string{"go ", "./", ".\\"} {
		for command, readme := range readmeCommands(t, prefix) {
			// Windows PowerShell 5.1 drops an empty argument:
			// -log '' would reach the program as -log alone.
			assert.NotContains(t, command, "''", "%s: %s", readme, command)
			assert.NotContains(t, command, `""`, "%s: %s", readme, command)
			// cmd takes a # for a word like any other, not for
			// the start of a comment.
			assert.NotContains(t, command, " #", "%s: %s", readme, command)
		}
	}
}
