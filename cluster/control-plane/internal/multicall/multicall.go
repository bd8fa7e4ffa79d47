// Package multicall is the command dispatch shared by the module's three binaries (control-plane,
// controllers, node): each is one file naming its commands, so what a binary links is exactly what
// its commands import, and `go build` of one compiles nothing the others need.
package multicall

import (
	"fmt"
	"os"
)

// Command runs one command with the arguments after its name and returns the exit code.
type Command func(args []string) int

// Main runs the command named by the first argument, or prints usage. Every binary also has
// `version`, so any of them says which Kubernetes it holds.
func Main(usage string, commands map[string]Command) {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	// The commands parse os.Args themselves through cobra; drop the binary's command word.
	os.Args = append([]string{name}, args...)
	if name == "version" {
		PrintVersion()
		os.Exit(0)
	}
	run, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", name, usage)
		os.Exit(2)
	}
	os.Exit(run(args))
}
