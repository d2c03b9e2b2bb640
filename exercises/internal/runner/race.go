package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Exercises 4 to 8 ask for -race: the race detector, which finds two
// goroutines using the same memory with nothing to order them. It
// needs cgo, which needs a C compiler, and a fresh Go install on
// Windows has none; so the runner finds out, once, whether the
// detector can run here. Where it cannot, the tests run without it,
// an exercise passes when its tests pass, and the runner says in one
// line that data races were not checked, and how to get the check.
// The learner's code is never blamed for the machine.

// raceSupport is what the runner found out about the race detector.
type raceSupport struct {
	works bool
	// why the detector cannot run here, when it cannot, as the end
	// of a sentence: "Go finds no C compiler (gcc) here".
	why string
	// fix says how to get the check, when it is not a C compiler
	// to install.
	fix string
	// cgoFails: a build with cgo failed here, whatever its flags.
	cgoFails bool
}

// raceUnchecked is the line the runner prints when data races were
// not checked.
func (s raceSupport) raceUnchecked() string {
	fix := s.fix
	if fix == "" {
		fix = howToGetTheRaceCheck(runtime.GOOS)
	}
	return fmt.Sprintf("Data races were not checked: the race detector "+
		"needs cgo and a C compiler, and %s. %s", s.why, fix)
}

// howToGetTheRaceCheck says which C compiler to install on goos.
func howToGetTheRaceCheck(goos string) string {
	switch goos {
	case "windows":
		return "To get the check, install a MinGW-w64 gcc " +
			"(as MSYS2 or WinLibs ship it), put its bin folder " +
			"on PATH, and open a new terminal."
	case "darwin":
		return "To get the check, install Apple's command line " +
			"tools: xcode-select --install."
	default:
		return "To get the check, install gcc (on Debian or " +
			"Ubuntu: sudo apt install gcc)."
	}
}

// raceDetector finds out once, and remembers, whether the race
// detector can run here.
func (r *runner) raceDetector(ctx context.Context) raceSupport {
	r.raceMu.Lock()
	defer r.raceMu.Unlock()
	if r.race == nil {
		found := findRaceSupport(ctx, r.module, r.env)
		r.race = &found
	}
	return *r.race
}

// cgoFails reports whether a build failed already for the machine's
// sake: the runner then turns cgo off for every test it runs.
func (r *runner) cgoFails() bool {
	r.raceMu.Lock()
	defer r.raceMu.Unlock()
	return r.race != nil && !r.race.works && r.race.cgoFails
}

// raceFailed records that a build failed for a reason that is the
// machine's, not the code's: cgo or the race detector.
func (r *runner) raceFailed(why string) {
	r.raceMu.Lock()
	defer r.raceMu.Unlock()
	r.race = &raceSupport{why: why, cgoFails: true}
}

// findRaceSupport asks the go command what it would use, then tries
// the C compiler on a file of one line. It takes a fraction of a
// second; building the race detector's runtime, the real proof,
// takes a minute or two the first time.
func findRaceSupport(ctx context.Context, module string,
	environ []string) raceSupport {
	env, err := goEnv(ctx, module, environ,
		"CGO_ENABLED", "CC", "GOOS", "GOARCH")
	if err != nil {
		return raceSupport{why: "asking the go command failed: " +
			err.Error()}
	}
	platform := env["GOOS"] + "/" + env["GOARCH"]
	if !raceRunsOn(platform) {
		return raceSupport{why: "Go has no race detector for " +
			platform, fix: "Another computer can check them."}
	}
	compiler := strings.Fields(env["CC"])
	if len(compiler) == 0 {
		return raceSupport{why: "the go command names no C compiler (CC)"}
	}
	_, lookErr := exec.LookPath(compiler[0])
	if env["CGO_ENABLED"] != "1" {
		if lookErr != nil {
			return raceSupport{why: fmt.Sprintf(
				"Go finds no C compiler (%s) here", env["CC"])}
		}
		return raceSupport{why: "cgo is turned off (CGO_ENABLED=0)",
			fix: "To get the check, remove that setting, or set " +
				"CGO_ENABLED to 1."}
	}
	if lookErr != nil {
		return raceSupport{why: fmt.Sprintf(
			"the C compiler Go is told to use, %q, is not found",
			env["CC"])}
	}
	if err := tryCompiler(ctx, compiler, environ); err != nil {
		return raceSupport{why: fmt.Sprintf(
			"the C compiler %q does not work: %v", env["CC"], err)}
	}
	return raceSupport{works: true}
}

// goEnv returns the values `go env` gives for names, in environ.
func goEnv(ctx context.Context, module string, environ []string,
	names ...string) (map[string]string, error) {
	command := exec.CommandContext(ctx, "go",
		append([]string{"env", "-json"}, names...)...)
	command.Dir = module
	command.Env = environ
	var stderr strings.Builder
	command.Stderr = &stderr
	out, err := command.Output()
	if err != nil {
		return nil, fmt.Errorf("go env: %v: %s", err,
			strings.TrimSpace(stderr.String()))
	}
	env := make(map[string]string)
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, fmt.Errorf("go env: %v", err)
	}
	return env, nil
}

// raceRunsOn reports whether Go has a race detector for platform,
// as `go help build` lists them under -race.
func raceRunsOn(platform string) bool {
	switch platform {
	case "darwin/amd64", "darwin/arm64", "freebsd/amd64",
		"linux/amd64", "linux/arm64", "linux/loong64",
		"linux/ppc64le", "linux/riscv64", "linux/s390x",
		"netbsd/amd64", "windows/amd64":
		return true
	}
	return false
}

// tryCompiler compiles a C file of one line with compiler (its
// program and flags, as CC gives them), in a directory of its own.
func tryCompiler(ctx context.Context, compiler []string,
	environ []string) error {
	dir, err := os.MkdirTemp("", "exercises-cc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	source := filepath.Join(dir, "check.c")
	err = os.WriteFile(source, []byte("int check(void) { return 0; }\n"), 0o644)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	args := append(compiler[1:len(compiler):len(compiler)],
		"-c", source, "-o", filepath.Join(dir, "check.o"))
	command := exec.CommandContext(ctx, compiler[0], args...)
	command.Dir = dir
	command.Env = environ
	output, err := command.CombinedOutput()
	if err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(string(output)), "\n")
		if first == "" {
			return err
		}
		return fmt.Errorf("%v: %s", err, first)
	}
	return nil
}

// machineFailure reports whether a failed build with -race failed
// for the machine's sake rather than the code's, and says why. The
// go command refuses -race without cgo; with cgo on and no working C
// compiler, it is runtime/cgo, a package of Go's own, that fails to
// build; an old MinGW on Windows lacks a library the detector links.
func machineFailure(failedBuild []string, output string) (string, bool) {
	switch {
	case strings.Contains(output, "-race requires cgo"):
		return "cgo is turned off", true
	case strings.Contains(output, "-race is not supported on"):
		return "Go has no race detector for this system", true
	case strings.Contains(output, "lsynchronization"):
		return "the C compiler's MinGW-w64 runtime is older than " +
			"version 8, which the race detector needs", true
	}
	for _, pkg := range failedBuild {
		if pkg == "runtime/cgo" || pkg == "runtime/race" {
			return fmt.Sprintf("the C compiler does not work: "+
				"Go could not build %s", pkg), true
		}
	}
	return "", false
}
