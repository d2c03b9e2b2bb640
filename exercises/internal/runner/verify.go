package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// verify checks the exercises themselves, every way a learner could
// be misled: each file is shipped identical to its stub; the stub
// fails its tests; the reference solution passes them; every known
// wrong version in .meta/wrong fails them. All run with the flags of
// the exercise's config.json, as check runs them. CI runs verify.
func (r *runner) verify(ctx context.Context) int {
	findings := make(map[string][]string)
	notes := make(map[string][]string)
	for _, ex := range r.exercises {
		s, err := ex.state()
		if err != nil {
			return r.fail(err)
		}
		switch s {
		case started:
			findings[ex.name] = append(findings[ex.name], fmt.Sprintf("%s differs from .meta/stub/%s: ship the stub untouched", ex.file, ex.file))
		case missing:
			findings[ex.name] = append(findings[ex.name], fmt.Sprintf("%s is missing: ship a copy of .meta/stub/%s", ex.file, ex.file))
		}
	}

	// Rounds of tests, each one go test per set of flags: all the
	// stubs, all the solutions, then the first wrong version of
	// each exercise, the second, and so on.
	stubs, solutions := []job{}, []job{}
	wrongs := make(map[int][]job)
	for _, ex := range r.exercises {
		stubs = append(stubs, job{ex, ex.path(".meta", "stub", ex.file)})
		solutions = append(solutions, job{ex, ex.path(".meta", "solution", ex.file)})
		versions, err := filepath.Glob(ex.path(".meta", "wrong", "*", ex.file))
		if err != nil {
			return r.fail(err)
		}
		for i, version := range versions {
			wrongs[i] = append(wrongs[i], job{ex, version})
		}
	}

	// Whether any run had to leave out the race detector.
	unchecked := false
	note := func(results map[string]result) {
		for _, res := range results {
			unchecked = unchecked || res.racesUnchecked
		}
	}

	// The stub, as shipped, must not pass.
	results, err := r.test(ctx, stubs)
	if err != nil {
		return r.fail(err)
	}
	note(results)
	for _, j := range stubs {
		if results[j.ex.name].passed {
			findings[j.ex.name] = append(findings[j.ex.name], "the stub passes its tests")
		}
	}

	// The solution must pass.
	results, err = r.test(ctx, solutions)
	if err != nil {
		return r.fail(err)
	}
	note(results)
	for _, j := range solutions {
		if res := results[j.ex.name]; !res.passed {
			findings[j.ex.name] = append(findings[j.ex.name], "the solution fails its tests: "+firstMessage(res.report))
		}
	}

	// Each wrong version must fail, and the note says how.
	for round := 0; round < len(wrongs); round++ {
		results, err := r.test(ctx, wrongs[round])
		if err != nil {
			return r.fail(err)
		}
		note(results)
		for _, j := range wrongs[round] {
			name := filepath.Base(filepath.Dir(j.replacement))
			res := results[j.ex.name]
			if res.passed && res.racesUnchecked && raceOnly(j.replacement) {
				// A mistake only the race detector can catch,
				// as its folder says: not checked here.
				notes[j.ex.name] = append(notes[j.ex.name], fmt.Sprintf("wrong version %q is one only the race detector catches: not checked here", name))
				continue
			}
			if res.passed && res.racesUnchecked {
				// It may be one that only the race detector
				// catches: still a finding, since it is not
				// shown to fail.
				findings[j.ex.name] = append(findings[j.ex.name], fmt.Sprintf("the wrong version %q passes its tests without the race detector, which cannot run here", name))
				continue
			}
			if res.passed {
				findings[j.ex.name] = append(findings[j.ex.name], fmt.Sprintf("the wrong version %q passes its tests", name))
				continue
			}
			notes[j.ex.name] = append(notes[j.ex.name], fmt.Sprintf("wrong version %q fails, as it should: %s", name, firstMessage(res.report)))
		}
	}

	if unchecked {
		fmt.Fprintln(r.out, r.raceDetector(ctx).raceUnchecked())
	}
	problems := 0
	for _, ex := range r.exercises {
		for _, note := range notes[ex.name] {
			fmt.Fprintf(r.out, "  %s: %s\n", ex.name, note)
		}
		if len(findings[ex.name]) == 0 {
			fmt.Fprintf(r.out, "✓ %s\n", ex.name)
			continue
		}
		problems += len(findings[ex.name])
		for _, finding := range findings[ex.name] {
			fmt.Fprintf(r.out, "✗ %s: %s\n", ex.name, finding)
		}
	}
	if problems > 0 {
		fmt.Fprintf(r.out, "%d problems\n", problems)
		return 1
	}
	fmt.Fprintf(r.out, "all %d exercises: stubs fail, solutions pass, wrong versions fail\n", len(r.exercises))
	return 0
}

// raceOnly reports whether the wrong version whose file is replacement
// is one that only the race detector catches: its folder has a file
// named race-only, which says why.
func raceOnly(replacement string) bool {
	_, err := os.Stat(filepath.Join(filepath.Dir(replacement), "race-only"))
	return err == nil
}
