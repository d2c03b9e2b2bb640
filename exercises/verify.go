package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// verify checks the exercises themselves, both ways: the stub as
// shipped is untouched and fails its tests, the reference solution
// passes them (with the race detector), and every known wrong
// version in .meta/wrong fails them. CI runs it.
func (r *runner) verify(ctx context.Context) int {
	temp, err := os.MkdirTemp("", "exercises-verify")
	if err != nil {
		fmt.Fprintf(r.errOut, "verify: %v\n", err)
		return 1
	}
	defer os.RemoveAll(temp)

	problems := 0
	for _, ex := range r.exercises {
		findings, err := r.verifyOne(ctx, temp, ex)
		if err != nil {
			fmt.Fprintf(r.errOut, "verify: %s: %v\n", ex.name, err)
			return 1
		}
		if len(findings) == 0 {
			fmt.Fprintf(r.out, "✓ %s\n", ex.name)
			continue
		}
		problems += len(findings)
		for _, finding := range findings {
			fmt.Fprintf(r.out, "✗ %s: %s\n", ex.name, finding)
		}
	}
	if problems > 0 {
		fmt.Fprintf(r.out, "%d problems\n", problems)
		return 1
	}
	fmt.Fprintf(r.out, "all %d exercises: stubs fail, solutions "+
		"pass, wrong versions fail\n", len(r.exercises))
	return 0
}

// verifyOne returns what is wrong with one exercise, in words.
func (r *runner) verifyOne(ctx context.Context, temp string,
	ex exercise) ([]string, error) {
	var findings []string
	if !ex.untouched() {
		findings = append(findings, fmt.Sprintf("%s differs from "+
			".meta/stub/%s: ship the stub untouched", ex.file, ex.file))
	}

	// The stub, as shipped, must not pass.
	if passed, err := r.passes(ctx, temp, ex, "", ""); err != nil {
		return nil, err
	} else if passed {
		findings = append(findings, "the stub passes its tests")
	}

	// The solution must pass, race detector on.
	solution := ex.path(".meta", "solution", ex.file)
	if passed, err := r.passes(ctx, temp, ex, solution, "-race"); err != nil {
		return nil, err
	} else if !passed {
		findings = append(findings, "the solution fails its tests")
	}

	// Each wrong version must fail.
	wrongs, _ := filepath.Glob(ex.path(".meta", "wrong", "*", ex.file))
	for _, wrong := range wrongs {
		passed, err := r.passes(ctx, temp, ex, wrong, "")
		if err != nil {
			return nil, err
		}
		name := filepath.Base(filepath.Dir(wrong))
		if passed {
			findings = append(findings, fmt.Sprintf("the wrong "+
				"version %q passes its tests", name))
		} else {
			fmt.Fprintf(r.out, "  %s: wrong version %q fails, "+
				"as it should\n", ex.name, name)
		}
	}
	return findings, nil
}

// passes runs ex's tests, strict, with replacement standing in for
// the learner's file when it is not "".
func (r *runner) passes(ctx context.Context, temp string, ex exercise,
	replacement, flag string) (bool, error) {
	var flags []string
	if flag != "" {
		flags = append(flags, flag)
	}
	if replacement != "" {
		overlay, err := writeOverlay(temp, ex, replacement)
		if err != nil {
			return false, err
		}
		flags = append(flags, "-overlay", overlay)
	}
	runs, err := goTest(ctx, r.root, []exercise{ex}, flags...)
	if err != nil {
		return false, err
	}
	return runs[ex.name].passed, nil
}
