package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"unsafe"
)

// hostPathRoot is where the controller manager's host-path provisioner makes each volume's
// directory (fixed in Kubernetes: /tmp/hostpath_pv/UID).
const hostPathRoot = "/tmp/hostpath_pv"

// volumeWatcher opens each new host-path volume to every user and remembers it for teardown. The
// provisioner makes directories only root may write (0750), and Kubernetes applies no fsGroup to
// host-path volumes, so without this no pod that runs as non-root (the agents' never do) could
// write its workspace. Mode 0777 is what an fsGroup-capable volume would give the pod's group.
type volumeWatcher struct {
	fd   int
	mu   sync.Mutex
	dirs []string
}

func watchHostPathVolumes() (*volumeWatcher, error) {
	if err := os.MkdirAll(hostPathRoot, 0o755); err != nil {
		return nil, err
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	if _, err := syscall.InotifyAddWatch(fd, hostPathRoot, syscall.IN_CREATE|syscall.IN_ONLYDIR); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("watching %s: %w", hostPathRoot, err)
	}
	w := &volumeWatcher{fd: fd}
	go w.loop()
	return w, nil
}

func (w *volumeWatcher) loop() {
	buf := make([]byte, 64*(syscall.SizeofInotifyEvent+syscall.NAME_MAX+1))
	for {
		n, err := syscall.Read(w.fd, buf)
		if err != nil || n <= 0 {
			return // closed by stop
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
			off += syscall.SizeofInotifyEvent + int(ev.Len)
			name := string(nameBytes)
			for i, c := range nameBytes {
				if c == 0 {
					name = string(nameBytes[:i])
					break
				}
			}
			if ev.Mask&syscall.IN_ISDIR == 0 || name == "" {
				continue
			}
			dir := filepath.Join(hostPathRoot, name)
			if err := os.Chmod(dir, 0o777); err != nil {
				fmt.Fprintf(os.Stderr, "real node: opening the volume %s to its pods: %v\n", dir, err)
			}
			w.mu.Lock()
			w.dirs = append(w.dirs, dir)
			w.mu.Unlock()
		}
	}
}

// stop ends the watch and deletes the volumes this cluster provisioned (those the provisioner's
// deleter has not already removed): they die with the cluster, like its etcd.
func (w *volumeWatcher) stop() []error {
	if w == nil {
		return nil
	}
	syscall.Close(w.fd)
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, d := range w.dirs {
		if err := os.RemoveAll(d); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
