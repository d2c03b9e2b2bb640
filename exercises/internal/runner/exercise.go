package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"workbook/exercises/internal/exercisetest"
)

// An exercise is one numbered directory: the learner's file, its
// tests, and a .meta directory with the stub as shipped, the
// reference solution, known wrong versions, a hint, a one-line
// summary and config.json, which says how to run the tests.
type exercise struct {
	number int
	name   string // "01-isprime"
	dir    string
	file   string   // the learner's file, "isprime.go"
	about  string   // what it teaches, and after which chapter
	flags  []string // go test flags, such as -race
	// stuck names the likely causes when a test of this exercise
	// runs out of time, from its config.
	stuck string
}

// path returns a path inside the exercise's directory.
func (ex exercise) path(parts ...string) string {
	return filepath.Join(append([]string{ex.dir}, parts...)...)
}

// shown is how the learner's file is named on screen: from the
// workbook's root, with slashes, as in the README.
func (ex exercise) shown() string {
	return "exercises/" + ex.name + "/" + ex.file
}

// exerciseName is a directory name like "01-isprime".
var exerciseName = regexp.MustCompile(`^(\d\d)-[a-z0-9-]+$`)

// discover lists the exercises under root, in order.
func discover(root string) ([]exercise, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var exercises []exercise
	for _, entry := range entries {
		match := exerciseName.FindStringSubmatch(entry.Name())
		if !entry.IsDir() || match == nil {
			continue
		}
		ex, err := load(root, entry.Name(), match[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", entry.Name(), err)
		}
		exercises = append(exercises, ex)
	}
	if len(exercises) == 0 {
		return nil, fmt.Errorf("no exercises in %s", root)
	}
	return exercises, nil
}

// load reads one exercise's .meta directory.
func load(root, name, digits string) (exercise, error) {
	ex := exercise{name: name, dir: filepath.Join(root, name)}
	ex.number, _ = strconv.Atoi(digits)
	stubs, err := os.ReadDir(ex.path(".meta", "stub"))
	if err != nil {
		return ex, err
	}
	if len(stubs) != 1 {
		return ex, errors.New(".meta/stub must hold exactly one file")
	}
	ex.file = stubs[0].Name()
	about, err := os.ReadFile(ex.path(".meta", "about.txt"))
	if err != nil {
		return ex, err
	}
	ex.about = strings.TrimSpace(string(about))
	ex.flags, ex.stuck, err = readConfig(ex.path(".meta", "config.json"))
	if err != nil {
		return ex, err
	}
	return ex, nil
}

// config is .meta/config.json, in the shape Exercism uses:
//
//	{"custom": {"testingFlags": ["-race"], "vet": ["waitgroup"],
//	  "whenStuck": "A read with no deadline?"}}
//
// testingFlags go to go test as they are. vet names go vet checks to
// run on top of the ones go test always runs: go test runs only a
// few of vet's checks (see `go help test`), and a listed check such
// as waitgroup (WaitGroup.Add called inside the new goroutine) turns
// a mistake the race detector may miss into a build failure.
// whenStuck names what most likely keeps this exercise's tests from
// finishing within the time limit.
type config struct {
	Custom struct {
		TestingFlags []string `json:"testingFlags"`
		Vet          []string `json:"vet"`
		WhenStuck    string   `json:"whenStuck"`
	} `json:"custom"`
}

// goTestVetChecks are the checks go test runs by default, from
// `go help test`. Naming checks with -vet replaces that list, so the
// runner repeats it before the exercise's own.
const goTestVetChecks = "atomic,bool,buildtags,directive,errorsas," +
	"ifaceassert,nilfunc,printf,stringintconv,tests"

// vetCheck is the name of one vet check, such as "waitgroup".
var vetCheck = regexp.MustCompile(`^[a-z]+$`)

// readConfig returns the go test flags a config.json asks for, and
// what it says when a test is stuck.
func readConfig(path string) (flags []string, stuck string, err error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var c config
	if err := json.Unmarshal(content, &c); err != nil {
		return nil, "", fmt.Errorf(".meta/config.json: %w", err)
	}
	flags = []string{}
	for _, flag := range c.Custom.TestingFlags {
		if !strings.HasPrefix(flag, "-") {
			return nil, "", fmt.Errorf(".meta/config.json: testingFlags holds %q, which is not a flag", flag)
		}
		flags = append(flags, flag)
	}
	if len(c.Custom.Vet) > 0 {
		for _, check := range c.Custom.Vet {
			if !vetCheck.MatchString(check) {
				return nil, "", fmt.Errorf(".meta/config.json: vet holds %q, which is not the name of a vet check", check)
			}
		}
		flags = append(flags, "-vet="+goTestVetChecks+","+
			strings.Join(c.Custom.Vet, ","))
	}
	return flags, strings.TrimSpace(c.Custom.WhenStuck), nil
}

// A state is where the learner is with an exercise, judged from the
// files alone, before any test runs.
type state int

const (
	notStarted state = iota // the learner's file is the stub as shipped
	started                 // the learner's file differs from the stub
	missing                 // the learner's file is gone
)

// state compares the learner's file with the stub as shipped. What a
// learner cannot see does not count as a change: a byte-order mark,
// \r\n or \r line endings, or the newline at the end.
func (ex exercise) state() (state, error) {
	mine, err := os.ReadFile(ex.path(ex.file))
	if errors.Is(err, os.ErrNotExist) {
		return missing, nil
	}
	if err != nil {
		return started, err
	}
	stub, err := os.ReadFile(ex.path(".meta", "stub", ex.file))
	if err != nil {
		return started, err
	}
	if exercisetest.Same(mine, stub) {
		return notStarted, nil
	}
	return started, nil
}
