package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withEnv returns our environment with settings added (later ones
// win, as the go command reads them).
func withEnv(settings ...string) []string {
	return append(os.Environ(), settings...)
}

func TestRaceSupportIsFoundMissing(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	ctx := context.Background()

	off := findRaceSupport(ctx, module, withEnv("CGO_ENABLED=0"))
	assert.False(t, off.works)
	assert.Contains(t, off.raceUnchecked(),
		"Data races were not checked: the race detector needs cgo and a C compiler, and ")

	missing := findRaceSupport(ctx, module,
		withEnv("CGO_ENABLED=1", "CC="+filepath.Join(t.TempDir(), "no-such-cc")))
	assert.False(t, missing.works)
	assert.Contains(t, missing.why, "no-such-cc")
	assert.Contains(t, missing.why, "is not found")
}

func TestACompilerThatFailsIsNoCompiler(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in compiler is a shell script")
	}
	broken := filepath.Join(t.TempDir(), "cc")
	require.NoError(t, os.WriteFile(broken,
		[]byte("#!/bin/sh\necho 'cc: cannot run' >&2\nexit 1\n"), 0o755))
	found := findRaceSupport(context.Background(), fakeModule(t),
		withEnv("CGO_ENABLED=1", "CC="+broken))
	assert.False(t, found.works)
	assert.Contains(t, found.why, "does not work")
	assert.Contains(t, found.why, "cc: cannot run")
}

func TestTheLineSaysWhatToInstallOnEachSystem(t *testing.T) {
	assert.Contains(t, howToGetTheRaceCheck("windows"), "MinGW-w64 gcc")
	assert.Contains(t, howToGetTheRaceCheck("darwin"), "xcode-select --install")
	assert.Contains(t, howToGetTheRaceCheck("linux"), "sudo apt install gcc")
	// A setting, not a missing compiler, gets its own fix.
	off := raceSupport{why: "cgo is turned off (CGO_ENABLED=0)",
		fix: "To get the check, remove that setting."}
	assert.Equal(t, "Data races were not checked: the race detector "+
		"needs cgo and a C compiler, and cgo is turned off "+
		"(CGO_ENABLED=0). To get the check, remove that setting.",
		off.raceUnchecked())
	assert.NotContains(t, off.raceUnchecked(), "\n")
}

func TestTheMachinesFailuresAreToldApart(t *testing.T) {
	cases := []struct {
		failed []string
		output string
		why    string
	}{
		{nil, "go: -race requires cgo; enable cgo by setting CGO_ENABLED=1", "cgo is turned off"},
		{[]string{"runtime/cgo"}, "cgo: C compiler \"gcc\" not found", "Go could not build runtime/cgo"},
		{nil, "go: -race is not supported on windows/arm64", "no race detector"},
		{nil, "ld: cannot find -lsynchronization", "MinGW-w64"},
	}
	for _, c := range cases {
		why, ok := machineFailure(c.failed, c.output)
		assert.True(t, ok, c.output)
		assert.Contains(t, why, c.why)
	}
	// The learner's code failing to compile is not the machine.
	_, ok := machineFailure([]string{"workbook/exercises/05-key-value"},
		"store.go:12:3: undefined: x")
	assert.False(t, ok)
}

// defaultCC is the C compiler Go looks for when CC is not set.
func defaultCC() string {
	if runtime.GOOS == "darwin" || runtime.GOOS == "freebsd" {
		return "clang"
	}
	return "gcc"
}

// raceExercise is an exercise that asks for -race, whose tests pass
// when the code builds, and tell whether the detector was on.
func raceExercise(t *testing.T, module string) {
	t.Helper()
	exerciseOf(t, module, "01-race", raceFlags, `package code

import "net"

// The net package builds with cgo when cgo is on.
var _ = net.ParseIP
`, `package code

import "testing"

func TestBuilds(t *testing.T) {}
`)
}

func TestWithoutARaceDetectorTheTestsRunAndSaySo(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	raceExercise(t, module)
	r, output := realRunner(t, module)
	r.env = withEnv("CGO_ENABLED=0")

	code := r.command(context.Background(), []string{"check", "1"})
	assert.Equal(t, 0, code, output.String())
	lines := strings.Split(output.String(), "\n")
	require.GreaterOrEqual(t, len(lines), 2, output.String())
	assert.Equal(t, "✓ 01-race passes.", lines[0])
	// One line, with the cause and the fix: the setting, where Go
	// finds a C compiler, or else the compiler to install.
	said := r.raceDetector(context.Background()).raceUnchecked()
	assert.Equal(t, said, lines[1])
	if _, err := exec.LookPath(defaultCC()); err == nil {
		assert.Equal(t, "Data races were not checked: the race "+
			"detector needs cgo and a C compiler, and cgo is "+
			"turned off (CGO_ENABLED=0). To get the check, remove "+
			"that setting, or set CGO_ENABLED to 1.", said)
	} else {
		assert.Contains(t, said, "Go finds no C compiler")
		assert.Contains(t, said, howToGetTheRaceCheck(runtime.GOOS))
	}
	assert.NotContains(t, output.String(), "Building")
}

func TestABrokenCompilerFoundOnlyByTheBuildIsNotTheCodesFault(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	raceExercise(t, module)
	r, _ := realRunner(t, module)
	// The quick look found a compiler; the build with -race then
	// fails in runtime/cgo, a package of Go's own.
	r.race = &raceSupport{works: true}
	r.env = withEnv("CGO_ENABLED=1", "CC="+filepath.Join(t.TempDir(), "no-such-cc"))

	results, err := r.goTest(context.Background(), []job{{ex: r.exercises[0]}})
	require.NoError(t, err)
	res := results["01-race"]
	assert.True(t, res.passed, res.report)
	assert.True(t, res.racesUnchecked)
	// And from now on, the runner knows.
	assert.False(t, r.raceDetector(context.Background()).works)
	assert.Contains(t, r.raceDetector(context.Background()).why,
		"Go could not build runtime/cgo")
	assert.True(t, r.cgoFails())
}

func TestABrokenCompilerFailsNoExerciseThatUsesTheNetwork(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	// An exercise without -race, whose package needs net, which
	// cgo builds when it is on; then one with -race.
	exerciseOf(t, module, "01-net", noFlags,
		"package code\n\nimport \"net\"\n\nvar _ = net.ParseIP\n",
		"package code\n\nimport \"testing\"\n\nfunc TestBuilds(t *testing.T) {}\n")
	raceExercise(t, module)
	require.NoError(t, os.Rename(filepath.Join(module, "exercises", "01-race"),
		filepath.Join(module, "exercises", "02-race")))
	r, _ := realRunner(t, module)
	r.env = withEnv("CGO_ENABLED=1", "CC="+filepath.Join(t.TempDir(), "no-such-cc"))

	results, err := r.goTest(context.Background(),
		[]job{{ex: r.exercises[0]}, {ex: r.exercises[1]}})
	require.NoError(t, err)
	assert.True(t, results["01-net"].passed, results["01-net"].report)
	assert.False(t, results["01-net"].racesUnchecked)
	assert.True(t, results["02-race"].passed, results["02-race"].report)
	assert.True(t, results["02-race"].racesUnchecked)
}

func TestAnExerciseWithoutRaceNeverMentionsIt(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	exerciseOf(t, module, "01-plain", noFlags, "package code\n",
		"package code\n\nimport \"testing\"\n\nfunc TestFine(t *testing.T) {}\n")
	r, output := realRunner(t, module)
	r.env = withEnv("CGO_ENABLED=0")
	code := r.command(context.Background(), []string{"check", "1"})
	assert.Equal(t, 0, code)
	assert.Equal(t, "✓ 01-plain passes.\n", output.String())
	// It never even looked for the race detector.
	assert.Nil(t, r.race)
}
