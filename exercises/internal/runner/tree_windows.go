//go:build windows

package runner

import (
	"errors"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"unsafe"
)

// A tree is a command and every process it starts: on Windows, a job
// object. Every process a process of the job starts joins the job
// too, and the job can end them all at once, even after the go
// command itself has exited, which taskkill /T cannot: it finds a
// tree through the living parents.
type tree struct {
	command *exec.Cmd
	mu      sync.Mutex     // Cancel may come while started runs
	job     syscall.Handle // 0 when the job could not be made
}

// The functions of kernel32.dll for jobs, which the syscall package
// does not wrap.
var (
	kernel32                 = syscall.NewLazyDLL("kernel32.dll")
	createJobObject          = kernel32.NewProc("CreateJobObjectW")
	setInformationJobObject  = kernel32.NewProc("SetInformationJobObject")
	assignProcessToJobObject = kernel32.NewProc("AssignProcessToJobObject")
	terminateJobObject       = kernel32.NewProc("TerminateJobObject")
)

// jobLimits is JOBOBJECT_EXTENDED_LIMIT_INFORMATION, from winnt.h.
type jobLimits struct {
	perProcessUserTimeLimit int64
	perJobUserTimeLimit     int64
	limitFlags              uint32
	minimumWorkingSetSize   uintptr
	maximumWorkingSetSize   uintptr
	activeProcessLimit      uint32
	affinity                uintptr
	priorityClass           uint32
	schedulingClass         uint32
	ioCounters              [6]uint64
	processMemoryLimit      uintptr
	jobMemoryLimit          uintptr
	peakProcessMemoryUsed   uintptr
	peakJobMemoryUsed       uintptr
}

const (
	jobObjectExtendedLimitInformation = 9
	// When the last handle to the job closes, say because the
	// runner itself was killed, every process in it is ended.
	jobObjectLimitKillOnJobClose = 0x2000
	processSetQuota              = 0x0100
	processTerminate             = 0x0001
)

// newTree makes cancelling command's context kill the go command and
// every process it started, the test binary included.
func newTree(command *exec.Cmd) *tree {
	t := &tree{command: command}
	command.Cancel = t.kill
	return t
}

// started puts the running command into a new job. The go command
// starts no process for some milliseconds after it starts, while it
// reads the module: the job is there before.
func (t *tree) started() {
	job, err := newJob()
	if err != nil {
		return // kill falls back on taskkill
	}
	process, err := syscall.OpenProcess(processSetQuota|processTerminate,
		false, uint32(t.command.Process.Pid))
	if err != nil {
		syscall.CloseHandle(job)
		return
	}
	defer syscall.CloseHandle(process)
	ok, _, _ := assignProcessToJobObject.Call(uintptr(job), uintptr(process))
	if ok == 0 {
		syscall.CloseHandle(job)
		return
	}
	t.mu.Lock()
	t.job = job
	t.mu.Unlock()
}

// newJob makes a job whose processes end when it is closed.
func newJob() (syscall.Handle, error) {
	if err := kernel32.Load(); err != nil {
		return 0, err
	}
	handle, _, err := createJobObject.Call(0, 0)
	if handle == 0 {
		return 0, err
	}
	job := syscall.Handle(handle)
	limits := jobLimits{limitFlags: jobObjectLimitKillOnJobClose}
	ok, _, err := setInformationJobObject.Call(uintptr(job),
		jobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&limits)), unsafe.Sizeof(limits))
	if ok == 0 {
		syscall.CloseHandle(job)
		return 0, err
	}
	return job, nil
}

// kill ends every process of the tree still running.
func (t *tree) kill() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job != 0 {
		ok, _, err := terminateJobObject.Call(uintptr(t.job), 1)
		if ok == 0 {
			return err
		}
		return nil
	}
	return killWithTaskkill(t.command.Process.Pid)
}

// killWithTaskkill ends a process and the processes under it, for
// when no job could be made: taskkill /T follows the tree from the
// process down, so it finds nothing once the process has exited.
func killWithTaskkill(pid int) error {
	err := exec.Command("taskkill", "/T", "/F", "/PID",
		strconv.Itoa(pid)).Run()
	if err != nil {
		return errors.Join(err, killOne(pid))
	}
	return nil
}

// killOne ends one process.
func killOne(pid int) error {
	process, err := syscall.OpenProcess(processTerminate, false, uint32(pid))
	if err != nil {
		return err
	}
	defer syscall.CloseHandle(process)
	return syscall.TerminateProcess(process, 1)
}

// release closes the job, which ends any process still in it.
func (t *tree) release() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.job != 0 {
		syscall.CloseHandle(t.job)
		t.job = 0
	}
}
