// Package keyvalue is exercise 05: the small key-value server the
// source text announces (its `datos = {}`) and never builds.
package keyvalue

// A Store holds keys and their values for every client of the
// server at once. Handle may be called from many goroutines at the
// same time: the Store must stay correct under `go test -race`.
type Store struct {
	// TODO: the data, and what keeps it safe for concurrent use.
}

// NewStore returns an empty Store. Two Stores share nothing: a key
// set in one is not in the other.
func NewStore() *Store {
	return &Store{}
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
// A request with the wrong number of words, too few or too many
// ("SET k a b"), gets "ERROR usage: " and the command's form ("ERROR
// usage: SET key value"); an unknown command gets "ERROR unknown
// command".
func (s *Store) Handle(request string) string {
	// TODO: split the request into words and carry it out.
	return ""
}
