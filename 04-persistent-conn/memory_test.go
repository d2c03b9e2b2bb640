package main

import "runtime"

// runtimeMemory is a snapshot of the memory the program uses.
type runtimeMemory struct {
	heapInUse  uint64 // bytes in heap spans in use
	stackInUse uint64 // bytes of goroutine stacks
}

func (m *runtimeMemory) read() {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	m.heapInUse = stats.HeapInuse
	m.stackInUse = stats.StackInuse
}
