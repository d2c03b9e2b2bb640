package runner

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"workbook/internal/testkit"
)

// These tests run the real go test, on fake trees, once or twice
// each, in parallel: each go test costs a build.

// realRunner returns a runner on module with the real go test.
func realRunner(t *testing.T, module string) (*runner, *testkit.SyncBuffer) {
	t.Helper()
	var output testkit.SyncBuffer
	r := newRunner(module, strings.NewReader(""), &output, &output)
	exercises, err := discover(r.root)
	require.NoError(t, err)
	r.exercises = exercises
	return r, &output
}

// exerciseOf writes an exercise named name whose package is the given
// code and test; the stub and the solution are the code too.
func exerciseOf(t *testing.T, module, name, config, code, test string) {
	t.Helper()
	dir := "exercises/" + name + "/"
	writeFile(t, module, dir+"code.go", code)
	writeFile(t, module, dir+"code_test.go", test)
	writeFile(t, module, dir+".meta/stub/code.go", code)
	writeFile(t, module, dir+".meta/solution/code.go", code)
	writeFile(t, module, dir+".meta/hint.md", "hint\n")
	writeFile(t, module, dir+".meta/about.txt", "about\n")
	writeFile(t, module, dir+".meta/config.json", config)
}

// fakeModule returns an empty module's directory.
func fakeModule(t *testing.T) string {
	module := t.TempDir()
	writeFile(t, module, "go.mod", "module fake\n\ngo 1.26\n")
	return module
}

func TestFailuresAreShortAndEachUnderItsHeader(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	exerciseOf(t, module, "01-noisy", noFlags, "package code\n", `package code

import (
	"strings"
	"testing"
)

func TestPasses(t *testing.T) { t.Log("noise from a test that passes") }

func TestLongValue(t *testing.T) {
	t.Errorf("Reply(...) = %q, want \"E\\n\"", strings.Repeat("T", 7000))
	t.Error("second message")
}

func TestTable(t *testing.T) {
	t.Run("17", func(t *testing.T) {})
	t.Run("4j", func(t *testing.T) { t.Error("Reply(\"4j\") = T, want E") })
}

func TestPanics(t *testing.T) {
	var m map[string]int
	m["x"] = 1
}
`)
	exerciseOf(t, module, "02-broken", noFlags, "package code\n\nfunc F() int {\n\treturn x\n}\n",
		"package code\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n")
	exerciseOf(t, module, "03-fine", noFlags, "package code\n",
		"package code\n\nimport \"testing\"\n\nfunc TestFine(t *testing.T) {}\n")

	r, _ := realRunner(t, module)
	var jobs []job
	for _, ex := range r.exercises {
		jobs = append(jobs, job{ex: ex})
	}
	results, err := r.goTest(context.Background(), jobs)
	require.NoError(t, err)

	assert.True(t, results["03-fine"].passed)
	assert.False(t, results["01-noisy"].passed)
	noisy := results["01-noisy"].report
	t.Logf("report:\n%s", noisy)
	for _, header := range []string{"--- FAIL: TestLongValue\n",
		"--- FAIL: TestTable/4j\n", "--- FAIL: TestPanics\n"} {
		assert.Equal(t, 1, strings.Count(noisy, header), header)
	}
	// Messages come after their header, and only there.
	assert.Contains(t, noisy, "--- FAIL: TestLongValue\n    code_test.go:11: Reply(...) = \"TTTT")
	assert.Contains(t, noisy, "TTT… (6844 more characters)\n    code_test.go:12: second message")
	assert.Less(t, len(noisy), 1000)
	assert.Contains(t, noisy, "--- FAIL: TestTable/4j\n    code_test.go:17: Reply(\"4j\") = T, want E")
	assert.Contains(t, noisy, "panic: assignment to entry in nil map")
	assert.Contains(t, noisy, "at exercises/01-noisy/code_test.go:22")
	// Nothing about what passed, nor go test's chatter.
	for _, noise := range []string{"PASS", "=== RUN", "noise from", "TestTable\n",
		"goroutine ", "testing.go", "/usr/", "FAIL\t", "exit status"} {
		assert.NotContains(t, noisy, noise)
	}
	for line := range strings.Lines(noisy) {
		assert.Less(t, utf8.RuneCountInString(line), 260, line)
	}

	// Compiler errors name files from the workbook's root.
	assert.False(t, results["02-broken"].passed)
	assert.Equal(t, "--- FAIL: the code does not compile\n    exercises/02-broken/code.go:4:9: undefined: x",
		results["02-broken"].report)
}

// A flag of an exercise's config can be told from inside its tests:
// with -tags=checked, checked.go is built and unchecked.go is not.
// -race would do the same through the race build tag, but costs a
// race build; the runner passes every flag the same way.
const (
	checkedFlags = `{"custom": {"testingFlags": ["-tags=checked"]}}`
	checkedOn    = "//go:build checked\n\npackage code\n\nconst checked = true\n"
	checkedOff   = "//go:build !checked\n\npackage code\n\nconst checked = false\n"
	// checkedTest counts its runs in a file, and fails unless the
	// flag was given.
	checkedTest = `package code

import (
	"os"
	"testing"
)

func TestChecked(t *testing.T) {
	runs, _ := os.OpenFile("runs.txt", os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	runs.WriteString("run\n")
	runs.Close()
	if !checked {
		t.Error("built without -tags=checked")
	}
}
`
	waitGroupInside = `package code

import "sync"

func F() {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)
		defer wg.Done()
	}()
	wg.Wait()
}
`
)

// checkedExercise writes an exercise that tells whether go test was
// given -tags=checked.
func checkedExercise(t *testing.T, module, name, config, code, test string) {
	t.Helper()
	exerciseOf(t, module, name, config, code, test)
	writeFile(t, module, "exercises/"+name+"/checked.go", checkedOn)
	writeFile(t, module, "exercises/"+name+"/unchecked.go", checkedOff)
}

func TestEachExerciseRunsWithItsFlagsAndNeverFromTheCache(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	checkedExercise(t, module, "01-checked", checkedFlags, "package code\n", checkedTest)
	// Two exercises with the same flags share one go test.
	vet := `{"custom": {"testingFlags": [], "vet": ["waitgroup"]}}`
	checkedExercise(t, module, "02-unchecked", vet, "package code\n", checkedTest)
	exerciseOf(t, module, "03-vet", vet,
		waitGroupInside, "package code\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) { F() }\n")

	r, _ := realRunner(t, module)
	var jobs []job
	for _, ex := range r.exercises {
		jobs = append(jobs, job{ex: ex})
	}
	results, err := r.goTest(context.Background(), jobs)
	require.NoError(t, err)
	assert.True(t, results["01-checked"].passed, results["01-checked"].report)
	assert.Equal(t, "--- FAIL: TestChecked\n    code_test.go:13: built without -tags=checked",
		results["02-unchecked"].report)
	// go test alone would pass this one: it does not run the
	// waitgroup check unless asked.
	assert.Equal(t, "--- FAIL: go vet\n    exercises/03-vet/code.go:8:9: WaitGroup.Add called from inside new goroutine",
		results["03-vet"].report)

	// Again: the test runs again, it does not come from the cache.
	_, err = r.goTest(context.Background(), jobs[:1])
	require.NoError(t, err)
	runs, err := os.ReadFile(filepath.Join(module, "exercises", "01-checked", "runs.txt"))
	require.NoError(t, err)
	assert.Equal(t, "run\nrun\n", string(runs))
}

func TestVerifyRunsEveryVersionWithTheExerciseFlags(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	// A wrong version that only the flag of the exercise's config
	// can tell from the solution.
	version := func(ready, wrong bool) string {
		return fmt.Sprintf("package code\n\nconst ready, wrong = %v, %v\n", ready, wrong)
	}
	checkedExercise(t, module, "01-flag", checkedFlags, version(false, false), `package code

import "testing"

func TestReady(t *testing.T) {
	if !ready {
		t.Error("not ready")
	}
	if checked && wrong {
		t.Error("wrong, when checked")
	}
}
`)
	writeFile(t, module, "exercises/01-flag/.meta/solution/code.go", version(true, false))
	writeFile(t, module, "exercises/01-flag/.meta/wrong/subtle/code.go", version(true, true))

	r, output := realRunner(t, module)
	code := r.verify(context.Background())
	assert.Equal(t, 0, code, output.String())
	assert.Equal(t, "  01-flag: wrong version \"subtle\" fails, as it should: code_test.go:10: wrong, when checked\n"+
		"✓ 01-flag\n"+
		"all 1 exercises: stubs fail, solutions pass, wrong versions fail\n", output.String())

	// Without the flag, the wrong version would pass.
	r.exercises[0].flags = nil
	wrong := r.exercises[0].path(".meta", "wrong", "subtle", "code.go")
	results, err := r.goTest(context.Background(), []job{{r.exercises[0], wrong}})
	require.NoError(t, err)
	assert.True(t, results["01-flag"].passed)
}

func TestTheTimeLimitNamesTheLikelyCauses(t *testing.T) {
	t.Parallel()
	module := fakeModule(t)
	stuckTest := `package code

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) {}

func TestStuck(t *testing.T) {
	time.Sleep(time.Hour)
}
`
	// One exercise names its own likely causes; one names none.
	exerciseOf(t, module, "01-stuck",
		`{"custom": {"testingFlags": [], "whenStuck": "A loop to n instead of √n?"}}`,
		"package code\n", stuckTest)
	exerciseOf(t, module, "02-plain", noFlags, "package code\n", stuckTest)
	r, _ := realRunner(t, module)
	// Only this test of the mechanism shortens the limit.
	r.limit = 500 * time.Millisecond
	results, err := r.goTest(context.Background(),
		[]job{{ex: r.exercises[0]}, {ex: r.exercises[1]}})
	require.NoError(t, err)
	assert.False(t, results["01-stuck"].passed)
	assert.Equal(t, "--- FAIL: TestStuck did not finish within the time limit of 500ms\n"+
		"    A loop to n instead of √n?",
		results["01-stuck"].report)
	assert.False(t, results["02-plain"].passed)
	assert.Equal(t, "--- FAIL: TestStuck did not finish within the time limit of 500ms\n"+
		"    Is something waiting forever, or working far too hard?",
		results["02-plain"].report)
}

func TestREADMEShowsHowAnUntouchedExerciseSkips(t *testing.T) {
	t.Parallel()
	// A copy of exercise 1 as shipped, with what its tests import
	// from the workbook, in a module of its own: what a learner sees
	// on a fresh clone, whatever they have done since.
	module := t.TempDir()
	copyFile(t, "../../../go.mod", module, "go.mod")
	copyFile(t, "../../../go.sum", module, "go.sum")
	list := exec.Command("go", "list", "-deps", "-test", "-f",
		"{{if and (not .Standard) (not .ForTest)}}{{.ImportPath}}{{end}}",
		"workbook/exercises/01-isprime")
	imports, err := list.Output()
	require.NoError(t, err)
	for pkg := range strings.Lines(string(imports)) {
		pkg = strings.TrimSpace(pkg)
		dir, ok := strings.CutPrefix(pkg, "workbook/")
		if !ok || dir == "exercises/01-isprime" {
			continue
		}
		sources, err := filepath.Glob("../../../" + dir + "/*.go")
		require.NoError(t, err)
		for _, source := range sources {
			if !strings.HasSuffix(source, "_test.go") {
				copyFile(t, source, module, dir+"/"+filepath.Base(source))
			}
		}
	}
	shipped := "../../01-isprime/"
	copyFile(t, shipped+".meta/stub/isprime.go", module, "exercises/01-isprime/isprime.go")
	copyFile(t, shipped+".meta/stub/isprime.go", module, "exercises/01-isprime/.meta/stub/isprime.go")
	tests, err := filepath.Glob(shipped + "*_test.go")
	require.NoError(t, err)
	for _, test := range tests {
		copyFile(t, test, module, "exercises/01-isprime/"+filepath.Base(test))
	}

	command := exec.Command("go", "test", "-count=1", "-v",
		"-run", "TestSmallCases", "./exercises/01-isprime")
	command.Dir = module
	// Not strict: what a learner sees.
	command.Env = append(os.Environ(), "WORKBOOK_STRICT=")
	output, err := command.CombinedOutput()
	require.NoError(t, err, "%s", output)
	// The lines of the test itself, without the package summary.
	var shown strings.Builder
	for line := range strings.Lines(string(output)) {
		if !strings.HasPrefix(line, "PASS") &&
			!strings.HasPrefix(line, "ok ") {
			shown.WriteString(line)
		}
	}
	testkit.CheckTranscript(t, "../../README.md", "skip", shown.String())
}

// copyFile copies from (relative to this package) to path in module.
func copyFile(t *testing.T, from, module, path string) {
	t.Helper()
	content, err := os.ReadFile(from)
	require.NoError(t, err)
	writeFile(t, module, path, string(content))
}
