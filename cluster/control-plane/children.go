package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// child is one supervised process; done closes when it has exited.
type child struct {
	name, log string
	cmd       *exec.Cmd
	done      chan struct{}
}

// exit reports a child process that ended, with the log to show.
type exit struct {
	err error
	log string
}

// self is this binary, which runs the kube-apiserver.
func self() string {
	path, err := os.Executable()
	if err != nil {
		// Only when /proc is missing; argv[0] then still names us when started by path.
		return os.Args[0]
	}
	return path
}

// spawn runs one component, a command of a multi-call binary of this module (see spawnProgram).
func (cp *controlPlane) spawn(binary, name string, args []string) (*child, error) {
	return cp.spawnProgram(name, binary, append([]string{name}, args...), nil)
}

// spawnProgram runs a child process logging to DIR/NAME.log, with extra environment variables; it
// dies with us (Pdeathsig) even if we are killed without a chance to clean up.
func (cp *controlPlane) spawnProgram(name, program string, args, env []string) (*child, error) {
	logPath := filepath.Join(cp.dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(program, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	c := &child{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	cp.children = append(cp.children, c)
	go func() {
		err := cmd.Wait()
		logFile.Close()
		close(c.done)
		cp.exited <- exit{err: fmt.Errorf("%s: %v", name, err), log: logPath}
	}()
	return c, nil
}

// exited says whether the child has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stopChild stops one child early (SIGTERM, SIGKILL after 10 s) and waits for it.
func stopChild(c *child) {
	if c == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func (cp *controlPlane) shutdown() {
	// The real node first, while the apiserver still answers its components' last requests.
	cp.realNode.teardown(stopChild)
	for _, c := range cp.children {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
	}
	grace := time.After(10 * time.Second)
	for range len(cp.children) - cp.reaped {
		select {
		case <-cp.exited:
		case <-grace:
			for _, c := range cp.children {
				_ = c.cmd.Process.Kill()
			}
		}
	}
	if cp.etcd != nil {
		cp.etcd.Close()
	}
}
