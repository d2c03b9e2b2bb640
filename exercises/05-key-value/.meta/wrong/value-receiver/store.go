// Package keyvalue: Handle has a value receiver, so every call works on
// a copy of the Store, mutex included: each call locks its own mutex,
// and the map they all share is guarded by none.
package keyvalue

import (
	"strings"
	"sync"
)

// A Store holds keys and their values for every client of the
// server at once. Handle may be called from many goroutines at the
// same time: the Store must stay correct under `go test -race`.
type Store struct {
	// mu guards data: each connection has its own goroutine, and
	// a Go map must not be used by two at once.
	mu   sync.Mutex
	data map[string]string
}

// NewStore returns an empty Store. Two Stores share nothing: a key
// set in one is not in the other.
func NewStore() *Store {
	return &Store{data: make(map[string]string)}
}

// usage is each command's form, for the error message.
var usage = map[string]string{
	"SET": "SET key value",
	"GET": "GET key",
	"DEL": "DEL key",
}

// Handle answers one request line, without its "\n". Words are
// separated by single spaces; keys and values have no spaces.
//
//	SET key value   stores value under key        -> "OK"
//	GET key         the value stored under key    -> the value,
//	                                                 or "NOT FOUND"
//	DEL key         forgets key                   -> "OK",
//	                                                 or "NOT FOUND"
//
// A request with the wrong number of words gets "ERROR usage: " and
// the command's form ("ERROR usage: SET key value"); an unknown
// command gets "ERROR unknown command".
func (s Store) Handle(request string) string {
	words := strings.Split(request, " ")
	form, known := usage[words[0]]
	if !known {
		return "ERROR unknown command"
	}
	if len(words) != len(strings.Fields(form)) {
		return "ERROR usage: " + form
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	key := words[1]
	switch words[0] {
	case "SET":
		s.data[key] = words[2]
		return "OK"
	case "GET":
		value, found := s.data[key]
		if !found {
			return "NOT FOUND"
		}
		return value
	default: // DEL
		if _, found := s.data[key]; !found {
			return "NOT FOUND"
		}
		delete(s.data, key)
		return "OK"
	}
}
