package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// lateLine is the JSON line `start --workloads-later` reads on stdin: the binaries of the second
// stage, built while the apiserver already serves (a first start compiles them for minutes).
type lateLine struct {
	ControllersBinary string `json:"controllersBinary"`
	Kwok              string `json:"kwok"`
}

// workloadsLine is the second JSON line on stdout: the fake nodes are Ready, so Jobs get pods.
type workloadsLine struct {
	Workloads bool  `json:"workloads"`
	StartedMs int64 `json:"startMillis"` // from the late line to Ready
}

// watchStdin reads stdin when asked to: its first line goes to the channel (the late line), and its
// end cancels the context, which ties the control plane's life to its parent's (a test runner
// killed with SIGKILL cannot clean up, but its end closes our stdin pipe).
func watchStdin(parent context.Context, r io.Reader, watch bool) (context.Context, <-chan string) {
	lines := make(chan string, 1)
	if !watch {
		return parent, lines
	}
	ctx, cancel := context.WithCancel(parent)
	go func() {
		defer cancel()
		in := bufio.NewReader(r)
		line, err := in.ReadString('\n')
		if err != nil {
			return
		}
		lines <- line
		_, _ = io.Copy(io.Discard, in)
	}()
	return ctx, lines
}

// startLate starts the second stage of `--workloads-later`: the controller manager, the scheduler,
// the fake nodes and kwok, from the binaries the late line names; it prints the workloads line once
// the nodes are Ready.
func (cp *controlPlane) startLate(ctx context.Context, line string, wl workloadOptions, timeout time.Duration) error {
	began := time.Now()
	var late lateLine
	if err := json.Unmarshal([]byte(line), &late); err != nil {
		return fmt.Errorf("the late line %q is not JSON: %w", line, err)
	}
	if late.ControllersBinary == "" || late.Kwok == "" {
		return errors.New(`the late line must name both binaries: {"controllersBinary": PATH, "kwok": PATH}`)
	}
	wl.kwok = late.Kwok
	if err := cp.startComponents(ctx, late.ControllersBinary, &wl, time.Now().Add(timeout)); err != nil {
		return err
	}
	out, _ := json.Marshal(workloadsLine{Workloads: true, StartedMs: time.Since(began).Milliseconds()})
	fmt.Println(string(out))
	return nil
}
