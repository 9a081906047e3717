package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockFileName is the name of the lock file in a network's data directory.
const lockFileName = ".lock"

// ErrDataDirInUse means another process holds the data directory's lock.
var ErrDataDirInUse = errors.New("data directory in use")

// inUseError is the message of an ErrDataDirInUse failure.
type inUseError string

func (e inUseError) Error() string { return string(e) }
func (e inUseError) Unwrap() error { return ErrDataDirInUse }

// dirLock is an exclusive flock on a network directory's lock file, held
// for the life of the node. The kernel releases it when the process dies,
// so a crash never leaves a stale lock; the pid in the file is only for
// the message to a second process.
type dirLock struct {
	f *os.File
}

// lockDir takes the exclusive lock of the network directory dir, or
// returns an error wrapping ErrDataDirInUse that names the holder's pid.
func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, inUseError(fmt.Sprintf("data directory %s is in use by another nodecoin process (%s)",
				dir, holder(path)))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	return &dirLock{f: f}, nil
}

// flock takes an exclusive, non-blocking flock on f, retrying on EINTR.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

// holder describes the process named in the lock file at path.
func holder(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "pid unknown"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return "pid unknown"
	}
	return "pid " + strconv.Itoa(pid)
}

// release drops the lock. The file stays: removing it would let a process
// that opened it meanwhile lock a file no one else can see.
func (l *dirLock) release() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("release data directory lock: %w", err)
	}
	return nil
}
