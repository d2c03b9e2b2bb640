package tcpserver

import "runtime"

// runtimeMemory is a snapshot of the heap's running allocation total.
type runtimeMemory struct {
	totalAlloc uint64
}

func (m *runtimeMemory) read() {
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	m.totalAlloc = stats.TotalAlloc
}
