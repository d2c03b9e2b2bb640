package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"workbook/exercises/internal/exercisetest"
)

// A job is one exercise to test. When replacement is not "", that
// file stands in for the learner's (verify tests stubs, solutions
// and wrong versions this way, without touching the tree).
type job struct {
	ex          exercise
	replacement string
}

// A result is what the tests of one exercise said.
type result struct {
	passed bool
	report string // what a learner should read when it fails
	// racesUnchecked: the exercise asks for the race detector, which
	// cannot run here, so its tests ran without it.
	racesUnchecked bool
}

// errStopped says a run was stopped (Ctrl-C, or watch saw a save)
// before its tests finished.
var errStopped = errors.New("stopped before the tests finished")

// goTest runs the jobs' tests with `go test`, in strict mode (an
// untouched stub counts as not done), and returns each exercise's
// result by name. Exercises that ask for the same flags share one
// go test, which builds and runs them in parallel.
func (r *runner) goTest(ctx context.Context, jobs []job) (map[string]result, error) {
	results := make(map[string]result)
	for _, group := range byFlags(jobs) {
		found, err := r.goTestGroup(ctx, group)
		if err != nil {
			return nil, err
		}
		for name, res := range found {
			results[name] = res
		}
	}
	return results, nil
}

// byFlags sorts jobs into groups that ask for the same flags, in the
// order the exercises come.
func byFlags(jobs []job) [][]job {
	var groups [][]job
	index := make(map[string]int)
	for _, j := range jobs {
		key := strings.Join(j.ex.flags, " ")
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], j)
	}
	return groups
}

// goTestGroup runs one go test for jobs that share their flags. The
// race detector is left out where it cannot run, and the results say
// so.
func (r *runner) goTestGroup(ctx context.Context, jobs []job) (map[string]result, error) {
	// Replacements go through -overlay: the go command reads them
	// instead of the learner's files, which stay untouched.
	replace := make(map[string]string)
	for _, j := range jobs {
		if j.replacement != "" {
			replace[j.ex.path(j.ex.file)] = j.replacement
		}
	}
	overlay := ""
	if len(replace) > 0 {
		var err error
		overlay, err = writeOverlay(replace)
		if err != nil {
			return nil, err
		}
		defer os.Remove(overlay)
	}

	// Without a race detector, cgo is turned off for the tests too:
	// with it on and no C compiler that works, the net package
	// would not build either.
	flags := jobs[0].ex.flags
	wantsRace := slices.Contains(flags, "-race")
	cgoOff := r.cgoFails()
	if wantsRace {
		if r.raceDetector(ctx).works {
			r.sayIfTheRaceBuildIsSlow(ctx, jobs)
		} else {
			flags, cgoOff = withoutRace(flags), true
		}
	}
	results, err := r.runGoTest(ctx, jobs, flags, overlay, cgoOff)
	if err != nil {
		return nil, err
	}
	// A build that failed for the machine's sake, not the code's
	// (see machineFailure): run again without cgo, and without the
	// race detector, from now on.
	if why, ok := results.machineFailure(); ok && !cgoOff {
		r.raceFailed(why)
		flags = withoutRace(flags)
		cgoOff = true
		results, err = r.runGoTest(ctx, jobs, flags, overlay, cgoOff)
		if err != nil {
			return nil, err
		}
	}
	unchecked := wantsRace && cgoOff

	found := make(map[string]result)
	for _, j := range jobs {
		res := results.of(j.ex, r.limit)
		res.racesUnchecked = unchecked
		found[j.ex.name] = res
	}
	return found, nil
}

// withoutRace returns flags without -race.
func withoutRace(flags []string) []string {
	var kept []string
	for _, flag := range flags {
		if flag != "-race" {
			kept = append(kept, flag)
		}
	}
	return kept
}

// sayIfTheRaceBuildIsSlow tells the learner, before a long silence,
// that the first build with the race detector takes a while: Go
// compiles its own packages again, instrumented, once per machine.
// It asks the go command whether the runtime is built that way yet.
func (r *runner) sayIfTheRaceBuildIsSlow(ctx context.Context, jobs []job) {
	command := exec.CommandContext(ctx, "go", "list", "-race",
		"-f", "{{.Stale}}", "runtime")
	command.Dir = r.module
	command.Env = r.environ()
	out, err := command.Output()
	if err != nil || strings.TrimSpace(string(out)) != "true" {
		return
	}
	var numbers []string
	for _, j := range jobs {
		numbers = append(numbers, fmt.Sprint(j.ex.number))
	}
	which := "exercise " + numbers[0] + "'s tests"
	if len(numbers) > 1 {
		which = "the tests of exercises " + strings.Join(numbers, ", ")
	}
	fmt.Fprintf(r.out, "Building %s with the race detector: the "+
		"first build takes a minute or two, later ones seconds.\n",
		which)
}

// environ is the environment of the go commands the runner starts.
func (r *runner) environ() []string {
	if r.env != nil {
		return r.env
	}
	return os.Environ()
}

// runGoTest runs go test once, with flags, and cgo off if cgoOff,
// and gathers what it says.
func (r *runner) runGoTest(ctx context.Context, jobs []job, flags []string,
	overlay string, cgoOff bool) (*testOutput, error) {
	args := r.goTestArgs(jobs, flags, overlay)
	command := exec.CommandContext(ctx, "go", args...)
	command.Dir = r.module
	command.Env = append(r.environ(), exercisetest.StrictEnv+"=1")
	if cgoOff {
		command.Env = append(command.Env, "CGO_ENABLED=0")
	}
	output := newTestOutput(r.module)
	stderr := &headOf{most: 64 << 10}
	err := runTree(command, output, stderr)
	if ctx.Err() != nil {
		return nil, errStopped
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("running go test: %w", err)
	}
	output.stderr = stderr.String()
	return output, nil
}

// goTestArgs is the go test command line for jobs, with flags.
func (r *runner) goTestArgs(jobs []job, flags []string, overlay string) []string {
	// Never a result from the test cache: a pass under the race
	// detector can be luck, and only a fresh run can say so. The
	// time limit counts the tests' run, not the build.
	args := []string{"test", "-json", "-count=1",
		"-timeout=" + r.limit.String()}
	args = append(args, flags...)
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	// Packages are named from the module's root, so that compiler
	// errors name files as exercises/01-isprime/isprime.go:12:3.
	for _, j := range jobs {
		args = append(args, "./exercises/"+j.ex.name)
	}
	return args
}

// writeOverlay writes the JSON file `go test -overlay` takes, which
// maps each file to the one to read in its place.
func writeOverlay(replace map[string]string) (string, error) {
	content, err := json.Marshal(map[string]map[string]string{
		"Replace": replace,
	})
	if err != nil {
		return "", err
	}
	file, err := os.CreateTemp("", "exercises-overlay-*.json")
	if err != nil {
		return "", err
	}
	_, err = file.Write(content)
	if closeErr := file.Close(); err == nil {
		err = closeErr
	}
	return file.Name(), err
}
