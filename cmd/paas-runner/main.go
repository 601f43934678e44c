// Command paas-runner runs a one-off command (`paas run`, an app.yml
// release command) inside the app's container and keeps a copy of
// everything it prints.
//
// Usage:
//
//	paas-runner -output /alloc/data/paas-run.out -- command [args...]
//
// Nomad's docker driver copies a container's output into its log files from
// a separate process that stops as soon as the container exits: a command
// that ends within a second or so can lose some or all of its output. The
// platform therefore mounts this static binary into one-off containers as
// their entrypoint. It writes the command's stdout and stderr, in the order
// they were written, to the output file in the allocation directory, which
// the scheduler reads back after the task ends, and to its own stdout as
// well, so that `nomad alloc logs` still shows them.
//
// The exit code is the command's, 128+n when signal n killed it, 127 when
// the command does not exist and 126 when it cannot be run, as in a shell.
// Signals sent to the runner (a stopped run) are passed on to the command.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// leftoverOutput is how long the runner reads output after the command
// exited, from processes it started and left running.
const leftoverOutput = 2 * time.Second

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	flags := flag.NewFlagSet("paas-runner", flag.ContinueOnError)
	output := flags.String("output", "", "file that receives a copy of the command's output")
	if err := flags.Parse(args); err != nil {
		return 125
	}
	command := flags.Args()
	if *output == "" || len(command) == 0 {
		fmt.Fprintln(os.Stderr, "usage: paas-runner -output FILE -- command [args...]")
		return 125
	}
	file, err := os.OpenFile(*output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "paas-runner: %v\n", err)
		return 125
	}
	out := &outputCopy{file: file}
	code := runCommand(command, out)
	if err := out.close(); err != nil {
		fmt.Fprintf(os.Stderr, "paas-runner: %v\n", err)
	}
	return code
}

// runCommand runs command with its output going to out and returns its
// exit code.
func runCommand(command []string, out *outputCopy) int {
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin = os.Stdin
	// One pipe takes both streams: with two, the order in which stdout
	// and stderr were written would be lost.
	r, w, err := os.Pipe()
	if err != nil {
		out.printf("paas-runner: %v\n", err)
		return 125
	}
	cmd.Stdout, cmd.Stderr = w, w
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		out.from(r)
	}()
	err = cmd.Start()
	// The command holds its own copy of the write end; the copy ends when
	// the command and its children have closed theirs.
	w.Close()
	if err != nil {
		<-copied
		out.printf("paas-runner: cannot run %q: %v\n", command[0], startError(err))
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return 127
		}
		return 126
	}
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for sig := range signals {
			cmd.Process.Signal(sig)
		}
	}()
	err = cmd.Wait()
	// A background process the command left behind may hold the pipe
	// open for good: take what it prints for a moment, then stop reading.
	select {
	case <-copied:
	case <-time.After(leftoverOutput):
		r.Close()
		<-copied
	}
	signal.Stop(signals)
	close(signals)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return exit.ExitCode()
	default:
		out.printf("paas-runner: %v\n", err)
		return 125
	}
}

// startError drops what exec adds to a missing command's error: the
// runner's message already names the command.
func startError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	var execErr *exec.Error
	if errors.As(err, &execErr) {
		return execErr.Err
	}
	return err
}

// outputCopy writes the command's output to the output file and to the
// runner's stdout.
type outputCopy struct {
	mu   sync.Mutex
	file *os.File
	err  error
}

func (c *outputCopy) from(r io.Reader) {
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			c.write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (c *outputCopy) write(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.file.Write(p); err != nil && c.err == nil {
		c.err = err
	}
	os.Stdout.Write(p)
}

func (c *outputCopy) printf(format string, args ...any) {
	c.write(fmt.Appendf(nil, format, args...))
}

// close makes the copy durable before the runner exits: the scheduler
// reads it once the task is seen to have ended.
func (c *outputCopy) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := errors.Join(c.err, c.file.Sync(), c.file.Close())
	if err != nil {
		return fmt.Errorf("keep the output: %w", err)
	}
	return nil
}
