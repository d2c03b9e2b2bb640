package runner

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// The runner's tests never look at the learner's exercises: they
// build fake trees in temporary directories. The tests in this file
// check what each command does and prints, with a fake in place of
// go test that passes an exercise when its file is the solution, so
// they run in milliseconds; gotest_test.go runs the real go test.

const (
	addStub = `package add

// Add returns a + b.
func Add(a, b int) int {
	// TODO: add them.
	return 0
}
`
	addSolution = `package add

// Add returns a + b.
func Add(a, b int) int {
	return a + b
}
`
	addTest = `package add

import "testing"

func TestAdd(t *testing.T) {
	if got := Add(2, 3); got != 5 {
		t.Errorf("Add(2, 3) = %d, want 5", got)
	}
}
`
	noFlags   = `{"custom": {"testingFlags": []}}`
	raceFlags = `{"custom": {"testingFlags": ["-race"]}}`
)

// writeFile writes content at path under dir, making directories.
func writeFile(t *testing.T, dir, path, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(path))
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
}

// addExercise writes one exercise of the add kind into module.
func addExercise(t *testing.T, module, name, config string) {
	t.Helper()
	dir := "exercises/" + name + "/"
	writeFile(t, module, dir+"add.go", addStub)
	writeFile(t, module, dir+"add_test.go", addTest)
	writeFile(t, module, dir+".meta/stub/add.go", addStub)
	writeFile(t, module, dir+".meta/solution/add.go", addSolution)
	writeFile(t, module, dir+".meta/hint.md", "Use the + operator.\n")
	writeFile(t, module, dir+".meta/about.txt", "addition (after chapter 0)\n")
	writeFile(t, module, dir+".meta/config.json", config)
}

// fakeTree writes a module with two exercises, 01-add and 02-more,
// and returns the module's directory.
func fakeTree(t *testing.T) string {
	t.Helper()
	module := t.TempDir()
	writeFile(t, module, "go.mod", "module fake\n\ngo 1.26\n")
	addExercise(t, module, "01-add", noFlags)
	addExercise(t, module, "02-more", raceFlags)
	writeFile(t, module, "exercises/01-add/.meta/wrong/minus/add.go",
		strings.Replace(addSolution, "a + b", "a - b", 1))
	return module
}

// fakeGoTest stands in for go test: an exercise passes when its file
// (or the replacement) is the solution. It records the jobs it gets.
type fakeGoTest struct {
	mu   sync.Mutex
	jobs [][]job
}

func (f *fakeGoTest) test(_ context.Context, jobs []job) (map[string]result, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, jobs)
	f.mu.Unlock()
	results := make(map[string]result)
	for _, j := range jobs {
		file := j.replacement
		if file == "" {
			file = j.ex.path(j.ex.file)
		}
		content, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		if string(content) == addSolution {
			results[j.ex.name] = result{passed: true}
		} else {
			results[j.ex.name] = result{report: "--- FAIL: TestAdd\n    add_test.go:7: Add(2, 3) = 0, want 5"}
		}
	}
	return results, nil
}

// tested lists the exercises each call to the fake was given.
func (f *fakeGoTest) tested() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var calls [][]string
	for _, jobs := range f.jobs {
		var call []string
		for _, j := range jobs {
			call = append(call, j.ex.name)
		}
		calls = append(calls, call)
	}
	return calls
}

// testRunner returns a runner on module with the fake go test, and
// the buffer its output goes to.
func testRunner(module, input string) (*runner, *fakeGoTest, *testkit.SyncBuffer) {
	var output testkit.SyncBuffer
	r := newRunner(module, strings.NewReader(input), &output, &output)
	r.interactive = true
	r.pollEvery = 20 * time.Millisecond
	fake := &fakeGoTest{}
	r.test = fake.test
	return r, fake, &output
}

// runIn runs one command line on module, with the fake go test.
func runIn(t *testing.T, module, input string, args ...string) (int, string) {
	t.Helper()
	r, _, output := testRunner(module, input)
	code := r.command(context.Background(), args)
	return code, output.String()
}

// learnerFile is the path of an exercise's file to edit.
func learnerFile(module, name string) string {
	return filepath.Join(module, "exercises", name, "add.go")
}

// solve writes the solution over the learner's file.
func solve(t *testing.T, module, name string) {
	t.Helper()
	writeFile(t, module, "exercises/"+name+"/add.go", addSolution)
}

func TestOverviewOnAFreshTree(t *testing.T) {
	module := fakeTree(t)
	r, fake, output := testRunner(module, "")
	code := r.command(context.Background(), nil)
	assert.Equal(t, 0, code)
	assert.Contains(t, output.String(), "Exercises: 0 of 2 done")
	assert.Contains(t, output.String(), "▶ 1  01-add")
	assert.Contains(t, output.String(), "Not started. Open exercises/01-add/add.go")
	assert.Contains(t, output.String(), "go run ./exercises hint 1")
	// Nothing started, nothing to test.
	assert.Empty(t, fake.tested())
}

func TestOverviewShowsTheExerciseInProgress(t *testing.T) {
	module := fakeTree(t)
	started := strings.Replace(addStub, "return 0", "return 1", 1)
	writeFile(t, module, "exercises/02-more/add.go", started)

	r, fake, output := testRunner(module, "")
	r.command(context.Background(), nil)
	assert.Contains(t, output.String(), "▶ 2  02-more")
	assert.Contains(t, output.String(), "in progress")
	assert.Contains(t, output.String(), "    --- FAIL: TestAdd\n")
	// Only the exercise started is tested.
	assert.Equal(t, [][]string{{"02-more"}}, fake.tested())
}

func TestProgressAfterSolvingOne(t *testing.T) {
	module := fakeTree(t)
	solve(t, module, "01-add")
	_, output := runIn(t, module, "")
	assert.Contains(t, output, "Exercises: 1 of 2 done")
	assert.Contains(t, output, "✓ 1  01-add")
	assert.Contains(t, output, "▶ 2  02-more")

	solve(t, module, "02-more")
	_, output = runIn(t, module, "")
	assert.Contains(t, output, "Exercises: 2 of 2 done")
	assert.Contains(t, output, "All 2 exercises pass")
}

func TestWhatALearnerCannotSeeDoesNotStartAnExercise(t *testing.T) {
	invisible := map[string]string{
		"a byte-order mark":     "\uFEFF" + addStub,
		"CRLF line endings":     strings.ReplaceAll(addStub, "\n", "\r\n"),
		"CR line endings":       strings.ReplaceAll(addStub, "\n", "\r"),
		"no final newline":      strings.TrimSuffix(addStub, "\n"),
		"an extra final line":   addStub + "\n",
		"all of them, together": "\uFEFF" + strings.TrimSuffix(strings.ReplaceAll(addStub, "\n", "\r\n"), "\r\n"),
	}
	for change, content := range invisible {
		module := fakeTree(t)
		writeFile(t, module, "exercises/01-add/add.go", content)
		_, output := runIn(t, module, "")
		assert.Contains(t, output, "  ▶ 1  01-add                 not started", change)
	}

	// A change a learner can see starts it.
	module := fakeTree(t)
	writeFile(t, module, "exercises/01-add/add.go",
		strings.Replace(addStub, "// TODO: add them.\n", "", 1))
	_, output := runIn(t, module, "")
	assert.Contains(t, output, "  ▶ 1  01-add                 in progress")
}

func TestADeletedFileIsReportedWithReset(t *testing.T) {
	module := fakeTree(t)
	require.NoError(t, os.Remove(learnerFile(module, "01-add")))

	_, output := runIn(t, module, "")
	assert.Contains(t, output, "▶ 1  01-add                 file missing: go run ./exercises reset 1")
	assert.Contains(t, output, "exercises/01-add/add.go is missing: it was deleted or renamed. To start again from the stub: go run ./exercises reset 1")

	code, output := runIn(t, module, "", "check", "1")
	assert.Equal(t, 1, code)
	assert.Equal(t, "✗ exercises/01-add/add.go is missing: it was deleted or renamed. To start again from the stub: go run ./exercises reset 1\n", output)

	code, _ = runIn(t, module, "", "reset", "1", "--yes")
	assert.Equal(t, 0, code)
	content, err := os.ReadFile(learnerFile(module, "01-add"))
	require.NoError(t, err)
	assert.Equal(t, addStub, string(content))
}

func TestCheck(t *testing.T) {
	module := fakeTree(t)
	code, output := runIn(t, module, "", "check", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "01-add is not started")
	assert.Contains(t, output, "        add_test.go:7: Add(2, 3) = 0, want 5")

	solve(t, module, "01-add")
	code, output = runIn(t, module, "", "check", "01")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "✓ 01-add passes")
	assert.Contains(t, output, "Next: exercise 2, 02-more")
}

func TestHint(t *testing.T) {
	code, output := runIn(t, fakeTree(t), "", "hint", "2")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "Use the + operator.")
}

func TestAnExerciseCanBeNamedAsTheListShowsIt(t *testing.T) {
	module := fakeTree(t)
	code, output := runIn(t, module, "", "hint", "02-more")
	assert.Equal(t, 0, code, output)
	assert.Equal(t, "Hint for 02-more:\n\nUse the + operator.\n", output)

	code, output = runIn(t, module, "", "check", "more")
	assert.Equal(t, 2, code)
	assert.Contains(t, output, `there is no exercise "more": the numbers go from 1 to 2, and the names are as the list shows them, such as 01-add`)
}

func TestSolutionOnlyOnceSolved(t *testing.T) {
	module := fakeTree(t)
	code, output := runIn(t, module, "", "solution", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "opens once your version passes")
	assert.NotContains(t, output, "return a + b")

	solve(t, module, "01-add")
	code, output = runIn(t, module, "", "solution", "1")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "return a + b")
}

func TestResetAsksFirst(t *testing.T) {
	module := fakeTree(t)
	file := learnerFile(module, "01-add")
	mine := strings.Replace(addStub, "return 0", "return 42", 1)
	require.NoError(t, os.WriteFile(file, []byte(mine), 0o644))

	for _, answer := range []string{"n\n", "\n", "no"} {
		code, output := runIn(t, module, answer, "reset", "1")
		assert.Equal(t, 0, code)
		assert.Contains(t, output, "Your version will be lost")
		assert.Contains(t, output, "Nothing changed.")
		content, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, mine, string(content), "answer %q", answer)
	}

	// Input that ends before any answer, as from /dev/null, which
	// looks like a terminal to a simple check, is no answer.
	code, output := runIn(t, module, "", "reset", "1")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "exercises: reset did nothing: no answer came. To put back the original exercises/01-add/add.go anyway: go run ./exercises reset 1 --yes\n")
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, mine, string(content))

	code, _ = runIn(t, module, "y\n", "reset", "1")
	assert.Equal(t, 0, code)
	content, err = os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, addStub, string(content))
}

func TestCtrlCDuringResetsQuestionChangesNothing(t *testing.T) {
	module := fakeTree(t)
	file := learnerFile(module, "01-add")
	mine := strings.Replace(addStub, "return 0", "return 42", 1)
	require.NoError(t, os.WriteFile(file, []byte(mine), 0o644))

	// A terminal where nobody types.
	typing, keyboard := io.Pipe()
	defer keyboard.Close()
	r, _, output := testRunner(module, "")
	r.stdin = typing
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- r.command(ctx, []string{"reset", "1"}) }()
	require.Eventually(t, func() bool {
		return strings.Contains(output.String(), "[y/N]")
	}, 30*time.Second, 10*time.Millisecond)

	cancel()
	assert.Equal(t, 0, <-done)
	assert.Contains(t, output.String(), "Nothing changed.")
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, mine, string(content))
}

func TestResetWithNoTerminalDoesNothing(t *testing.T) {
	module := fakeTree(t)
	file := learnerFile(module, "01-add")
	mine := strings.Replace(addStub, "return 0", "return 42", 1)
	require.NoError(t, os.WriteFile(file, []byte(mine), 0o644))

	// Even a "y" piped in is not an answer: nobody saw the question.
	r, _, output := testRunner(module, "y\n")
	r.interactive = false
	code := r.command(context.Background(), []string{"reset", "1"})
	assert.Equal(t, 1, code)
	assert.Equal(t, "exercises: reset did nothing: there is no terminal to ask on. To put back the original exercises/01-add/add.go anyway: go run ./exercises reset 1 --yes\n", output.String())
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, mine, string(content))

	// --yes, before or after the number, does not ask.
	for _, args := range [][]string{{"reset", "1", "--yes"}, {"reset", "--yes", "1"}} {
		require.NoError(t, os.WriteFile(file, []byte(mine), 0o644))
		r, _, output := testRunner(module, "")
		r.interactive = false
		code := r.command(context.Background(), args)
		assert.Equal(t, 0, code, "%v", args)
		assert.Equal(t, "exercises/01-add/add.go is as it was shipped.\n", output.String())
		content, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, addStub, string(content))
	}
}

func TestIsTerminal(t *testing.T) {
	assert.False(t, isTerminal(nil))
	file, err := os.CreateTemp(t.TempDir(), "stdin")
	require.NoError(t, err)
	defer file.Close()
	assert.False(t, isTerminal(file), "a file is not a terminal")
}

func TestList(t *testing.T) {
	code, output := runIn(t, fakeTree(t), "", "list")
	assert.Equal(t, 0, code)
	assert.Contains(t, output, "1  01-add\n   addition (after chapter 0)")
	assert.Contains(t, output, "2  02-more\n   addition (after chapter 0)")
	// Nothing started, no tests to run, nothing to wait for.
	assert.NotContains(t, output, "Running the tests")
}

func TestListSaysItRunsTheTestsBeforeTheWait(t *testing.T) {
	module := fakeTree(t)
	solve(t, module, "01-add")
	_, output := runIn(t, module, "", "list")
	assert.True(t, strings.HasPrefix(output, "Running the tests of exercise 1, the one you have started, to see what passes...\n\nExercises: 1 of 2 done"), output)

	solve(t, module, "02-more")
	_, output = runIn(t, module, "", "list")
	assert.True(t, strings.HasPrefix(output, "Running the tests of exercises 1 and 2, which you have started, to see what passes...\n"), output)
}

func TestVerifyFindsEveryKindOfProblem(t *testing.T) {
	module := fakeTree(t)
	r, fake, output := testRunner(module, "")
	code := r.command(context.Background(), []string{"verify"})
	assert.Equal(t, 0, code, output.String())
	assert.Contains(t, output.String(), `01-add: wrong version "minus" fails, as it should: add_test.go:7: Add(2, 3) = 0, want 5`)
	assert.Contains(t, output.String(), "all 2 exercises")
	// Stubs in one round, solutions in one, wrong versions in one.
	assert.Equal(t, [][]string{{"01-add", "02-more"},
		{"01-add", "02-more"}, {"01-add"}}, fake.tested())

	// A solution that does not pass is caught.
	broken := filepath.Join(module, "exercises", "02-more", ".meta", "solution", "add.go")
	require.NoError(t, os.WriteFile(broken, []byte(addStub), 0o644))
	code, out := runIn(t, module, "", "verify")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "✗ 02-more: the solution fails its tests: add_test.go:7")

	// So is a stub that was shipped edited, a stub that passes, and a
	// wrong version that passes.
	solve(t, module, "01-add")
	writeFile(t, module, "exercises/01-add/.meta/stub/add.go", addSolution)
	writeFile(t, module, "exercises/01-add/.meta/wrong/minus/add.go", addSolution)
	code, out = runIn(t, module, "", "verify")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "✗ 01-add: the stub passes its tests")
	assert.Contains(t, out, `✗ 01-add: the wrong version "minus" passes its tests`)
	assert.Contains(t, out, "3 problems")

	solve(t, module, "02-more")
	require.NoError(t, os.Remove(learnerFile(module, "01-add")))
	_, out = runIn(t, module, "", "verify")
	assert.Contains(t, out, "✗ 02-more: add.go differs from .meta/stub/add.go: ship the stub untouched")
	assert.Contains(t, out, "✗ 01-add: add.go is missing: ship a copy of .meta/stub/add.go")
}

func TestWatchRerunsOnSave(t *testing.T) {
	module := fakeTree(t)
	r, _, output := testRunner(module, "")
	exercises, err := discover(r.root)
	require.NoError(t, err)
	r.exercises = exercises

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- r.watch(ctx) }()

	require.Eventually(t, func() bool {
		return strings.Contains(output.String(), "0 of 2 done")
	}, 30*time.Second, 10*time.Millisecond)
	assert.Contains(t, output.String(), "works on WSL and network drives")

	solve(t, module, "01-add")
	require.Eventually(t, func() bool {
		return strings.Contains(output.String(), "1 of 2 done")
	}, 30*time.Second, 10*time.Millisecond)
	assert.Contains(t, output.String(), "a file changed")

	cancel()
	assert.Equal(t, 0, <-done)
}

func TestWatchStopsTheTestsWhenAFileChanges(t *testing.T) {
	module := fakeTree(t)
	writeFile(t, module, "exercises/01-add/add.go",
		strings.Replace(addStub, "return 0", "return 1", 1))
	r, _, output := testRunner(module, "")
	exercises, err := discover(r.root)
	require.NoError(t, err)
	r.exercises = exercises

	// Tests that never finish unless they are stopped.
	var mu sync.Mutex
	calls, stopped := 0, 0
	r.test = func(ctx context.Context, jobs []job) (map[string]result, error) {
		mu.Lock()
		calls++
		mu.Unlock()
		<-ctx.Done()
		mu.Lock()
		stopped++
		mu.Unlock()
		return nil, errStopped
	}
	count := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return calls, stopped
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- r.watch(ctx) }()
	require.Eventually(t, func() bool {
		c, _ := count()
		return c == 1
	}, 30*time.Second, 10*time.Millisecond)

	// A save stops the run and starts another.
	writeFile(t, module, "exercises/01-add/add.go",
		strings.Replace(addStub, "return 0", "return 2", 1))
	require.Eventually(t, func() bool {
		c, s := count()
		return c == 2 && s == 1
	}, 30*time.Second, 10*time.Millisecond)
	// The learner saved: nothing stopped them but the save, and the
	// runner says the tests start again.
	assert.Regexp(t, `Running the tests of exercise 1, the one you have started, to see what passes...\n\n\n`+
		`--- a file changed, \d\d:\d\d:\d\d: the tests start again on the new code ---\n`, output.String())
	assert.NotContains(t, output.String(), "stopped before the tests finished")

	// Ctrl-C stops the second.
	cancel()
	assert.Equal(t, 0, <-done)
	c, s := count()
	assert.Equal(t, 2, c)
	assert.Equal(t, 2, s)
}

func TestCommandLineErrors(t *testing.T) {
	module := fakeTree(t)
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"hint"}, "hint needs an exercise number, like: go run ./exercises hint 1"},
		{[]string{"hint", "9"}, `there is no exercise "9": the numbers go from 1 to 2`},
		{[]string{"check", "x"}, `there is no exercise "x": the numbers go from 1 to 2`},
		{[]string{"check", "1", "2"}, "check takes one exercise number, like: go run ./exercises check 1 (got 2 arguments)"},
		{[]string{"list", "1"}, "list takes no arguments, like: go run ./exercises list"},
		{[]string{"check", "--yes", "1"}, "check takes one exercise number"},
	}
	for _, c := range cases {
		code, output := runIn(t, module, "", c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		first, rest, _ := strings.Cut(output, "\n")
		assert.Contains(t, first, "exercises: "+c.says, "%v", c.args)
		assert.Contains(t, rest, "\nusage:\n", "%v", c.args)
	}
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-h", "--help", "help"} {
		var out, errOut bytes.Buffer
		// Help needs no exercises, nor even a module.
		r := newRunner(t.TempDir(), strings.NewReader(""), &out, &errOut)
		code := r.command(context.Background(), []string{flag})
		assert.Equal(t, 0, code)
		assert.Equal(t, Usage, out.String())
		assert.Empty(t, errOut.String())
	}
}

func TestConfigFlags(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		config string
		flags  []string
		fails  string
	}{
		{noFlags, []string{}, ""},
		{raceFlags, []string{"-race"}, ""},
		{`{"custom": {"testingFlags": ["-race"], "vet": ["waitgroup"]}}`,
			[]string{"-race", "-vet=atomic,bool,buildtags,directive,errorsas,ifaceassert,nilfunc,printf,stringintconv,tests,waitgroup"}, ""},
		{`{"custom": {"testingFlags": ["race"]}}`, nil, `testingFlags holds "race", which is not a flag`},
		{`{"custom": {"vet": ["all,off"]}}`, nil, `vet holds "all,off"`},
		{`{"custom": `, nil, "config.json"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, "config.json")
		require.NoError(t, os.WriteFile(path, []byte(c.config), 0o644))
		flags, _, err := readConfig(path)
		if c.fails != "" {
			assert.ErrorContains(t, err, c.fails, c.config)
			continue
		}
		require.NoError(t, err, c.config)
		assert.Equal(t, c.flags, flags, c.config)
	}
}

func TestAnExerciseWithoutConfigIsAnError(t *testing.T) {
	module := fakeTree(t)
	require.NoError(t, os.Remove(filepath.Join(module, "exercises", "02-more", ".meta", "config.json")))
	code, output := runIn(t, module, "")
	assert.Equal(t, 1, code)
	assert.Contains(t, output, "exercises: 02-more: ")
	assert.Contains(t, output, "config.json")
}

func TestGoTestCommandLine(t *testing.T) {
	module := fakeTree(t)
	r, _, _ := testRunner(module, "")
	exercises, err := discover(r.root)
	require.NoError(t, err)
	jobs := []job{{ex: exercises[1]}}

	// The defaults a learner gets: never the cache, the time limit,
	// the exercise's flags, a package named from the module's root.
	args := newRunner(module, nil, nil, nil).goTestArgs(jobs, jobs[0].ex.flags, "")
	assert.Equal(t, []string{"test", "-json", "-count=1", "-timeout=30s",
		"-race", "./exercises/02-more"}, args)

	args = r.goTestArgs(jobs, jobs[0].ex.flags, "/tmp/overlay.json")
	assert.Contains(t, strings.Join(args, " "), "-overlay /tmp/overlay.json")
}

func TestTheTimeLimitIsAboutHalfAMinute(t *testing.T) {
	assert.Equal(t, 30*time.Second, TimeLimit)
	assert.Equal(t, TimeLimit, newRunner(t.TempDir(), nil, nil, nil).limit)
}

func TestJobsAreGroupedByFlags(t *testing.T) {
	ex := func(name string, flags ...string) exercise {
		return exercise{name: name, flags: flags}
	}
	groups := byFlags([]job{{ex: ex("01")}, {ex: ex("02", "-race")},
		{ex: ex("03")}, {ex: ex("04", "-race")}, {ex: ex("05", "-race", "-vet=x")}})
	var got [][]string
	for _, group := range groups {
		var names []string
		for _, j := range group {
			names = append(names, j.ex.name)
		}
		got = append(got, names)
	}
	assert.Equal(t, [][]string{{"01", "03"}, {"02", "04"}, {"05"}}, got)
}

func TestTheRealExercisesAreFound(t *testing.T) {
	// Only what ships: the .meta directories, not the learner's work.
	exercises, err := discover("../..")
	require.NoError(t, err)
	require.Len(t, exercises, 8)
	for i, ex := range exercises {
		assert.Equal(t, i+1, ex.number)
		assert.NotEmpty(t, ex.about, ex.name)
		// Each names the likely causes of a stuck test.
		assert.NotEmpty(t, ex.stuck, ex.name)
		_, err := os.Stat(ex.path(".meta", "hint.md"))
		assert.NoError(t, err, ex.name)
		_, err = os.Stat(ex.path(".meta", "solution", ex.file))
		assert.NoError(t, err, ex.name)
		// Exercises 4 to 8 are concurrent: the race detector is on.
		if ex.number >= 4 {
			assert.Contains(t, ex.flags, "-race", ex.name)
		}
	}
}

func TestRunOutsideAModule(t *testing.T) {
	t.Chdir(t.TempDir())
	var out, errOut bytes.Buffer
	code := Run(context.Background(), nil, nil, &out, &errOut)
	assert.Equal(t, 1, code)
	assert.Equal(t, "exercises: run me from inside the workbook: no go.mod here or above\n", errOut.String())
}

func TestRunFindsTheExercisesFromASubdirectory(t *testing.T) {
	module := fakeTree(t)
	t.Chdir(filepath.Join(module, "exercises", "01-add"))
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"hint", "1"}, nil, &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	assert.Equal(t, "Hint for 01-add:\n\nUse the + operator.\n", out.String())
}
