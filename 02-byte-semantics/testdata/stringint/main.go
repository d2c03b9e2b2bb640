// This program is wrong on purpose: `go vet` rejects it, and the
// chapter's README shows what vet says.
package main

import "fmt"

func main() {
	n := 17
	fmt.Println(string(n))
}
