//go:build race

package main

// raceDetector tells whether the tests run under the race detector,
// which makes the program several times slower.
const raceDetector = true
